import BerthAPIModels
import BerthOCI

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

    /// Reads the body as JSON into `type`. An empty body is an error, as in Docker, and
    /// so is anything after the value.
    public func decode<T: Decodable>(_ type: T.Type) async throws -> T {
        let bytes = try await collect()
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw EngineError.invalidArgument("invalid JSON: got EOF while reading request body")
        }
        do {
            return try OCIJSON.decode(type, from: bytes)
        } catch {
            throw EngineError.invalidArgument("invalid JSON: \(describeDecodingError(error))")
        }
    }
}

/// A JSON decoding failure as one line naming the problem and where it is, close to the
/// words of Go's encoding/json that dockerd answers with: `expected a value, found end of
/// input at line 1, column 21 (byte 20)`, `cannot unmarshal number into field Cmd of type array`.
func describeDecodingError(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    func path(_ keys: [any CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        return text.hasPrefix(".") ? String(text.dropFirst()) : text.isEmpty ? "(top level)" : text
    }
    func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "bool"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type, is UInt32.Type, is UInt16.Type: "integer"
        case is Double.Type, is Float.Type: "number"
        case is [Any].Type: "array"
        case is [String: Any].Type: "object"
        default: "\(type)"
        }
    }
    switch error {
    case .typeMismatch(let type, let ctx):
        // BerthJSON says "Expected to decode X but found a number instead."
        var found = "value"
        for kind in ["null", "a boolean", "a number", "a string", "an array", "a dictionary"]
        where ctx.debugDescription.hasSuffix("found \(kind) instead.") {
            found = kind == "a dictionary" ? "object" : String(kind.split(separator: " ").last!)
        }
        return "cannot unmarshal \(found) into field \(path(ctx.codingPath)) of type \(typeName(type))"
    case .valueNotFound(let type, let ctx):
        return "cannot unmarshal null into field \(path(ctx.codingPath)) of type \(typeName(type))"
    case .keyNotFound(let key, let ctx): return "\(path(ctx.codingPath + [key])): missing field"
    case .dataCorrupted(let ctx):
        if let syntax = ctx.underlyingError { return "\(syntax)" }
        return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
    @unknown default: return "\(error)"
    }
}
