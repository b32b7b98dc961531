/// Decodes `Decodable` values from JSON, like Foundation's JSONDecoder: the same
/// `DecodingError`s with the same coding paths, integral numbers such as `1.0` accepted for
/// integers, unknown keys ignored, missing optional keys decoded as nil. Unlike Foundation
/// it refuses trailing commas.
public struct BerthJSONDecoder: Sendable {
    /// Passed to every `Decoder` as `userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]
    /// How deep arrays and objects may nest.
    public var maxDepth: Int = JSONValue.defaultMaxDepth

    /// A decoder with no user info.
    public init() {}

    /// Decodes `type` from the JSON document in `bytes`. Invalid JSON throws
    /// `DecodingError.dataCorrupted` with an empty coding path and a `JSONSyntaxError` as
    /// the underlying error.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }

    /// Decodes `type` from the JSON document in `buffer`.
    public func decode<T: Decodable>(_ type: T.Type, from buffer: UnsafeRawBufferPointer) throws -> T {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: buffer, maxDepth: maxDepth)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON.",
                                                    underlyingError: error))
        }
        return try decode(type, from: value)
    }

    /// Decodes `type` from an already parsed value.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try DecodingContext(userInfo: userInfo).unwrap(value, as: T.self, path: .root)
    }
}

/// What every decoder of one `decode` call shares.
final class DecodingContext {
    let userInfo: [CodingUserInfoKey: Any]

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        var info: [CodingUserInfoKey: Any] = [:]
        for (k, v) in userInfo { info[k] = v }
        self.userInfo = info
    }

    /// Scalars and string arrays are read directly; other types get a decoder of their own.
    /// Comparing metatypes is a pointer compare, much cheaper than a conformance lookup
    /// (`as? any JSONScalar.Type`), which is left for the rarer scalar types.
    func unwrap<T: Decodable>(_ value: JSONValue, as type: T.Type, path: @autoclosure () -> CodingPath) throws -> T {
        if T.self == String.self { return unsafeBitCast(try String.fromJSON(value, path().keys), to: T.self) }
        if T.self == [String].self { return unsafeBitCast(try strings(value, path: path()), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try Bool.fromJSON(value, path().keys), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try Int.fromJSON(value, path().keys), to: T.self) }
        if T.self == UInt32.self { return unsafeBitCast(try UInt32.fromJSON(value, path().keys), to: T.self) }
        if T.self == UInt64.self { return unsafeBitCast(try UInt64.fromJSON(value, path().keys), to: T.self) }
        if T.self == Int64.self { return unsafeBitCast(try Int64.fromJSON(value, path().keys), to: T.self) }
        if T.self == JSONValue.self { return unsafeBitCast(value, to: T.self) }
        if let scalar = T.self as? any JSONScalar.Type {
            return try scalar.fromJSON(value, path().keys) as! T
        }
        return try T(from: JSONDecoderImpl(value: value, path: path(), context: self))
    }

    /// `[String]`, the commonest array in OCI configs (args, env, mount options, syscall
    /// names), without an unkeyed container.
    private func strings(_ value: JSONValue, path: CodingPath) throws -> [String] {
        guard case .array(let elements) = value else {
            return try [String](from: JSONDecoderImpl(value: value, path: path, context: self))
        }
        var result: [String] = []
        result.reserveCapacity(elements.count)
        for (i, element) in elements.enumerated() {
            guard case .string(let s) = element else { throw String.mismatch(element, CodingPath.index(i, path).keys) }
            result.append(s)
        }
        return result
    }
}

/// The decoder for one value; it is also that value's single-value container.
final class JSONDecoderImpl: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let path: CodingPath
    let context: DecodingContext

    init(value: JSONValue, path: CodingPath, context: DecodingContext) {
        self.value = value
        self.path = path
        self.context = context
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let members): return KeyedDecodingContainer(JSONKeyedDecoder<Key>(decoder: self, members: members))
        case .null:
            throw DecodingError.valueNotFound([String: Any].self, .init(
                codingPath: codingPath, debugDescription: "Cannot get keyed decoding container -- found null value instead"))
        default:
            throw DecodingError.typeMismatch([String: Any].self, .init(
                codingPath: codingPath, debugDescription: "Expected to decode \([String: Any].self) but found \(value.kindDescription) instead."))
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let elements): return JSONUnkeyedDecoder(decoder: self, elements: elements)
        case .null:
            throw DecodingError.valueNotFound([Any].self, .init(
                codingPath: codingPath, debugDescription: "Cannot get unkeyed decoding container -- found null value instead"))
        default:
            throw DecodingError.typeMismatch([Any].self, .init(
                codingPath: codingPath, debugDescription: "Expected to decode \([Any].self) but found \(value.kindDescription) instead."))
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { value.isNull }
    private func scalar<T: JSONScalar>() throws -> T { try T.fromJSON(value, codingPath) }
    func decode(_ type: Bool.Type) throws -> Bool { try scalar() }
    func decode(_ type: String.Type) throws -> String { try scalar() }
    func decode(_ type: Double.Type) throws -> Double { try scalar() }
    func decode(_ type: Float.Type) throws -> Float { try scalar() }
    func decode(_ type: Int.Type) throws -> Int { try scalar() }
    func decode(_ type: Int8.Type) throws -> Int8 { try scalar() }
    func decode(_ type: Int16.Type) throws -> Int16 { try scalar() }
    func decode(_ type: Int32.Type) throws -> Int32 { try scalar() }
    func decode(_ type: Int64.Type) throws -> Int64 { try scalar() }
    func decode(_ type: UInt.Type) throws -> UInt { try scalar() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try scalar() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try scalar() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try scalar() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar() }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try context.unwrap(value, as: T.self, path: path) }
}
