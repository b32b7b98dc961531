/// Encodes `Encodable` values into `JSONValue`, keeping members in the order the type
/// encodes them (declaration order for synthesized `Codable`), as Go's encoder keeps
/// struct field order. Dictionaries come out with sorted keys, as Go sorts map keys.
public enum JSONValueEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try encodeAny(value, codingPath: [])
    }

    static func encodeAny(_ value: any Encodable, codingPath: [any CodingKey]) throws -> JSONValue {
        switch value {
        case let v as JSONValue: return v
        case let v as String: return .string(v)
        case let v as Bool: return .bool(v)
        case let v as Int: return .int(Int64(v))
        case let v as Int64: return .int(v)
        case let v as Int32: return .int(Int64(v))
        case let v as UInt32: return .int(Int64(v))
        case let v as UInt64: return v <= UInt64(Int64.max) ? .int(Int64(v)) : .double(Double(v))
        case let v as Double: return .double(v)
        case let v as Float: return .double(Double(v))
        case let v as Int8: return .int(Int64(v))
        case let v as Int16: return .int(Int64(v))
        case let v as UInt: return v <= UInt(Int64.max) ? .int(Int64(v)) : .double(Double(v))
        case let v as UInt8: return .int(Int64(v))
        case let v as UInt16: return .int(Int64(v))
        case let dictionary as [String: any Encodable]:
            var object = JSONObject()
            for key in dictionary.keys.sorted() {
                object[key] = try encodeAny(dictionary[key]!, codingPath: codingPath + [AnyKey(key)])
            }
            return .object(object)
        default:
            let encoder = ValueEncoder(codingPath: codingPath)
            try value.encode(to: encoder)
            return encoder.storage.value ?? .object(JSONObject())
        }
    }
}

/// Where one encoder's result lands; containers write into it as they fill.
class ValueBox {
    var value: JSONValue?
    init(_ value: JSONValue? = nil) { self.value = value }
}

final class ValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let storage = ValueBox()

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if storage.value == nil { storage.value = .object(JSONObject()) }
        return KeyedEncodingContainer(KeyedValueContainer<Key>(box: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if storage.value == nil { storage.value = .array([]) }
        return UnkeyedValueContainer(box: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(box: storage, codingPath: codingPath)
    }
}

struct KeyedValueContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: ValueBox
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue, _ key: Key) {
        guard case .object(var object) = box.value else { return }
        box.value = nil
        object[key.stringValue] = value
        box.value = .object(object)
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try JSONValueEncoder.encodeAny(value, codingPath: codingPath + [key]), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = NestedBox(parent: box, key: key.stringValue, initial: .object(JSONObject()))
        return KeyedEncodingContainer(KeyedValueContainer<NestedKey>(box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        UnkeyedValueContainer(box: NestedBox(parent: box, key: key.stringValue, initial: .array([])), codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(codingPath: codingPath + [key]) }
}

/// A nested container's box: every change is written back into the parent object.
final class NestedBox: ValueBox {
    let parent: ValueBox
    let key: String

    init(parent: ValueBox, key: String, initial: JSONValue) {
        self.parent = parent
        self.key = key
        super.init(initial)
        writeBack()
    }

    override var value: JSONValue? {
        didSet { writeBack() }
    }

    private func writeBack() {
        guard case .object(var object) = parent.value, let value else { return }
        parent.value = nil
        object[key] = value
        parent.value = .object(object)
    }
}

struct UnkeyedValueContainer: UnkeyedEncodingContainer {
    let box: ValueBox
    let codingPath: [any CodingKey]

    var count: Int { box.value?.arrayValue?.count ?? 0 }

    private func append(_ value: JSONValue) {
        guard case .array(var items) = box.value else { return }
        box.value = nil
        items.append(value)
        box.value = .array(items)
    }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try JSONValueEncoder.encodeAny(value, codingPath: codingPath + [AnyKey("\(count)")]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        append(.object(JSONObject()))
        let element = ElementBox(parent: box, index: count - 1, initial: .object(JSONObject()))
        return KeyedEncodingContainer(KeyedValueContainer<NestedKey>(box: element, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        append(.array([]))
        return UnkeyedValueContainer(box: ElementBox(parent: box, index: count - 1, initial: .array([])), codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(codingPath: codingPath) }
}

/// A nested container inside an array: changes are written back to its element.
final class ElementBox: ValueBox {
    let parent: ValueBox
    let index: Int

    init(parent: ValueBox, index: Int, initial: JSONValue) {
        self.parent = parent
        self.index = index
        super.init(initial)
    }

    override var value: JSONValue? {
        didSet {
            guard case .array(var items) = parent.value, let value, items.indices.contains(index) else { return }
            parent.value = nil
            items[index] = value
            parent.value = .array(items)
        }
    }
}

struct SingleValueContainer: SingleValueEncodingContainer {
    let box: ValueBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        box.value = try JSONValueEncoder.encodeAny(value, codingPath: codingPath)
    }
}
