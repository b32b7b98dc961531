import BerthJSON

/// JSON coding for the Engine API's wire types. Members go out in declaration order, as
/// Docker's Go structs do, and map keys sorted, as Go sorts them.
public enum WireJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try JSONValueEncoder.encode(value).serializedBytes()
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try BerthJSONDecoder().decode(type, from: bytes)
    }

    /// A value already parsed (a member of a bigger document) into `type`.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try decode(type, from: value.serializedBytes())
    }
}
