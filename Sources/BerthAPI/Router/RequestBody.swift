import BerthAPIModels

/// A request body as it arrives: chunks of bytes, read once. Handlers that take JSON call
/// `collect` or `decode`; handlers that take archives (image load, build contexts) read
/// the chunks as a stream.
public struct RequestBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    private let stream: AsyncThrowingStream<[UInt8], any Error>

    init(stream: AsyncThrowingStream<[UInt8], any Error>) {
        self.stream = stream
    }

    /// A body with no bytes.
    public static var empty: RequestBody { RequestBody(bytes: []) }

    /// A body that yields `bytes` at once (for tests and in-process calls).
    public init(bytes: [UInt8]) {
        stream = AsyncThrowingStream { continuation in
            if !bytes.isEmpty { continuation.yield(bytes) }
            continuation.finish()
        }
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<[UInt8], any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }

    /// Reads the whole body; more than `limit` bytes is an invalid argument.
    public func collect(limit: Int = 16 << 20) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in stream {
            out.append(contentsOf: chunk)
            if out.count > limit { throw EngineError.invalidArgument("request body larger than \(limit) bytes") }
        }
        return out
    }

    /// Reads the body as JSON into `type`. An empty body is an error, as in Docker.
    public func decode<T: Decodable>(_ type: T.Type) async throws -> T {
        let bytes = try await collect()
        if bytes.isEmpty { throw EngineError.invalidArgument("request body is empty, expected JSON") }
        do {
            return try WireJSON.decode(type, from: bytes)
        } catch {
            throw EngineError.invalidArgument("invalid JSON: \(describeDecodingError(error))")
        }
    }
}

/// A JSON decoding failure as one line naming the field.
func describeDecodingError(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .typeMismatch(let type, let ctx): return "\(path(ctx.codingPath)): expected \(type)"
    case .valueNotFound(_, let ctx): return "\(path(ctx.codingPath)): missing value"
    case .keyNotFound(let key, let ctx): return "\(path(ctx.codingPath + [key])): missing field"
    case .dataCorrupted(let ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
    @unknown default: return "\(error)"
    }
}
