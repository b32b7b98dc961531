import BerthAPIModels

/// A request to the Engine API. `path` is without the version prefix (`/containers/json`);
/// the client adds `/v1.xx` unless `versioned` is false.
public struct ClientRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var versioned: Bool

    public init(
        _ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: [UInt8]? = nil, versioned: Bool = true
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.versioned = versioned
    }

    /// A request whose body is `value` as JSON.
    public static func json<T: Encodable>(_ method: String, _ path: String, _ value: T, query: [(String, String)] = []) throws -> ClientRequest {
        ClientRequest(method, path, query: query, headers: [("Content-Type", "application/json")], body: try WireJSON.encode(value))
    }

    /// The request target: version prefix, path, query (percent-encoded).
    func target(version: APIVersion) -> String {
        var out = versioned ? "/v\(version)" + path : path
        if !query.isEmpty {
            out += "?" + query.map { URLEncoding.encode($0.0) + "=" + URLEncoding.encode($0.1) }.joined(separator: "&")
        }
        return out
    }
}

/// Response headers; names compare without case.
public struct ResponseHeaders: Sendable {
    public private(set) var fields: [(name: String, value: String)] = []

    init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }
}

/// A response's status line and headers.
public struct ResponseHead: Sendable {
    public var status: Int
    public var reason: String
    public var headers: ResponseHeaders

    /// Reads the status line and headers from `connection`.
    static func read(from connection: SocketConnection) throws(ClientError) -> ResponseHead {
        guard let statusLine = try connection.readLine() else {
            throw .protocolError("the daemon closed the connection without answering")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .protocolError("malformed HTTP status line: \(statusLine)")
        }
        var fields: [(String, String)] = []
        while let line = try connection.readLine(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
            fields.append((String(line[..<colon]), String(value)))
        }
        return ResponseHead(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: ResponseHeaders(fields))
    }
}

/// A complete response.
public struct ClientResponse: Sendable {
    public var head: ResponseHead
    public var body: [UInt8]

    public var status: Int { head.status }
    public var headers: ResponseHeaders { head.headers }

    /// The body as a JSON value, keeping member order.
    public func json() throws -> JSONValue {
        do { return try JSONValue.parse(body) } catch {
            throw ClientError.protocolError("invalid JSON from the daemon: \(error)")
        }
    }

    /// The body decoded into `type`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do { return try WireJSON.decode(type, from: body) } catch {
            throw ClientError.protocolError("unexpected answer from the daemon: \(error)")
        }
    }
}

/// Percent-encoding for query components (RFC 3986 unreserved characters kept).
enum URLEncoding {
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
