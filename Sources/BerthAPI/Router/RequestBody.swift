import BerthAPIModels

/// A request body as it arrives: chunks of bytes, read once. Handlers that take JSON call
/// `collect` or `decode`; handlers that take archives (image load, build contexts) read
/// the chunks as a stream.
public struct RequestBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    fileprivate enum Source: Sendable {
        case bytes([UInt8])
        case channel(BodyChannel)
    }

    private let source: Source

    init(channel: BodyChannel) {
        source = .channel(channel)
    }

    /// A body with no bytes.
    public static var empty: RequestBody { RequestBody(bytes: []) }

    /// A body that yields `bytes` at once (for tests and in-process calls).
    public init(bytes: [UInt8]) {
        source = .bytes(bytes)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate var source: Source
        fileprivate var done = false

        public mutating func next() async throws -> [UInt8]? {
            if done { return nil }
            switch source {
            case .bytes(let bytes):
                done = true
                return bytes.isEmpty ? nil : bytes
            case .channel(let channel):
                let chunk = try await channel.next()
                done = chunk == nil
                return chunk
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }

    /// Reads the whole body; more than `limit` bytes is an invalid argument.
    public func collect(limit: Int = 16 << 20) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in self {
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
