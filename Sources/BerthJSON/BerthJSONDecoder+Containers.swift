/// An object's members by key. Objects are small, so lookups scan; large ones (dictionaries)
/// get an index. When a key repeats, the first member wins, as in Foundation.
struct JSONKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONDecoderImpl
    let members: [(key: String, value: JSONValue)]
    private let index: [String: Int]?

    init(decoder: JSONDecoderImpl, members: [(key: String, value: JSONValue)]) {
        self.decoder = decoder
        self.members = members
        if members.count > 32 {
            var index: [String: Int] = [:]
            index.reserveCapacity(members.count)
            for (i, m) in members.enumerated() where index[m.key] == nil { index[m.key] = i }
            self.index = index
        } else {
            index = nil
        }
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    /// Each key once, in document order (a repeated key would otherwise, for instance, make
    /// an enum's one-case object look like two cases).
    var allKeys: [Key] {
        var seen = Set<String>()
        return members.compactMap { seen.insert($0.key).inserted ? Key(stringValue: $0.key) : nil }
    }

    private func find(_ name: String) -> JSONValue? {
        if let index { return index[name].map { members[$0].value } }
        for m in members where m.key == name { return m.value }
        return nil
    }

    func contains(_ key: Key) -> Bool { find(key.stringValue) != nil }

    private func require(_ key: Key) throws -> JSONValue {
        guard let value = find(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath,
                                                       debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return value
    }

    private func path(_ key: Key) -> CodingPath { decoder.path.appending(key) }

    func decodeNil(forKey key: Key) throws -> Bool { try require(key).isNull }

    private func scalar<T: JSONScalar>(_ key: Key) throws -> T { try T.fromJSON(try require(key), path(key).keys) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try scalar(key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try scalar(key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try scalar(key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try scalar(key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try scalar(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try scalar(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try scalar(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try scalar(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try scalar(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try scalar(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try scalar(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try scalar(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try scalar(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try scalar(key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.context.unwrap(try require(key), as: T.self, path: path(key))
    }

    // One lookup instead of the default's three (contains, decodeNil, decode).
    private func scalarIfPresent<T: JSONScalar>(_ key: Key) throws -> T? {
        guard let value = find(key.stringValue), !value.isNull else { return nil }
        return try T.fromJSON(value, path(key).keys)
    }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try scalarIfPresent(key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try scalarIfPresent(key) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = find(key.stringValue), !value.isNull else { return nil }
        return try decoder.context.unwrap(value, as: T.self, path: path(key))
    }

    private func nestedDecoder(_ key: Key, what: String) throws -> JSONDecoderImpl {
        guard let value = find(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(
                codingPath: codingPath,
                debugDescription: "Cannot get \(what) -- no value found for key \(key) (\"\(key.stringValue)\")"))
        }
        return JSONDecoderImpl(value: value, path: path(key), context: decoder.context)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(key, what: "nested keyed container").container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try nestedDecoder(key, what: "nested unkeyed container").unkeyedContainer()
    }

    /// The `super` member, or null when there is none (as in Foundation).
    func superDecoder() throws -> any Decoder {
        JSONDecoderImpl(value: find(JSONKey.super.stringValue) ?? .null, path: decoder.path.appending(JSONKey.super),
                        context: decoder.context)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONDecoderImpl(value: find(key.stringValue) ?? .null, path: path(key), context: decoder.context)
    }
}

/// An array's elements in order. `currentIndex` moves only when a decode succeeds, so a
/// caller may retry an element as another type.
struct JSONUnkeyedDecoder: UnkeyedDecodingContainer {
    let decoder: JSONDecoderImpl
    let elements: [JSONValue]
    private(set) var currentIndex = 0

    init(decoder: JSONDecoderImpl, elements: [JSONValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var path: CodingPath { .index(currentIndex, decoder.path) }

    private func peek<T>(_ type: T.Type, what: String = "Unkeyed container is at end.") throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: path.keys, debugDescription: what))
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard try peek(Any?.self).isNull else { return false }
        currentIndex += 1
        return true
    }

    private mutating func scalar<T: JSONScalar>() throws -> T {
        let value = try T.fromJSON(try peek(T.self), path.keys)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try scalar() }
    mutating func decode(_ type: String.Type) throws -> String { try scalar() }
    mutating func decode(_ type: Double.Type) throws -> Double { try scalar() }
    mutating func decode(_ type: Float.Type) throws -> Float { try scalar() }
    mutating func decode(_ type: Int.Type) throws -> Int { try scalar() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try scalar() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try scalar() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try scalar() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try scalar() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try scalar() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try scalar() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try scalar() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try scalar() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar() }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try decoder.context.unwrap(try peek(T.self), as: T.self, path: path)
        currentIndex += 1
        return value
    }

    private mutating func nextDecoder<T>(_ type: T.Type, what: String) throws -> JSONDecoderImpl {
        let value = try peek(type, what: "Cannot get \(what) -- unkeyed container is at end.")
        let next = JSONDecoderImpl(value: value, path: path, context: decoder.context)
        currentIndex += 1
        return next
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try peek(KeyedDecodingContainer<NestedKey>.self,
                             what: "Cannot get nested keyed container -- unkeyed container is at end.")
        let container = try JSONDecoderImpl(value: value, path: path, context: decoder.context).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let value = try peek((any UnkeyedDecodingContainer).self,
                             what: "Cannot get nested unkeyed container -- unkeyed container is at end.")
        let container = try JSONDecoderImpl(value: value, path: path, context: decoder.context).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        try nextDecoder((any Decoder).self, what: "superDecoder()")
    }
}
