struct JSONKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: JSONEncoderImpl
    let object: ObjectBuilder

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) { object.set(key.stringValue, .value(.null)) }
    private func scalar<T: JSONScalar>(_ value: T, _ key: Key) throws {
        object.set(key.stringValue, .value(try value.toJSON(codingPath + [key])))
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try scalar(value, key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.set(key.stringValue, try encoder.context.wrap(value, path: codingPath + [key]))
    }

    /// An existing object under `key` is reused, so two nested containers for one key merge.
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONEncoderImpl(codingPath: codingPath + [key], context: encoder.context)
        if let i = object.position(of: key.stringValue), case .object(let existing) = object.members[i].value {
            nested.node = .object(existing)
        } else {
            let o = ObjectBuilder()
            nested.node = .object(o)
            object.set(key.stringValue, .object(o))
        }
        return nested.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = JSONEncoderImpl(codingPath: codingPath + [key], context: encoder.context)
        if let i = object.position(of: key.stringValue), case .array(let existing) = object.members[i].value {
            nested.node = .array(existing)
        } else {
            let a = ArrayBuilder()
            nested.node = .array(a)
            object.set(key.stringValue, .array(a))
        }
        return nested.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: JSONKey.super) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key) }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let nested = JSONEncoderImpl(codingPath: codingPath + [key], context: encoder.context)
        object.set(key.stringValue, .encoder(nested))
        return nested
    }
}

struct JSONUnkeyedEncoder: UnkeyedEncodingContainer {
    let encoder: JSONEncoderImpl
    let array: ArrayBuilder

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { array.elements.count }
    private var nextPath: [any CodingKey] { codingPath + [JSONKey(index: count)] }

    mutating func encodeNil() { array.elements.append(.value(.null)) }
    private func scalar<T: JSONScalar>(_ value: T) throws { array.elements.append(.value(try value.toJSON(nextPath))) }
    mutating func encode(_ value: Bool) throws { try scalar(value) }
    mutating func encode(_ value: String) throws { try scalar(value) }
    mutating func encode(_ value: Double) throws { try scalar(value) }
    mutating func encode(_ value: Float) throws { try scalar(value) }
    mutating func encode(_ value: Int) throws { try scalar(value) }
    mutating func encode(_ value: Int8) throws { try scalar(value) }
    mutating func encode(_ value: Int16) throws { try scalar(value) }
    mutating func encode(_ value: Int32) throws { try scalar(value) }
    mutating func encode(_ value: Int64) throws { try scalar(value) }
    mutating func encode(_ value: UInt) throws { try scalar(value) }
    mutating func encode(_ value: UInt8) throws { try scalar(value) }
    mutating func encode(_ value: UInt16) throws { try scalar(value) }
    mutating func encode(_ value: UInt32) throws { try scalar(value) }
    mutating func encode(_ value: UInt64) throws { try scalar(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try encoder.context.wrap(value, path: nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONEncoderImpl(codingPath: nextPath, context: encoder.context)
        let o = ObjectBuilder()
        nested.node = .object(o)
        array.elements.append(.object(o))
        return nested.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONEncoderImpl(codingPath: nextPath, context: encoder.context)
        let a = ArrayBuilder()
        nested.node = .array(a)
        array.elements.append(.array(a))
        return nested.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let nested = JSONEncoderImpl(codingPath: nextPath, context: encoder.context)
        array.elements.append(.encoder(nested))
        return nested
    }
}
