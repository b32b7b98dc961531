import BerthAPIModels
import NIOHTTP1

/// What a route handler answers: a status, headers and one of three kinds of body.
public struct APIResponse: Sendable {
    /// How the body is produced.
    public enum Body: Sendable {
        /// A complete body, sent with `Content-Length`.
        case bytes([UInt8])
        /// A body written as it is produced (progress messages, logs, events), sent
        /// chunked. The connection closes if the writer throws after the head went out.
        case stream(@Sendable (BodyWriter) async throws -> Void)
        /// The connection leaves HTTP: the server answers `101 UPGRADED` (or `200 OK` to a
        /// client that did not ask to upgrade) with this content type, then hands the raw
        /// connection to the closure and closes it when the closure returns. With
        /// `headFirst` the closure starts only once the client has read the head (see
        /// `PeerDrain`): for streams that may have bytes ready at once.
        case hijack(contentType: String, headFirst: Bool, @Sendable (HijackedConnection) async throws -> Void)
    }

    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPResponseStatus = .ok, headers: HTTPHeaders = [:], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `value` as JSON with `Content-Type: application/json`.
    public static func json<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) throws -> APIResponse {
        APIResponse(status: status, headers: ["Content-Type": "application/json"], body: .bytes(try WireJSON.encode(value)))
    }

    /// A JSON value as it is, keeping its member order.
    public static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> APIResponse {
        APIResponse(status: status, headers: ["Content-Type": "application/json"], body: .bytes(value.serializedBytes()))
    }

    /// Plain text, as `/_ping` answers.
    public static func text(_ text: String, status: HTTPResponseStatus = .ok) -> APIResponse {
        APIResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .bytes(Array(text.utf8)))
    }

    /// `204 No Content`.
    public static var noContent: APIResponse { APIResponse(status: .noContent) }

    /// A streamed body: JSON messages for progress and events, raw bytes for logs.
    public static func stream(
        contentType: String = "application/json", status: HTTPResponseStatus = .ok,
        _ write: @escaping @Sendable (BodyWriter) async throws -> Void
    ) -> APIResponse {
        APIResponse(status: status, headers: ["Content-Type": contentType], body: .stream(write))
    }

    /// A hijacked connection; `contentType` is `application/vnd.docker.raw-stream` for a
    /// TTY and `application/vnd.docker.multiplexed-stream` otherwise. `headFirst: false`
    /// saves the wait for the client to read the head where nothing can be sent before the
    /// client's next request (an attach before start).
    public static func hijack(
        contentType: String = "application/vnd.docker.raw-stream", headFirst: Bool = true,
        _ run: @escaping @Sendable (HijackedConnection) async throws -> Void
    ) -> APIResponse {
        APIResponse(status: .switchingProtocols, body: .hijack(contentType: contentType, headFirst: headFirst, run))
    }
}

/// Writes a streamed response body. Each write is flushed to the client at once.
public struct BodyWriter: Sendable {
    private let sink: @Sendable ([UInt8]) async throws -> Void

    public init(_ sink: @escaping @Sendable ([UInt8]) async throws -> Void) {
        self.sink = sink
    }

    public func write(_ bytes: [UInt8]) async throws {
        if !bytes.isEmpty { try await sink(bytes) }
    }

    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    /// One JSON message followed by a newline, as Docker's progress and event streams are.
    public func writeJSON<T: Encodable>(_ value: T) async throws {
        try await write(try WireJSON.encode(value) + [0x0A])
    }
}

/// A connection taken over from HTTP, for attach and exec: the client's bytes in, ours out.
public struct HijackedConnection: Sendable {
    /// What the client sends, until it closes its side (half-close) or disconnects.
    public let input: AsyncStream<[UInt8]>
    private let writer: @Sendable ([UInt8]) async throws -> Void
    private let outputCloser: @Sendable () async -> Void

    public init(
        input: AsyncStream<[UInt8]>, write: @escaping @Sendable ([UInt8]) async throws -> Void,
        closeOutput: @escaping @Sendable () async -> Void
    ) {
        self.input = input
        self.writer = write
        self.outputCloser = closeOutput
    }

    public func write(_ bytes: [UInt8]) async throws {
        if !bytes.isEmpty { try await writer(bytes) }
    }

    /// Shuts down our sending side; the client sees end of stream, and can still send.
    public func closeOutput() async { await outputCloser() }
}
