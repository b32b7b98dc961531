#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthSystem

/// A blocking Engine API client over a unix socket: one connection per request, no
/// event loop, so a CLI command starts and finishes fast.
public final class APIClient {
    public let host: EngineHost
    /// The version put in request paths (`/v1.47/...`).
    public var version: APIVersion
    public var userAgent = "Berth-Client/\(BerthVersionInfo.version) (linux)"
    /// Whether the first versioned request pings the daemon and lowers `version` to the
    /// daemon's first, as the docker CLI does. Off for fixed-version callers (tests).
    public var negotiatesVersion: Bool
    private var negotiated = false

    public init(host: EngineHost, version: APIVersion = .current, negotiate: Bool = false) {
        self.host = host
        self.version = version
        self.negotiatesVersion = negotiate
    }

    /// Sends a request and reads the whole response. Error statuses are returned, not
    /// thrown; see `call` for the throwing form.
    public func send(_ request: ClientRequest) throws(ClientError) -> ClientResponse {
        let stream = try open(request)
        return ClientResponse(head: stream.head, body: try stream.readAll())
    }

    /// Sends a request and returns the response, throwing `ClientError.api` with the
    /// daemon's message for a status of 400 or more.
    @discardableResult
    public func call(_ request: ClientRequest) throws(ClientError) -> ClientResponse {
        let response = try send(request)
        if response.status >= 400 { throw APIClient.apiError(status: response.status, body: response.body) }
        return response
    }

    /// `GET path` as a JSON value.
    public func getJSON(_ path: String, query: [(String, String)] = []) throws -> JSONValue {
        try call(ClientRequest("GET", path, query: query)).json()
    }

    /// `GET path` decoded into `type`.
    public func get<T: Decodable>(_ type: T.Type, _ path: String, query: [(String, String)] = []) throws -> T {
        try call(ClientRequest("GET", path, query: query)).decode(type)
    }

    /// Sends a request and returns the body as a stream once the head is in. An error
    /// status is thrown with its message.
    public func stream(_ request: ClientRequest) throws(ClientError) -> ResponseStream {
        let stream = try open(request)
        if stream.head.status >= 400 {
            throw APIClient.apiError(status: stream.head.status, body: try stream.readAll())
        }
        return stream
    }

    /// Sends a request asking to upgrade the connection (`Connection: Upgrade`,
    /// `Upgrade: tcp`) and returns the raw socket once the daemon answers 101 (or 200 with
    /// a raw stream, as older daemons do).
    public func hijack(_ request: ClientRequest) throws(ClientError) -> HijackedSocket {
        var request = request
        request.headers.append(contentsOf: [("Connection", "Upgrade"), ("Upgrade", "tcp")])
        let connection = try connect(request)
        let head = try ResponseHead.read(from: connection)
        if head.status >= 400 {
            let body = try ResponseStream(head: head, connection: connection, isHead: false).readAll()
            throw APIClient.apiError(status: head.status, body: body)
        }
        guard head.status == 101 || head.status == 200 else {
            throw .protocolError("the daemon did not switch protocols (status \(head.status))")
        }
        let (fd, buffered) = connection.detach()
        return HijackedSocket(fd: fd, buffered: buffered)
    }

    /// Sends a request now and leaves its response for later: `docker run` asks for
    /// `/containers/{id}/wait` before it starts the container, so the exit cannot be
    /// missed, whether or not the daemon sends the response head before the exit.
    public func begin(_ request: ClientRequest) throws(ClientError) -> PendingResponse {
        PendingResponse(connection: try connect(request), isHead: request.method == "HEAD")
    }

    /// Sends a request whose body is read from `fd` until its end (a tar archive on
    /// stdin, a file), with chunked transfer encoding so nothing is held in memory, and
    /// returns the response stream; an error status is thrown with its message.
    public func upload(_ request: ClientRequest, from fd: Int32) throws(ClientError) -> ResponseStream {
        let connection = try connect(request, chunked: true)
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(SyscallError(syscall: "read", code: errno))
            }
            if n == 0 { break }
            try connection.writeAll(Array(String(n, radix: 16).utf8) + [13, 10] + chunk[0..<n] + [13, 10])
        }
        try connection.writeAll(Array("0\r\n\r\n".utf8))
        let head = try ResponseHead.read(from: connection)
        let stream = ResponseStream(head: head, connection: connection, isHead: false)
        if head.status >= 400 { throw APIClient.apiError(status: head.status, body: try stream.readAll()) }
        return stream
    }

    /// What `/_ping` tells: the daemon's API version and OS.
    public struct Ping: Sendable {
        public var apiVersion: APIVersion?
        public var osType: String?
        public var experimental: Bool
    }

    public func ping() throws(ClientError) -> Ping {
        let response = try call(ClientRequest("GET", "/_ping", versioned: false))
        return Ping(
            apiVersion: response.headers["Api-Version"].flatMap { APIVersion($0) },
            osType: response.headers["Ostype"],
            experimental: response.headers["Docker-Experimental"] == "true")
    }

    /// Lowers `version` to the daemon's when the daemon is older, as the docker CLI does.
    public func negotiateVersion() throws(ClientError) {
        negotiated = true
        if let server = try ping().apiVersion, server < version { version = server }
    }

    private func open(_ request: ClientRequest) throws(ClientError) -> ResponseStream {
        let connection = try connect(request)
        let head = try ResponseHead.read(from: connection)
        return ResponseStream(head: head, connection: connection, isHead: request.method == "HEAD")
    }

    private func connect(_ request: ClientRequest, chunked: Bool = false) throws(ClientError) -> SocketConnection {
        if negotiatesVersion && !negotiated && request.versioned { try negotiateVersion() }
        let connection = try SocketConnection(path: host.socketPath, hostDescription: host.description)
        var head = "\(request.method) \(request.target(version: version)) HTTP/1.1\r\n"
        head += "Host: api.moby.localhost\r\nUser-Agent: \(userAgent)\r\n"
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        if chunked {
            head += "Transfer-Encoding: chunked\r\n"
        } else if let body = request.body {
            head += "Content-Length: \(body.count)\r\n"
        } else if ["POST", "PUT"].contains(request.method) {
            head += "Content-Length: 0\r\n"
        }
        head += "\r\n"
        try connection.writeAll(Array(head.utf8) + (request.body ?? []))
        return connection
    }

    /// The daemon's `{"message": ...}`, or the raw body when it is not JSON.
    static func apiError(status: Int, body: [UInt8]) -> ClientError {
        if let message = (try? JSONValue.parse(body))?["message"]?.stringValue {
            return .api(status: status, message: message)
        }
        let text = String(decoding: body, as: UTF8.self)
        return .api(status: status, message: text.isEmpty ? "error \(status) from the daemon" : text)
    }
}

/// A request already sent whose response has not been read yet (see `APIClient.begin`).
public final class PendingResponse {
    private let connection: SocketConnection
    private let isHead: Bool

    init(connection: SocketConnection, isHead: Bool) {
        self.connection = connection
        self.isHead = isHead
    }

    /// Waits for the response head and returns the body as a stream; an error status is
    /// thrown with the daemon's message.
    public func response() throws(ClientError) -> ResponseStream {
        let head = try ResponseHead.read(from: connection)
        let stream = ResponseStream(head: head, connection: connection, isHead: isHead)
        if head.status >= 400 { throw APIClient.apiError(status: head.status, body: try stream.readAll()) }
        return stream
    }
}
