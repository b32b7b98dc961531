/// Encodes `Encodable` values as JSON, byte for byte as Foundation's JSONEncoder does with
/// `.withoutEscapingSlashes` (plus `.sortedKeys` and `.prettyPrinted` when asked). Nil
/// optionals are left out of objects; NaN and infinities throw `EncodingError.invalidValue`.
public struct BerthJSONEncoder: Sendable {
    /// Order object members by the UTF-8 bytes of their keys.
    public var sortedKeys: Bool
    /// Indent by two spaces, one member or element per line.
    public var pretty: Bool
    /// Passed to every `Encoder` as `userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// An encoder with the given output options.
    public init(sortedKeys: Bool = false, pretty: Bool = false) {
        self.sortedKeys = sortedKeys
        self.pretty = pretty
    }

    /// `value` as JSON text.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try encodeValue(value).serialized(pretty: pretty, sortedKeys: sortedKeys)
    }

    /// `value` as a JSON tree, members in the order they were encoded.
    public func encodeValue<T: Encodable>(_ value: T) throws -> JSONValue {
        let context = EncodingContext(userInfo: userInfo)
        if let scalar = value as? any JSONScalar { return try scalar.toJSON([]) }
        if let json = value as? JSONValue { return json }
        let encoder = JSONEncoderImpl(codingPath: [], context: context)
        try value.encode(to: encoder)
        guard let node = encoder.node else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return node.json
    }
}

/// A value being encoded. Containers are shared objects because Swift's containers are
/// values that callers may keep writing to after handing them out.
enum EncodedNode {
    case value(JSONValue)
    case object(ObjectBuilder)
    case array(ArrayBuilder)
    /// A super encoder, read when the tree is finished.
    case encoder(JSONEncoderImpl)

    var json: JSONValue {
        switch self {
        case .value(let v): v
        case .object(let o): .object(o.members.map { (key: $0.key, value: $0.value.json) })
        case .array(let a): .array(a.elements.map(\.json))
        case .encoder(let e): e.node?.json ?? .object([])
        }
    }
}

final class ObjectBuilder {
    private(set) var members: [(key: String, value: EncodedNode)] = []
    /// Positions by key, once the object is too big to scan (a large dictionary).
    private var index: [String: Int]?

    /// Encoding a key twice replaces its value and keeps its place (Foundation keeps a
    /// dictionary, so the last value wins).
    func set(_ key: String, _ value: EncodedNode) {
        if let i = position(of: key) {
            members[i].value = value
            return
        }
        members.append((key: key, value: value))
        if index != nil {
            index?[key] = members.count - 1
        } else if members.count > 32 {
            index = Dictionary(members.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    func position(of key: String) -> Int? {
        if let index { return index[key] }
        return members.firstIndex { $0.key == key }
    }
}

final class ArrayBuilder {
    var elements: [EncodedNode] = []
}

/// What every encoder of one `encode` call shares.
final class EncodingContext {
    let userInfo: [CodingUserInfoKey: Any]

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        var info: [CodingUserInfoKey: Any] = [:]
        for (k, v) in userInfo { info[k] = v }
        self.userInfo = info
    }

    /// Scalars become values directly; other types get an encoder of their own. A value
    /// that encodes nothing becomes `{}`, as in Foundation.
    /// As in decoding, the common types are found by comparing metatypes, which is much
    /// cheaper than the dynamic cast left for the rest.
    func wrap<T: Encodable>(_ value: T, path: @autoclosure () -> [any CodingKey]) throws -> EncodedNode {
        if T.self == String.self { return .value(.string(unsafeBitCast(value, to: String.self))) }
        if T.self == [String].self { return .value(.array(unsafeBitCast(value, to: [String].self).map { .string($0) })) }
        if T.self == Bool.self { return .value(.bool(unsafeBitCast(value, to: Bool.self))) }
        if T.self == Int.self { return .value(.number(JSONNumber(unsafeBitCast(value, to: Int.self)))) }
        if T.self == UInt32.self { return .value(.number(JSONNumber(unsafeBitCast(value, to: UInt32.self)))) }
        if T.self == UInt64.self { return .value(.number(JSONNumber(unsafeBitCast(value, to: UInt64.self)))) }
        if T.self == Int64.self { return .value(.number(JSONNumber(unsafeBitCast(value, to: Int64.self)))) }
        if T.self == JSONValue.self { return .value(unsafeBitCast(value, to: JSONValue.self)) }
        if let scalar = value as? any JSONScalar { return .value(try scalar.toJSON(path())) }
        let encoder = JSONEncoderImpl(codingPath: path(), context: self)
        try value.encode(to: encoder)
        return encoder.node ?? .object(ObjectBuilder())
    }
}

/// The encoder for one value; it is also that value's single-value container.
final class JSONEncoderImpl: Encoder, SingleValueEncodingContainer {
    let codingPath: [any CodingKey]
    let context: EncodingContext
    var node: EncodedNode?

    init(codingPath: [any CodingKey], context: EncodingContext) {
        self.codingPath = codingPath
        self.context = context
    }

    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    /// Asking twice gives the same object, so a subclass and its superclass can share one.
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object(let object)? = node { return KeyedEncodingContainer(JSONKeyedEncoder(encoder: self, object: object)) }
        let object = ObjectBuilder()
        node = .object(object)
        return KeyedEncodingContainer(JSONKeyedEncoder(encoder: self, object: object))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array(let array)? = node { return JSONUnkeyedEncoder(encoder: self, array: array) }
        let array = ArrayBuilder()
        node = .array(array)
        return JSONUnkeyedEncoder(encoder: self, array: array)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() { node = .value(.null) }
    private func scalar<T: JSONScalar>(_ value: T) throws { node = .value(try value.toJSON(codingPath)) }
    func encode(_ value: Bool) throws { try scalar(value) }
    func encode(_ value: String) throws { try scalar(value) }
    func encode(_ value: Double) throws { try scalar(value) }
    func encode(_ value: Float) throws { try scalar(value) }
    func encode(_ value: Int) throws { try scalar(value) }
    func encode(_ value: Int8) throws { try scalar(value) }
    func encode(_ value: Int16) throws { try scalar(value) }
    func encode(_ value: Int32) throws { try scalar(value) }
    func encode(_ value: Int64) throws { try scalar(value) }
    func encode(_ value: UInt) throws { try scalar(value) }
    func encode(_ value: UInt8) throws { try scalar(value) }
    func encode(_ value: UInt16) throws { try scalar(value) }
    func encode(_ value: UInt32) throws { try scalar(value) }
    func encode(_ value: UInt64) throws { try scalar(value) }
    func encode<T: Encodable>(_ value: T) throws { node = try context.wrap(value, path: codingPath) }
}
