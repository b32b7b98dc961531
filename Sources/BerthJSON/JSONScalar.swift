/// The leaf types the decoder and encoder handle themselves instead of going through a
/// nested Decoder or Encoder: Bool, String, the integers and the floating-point types.
protocol JSONScalar {
    static func fromJSON(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Self
    func toJSON(_ path: @autoclosure () -> [any CodingKey]) throws -> JSONValue
}

extension JSONValue {
    /// How decoding errors name a value's kind (Foundation's words).
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }
}

extension JSONScalar {
    static func mismatch(_ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        if case .null = value {
            return .valueNotFound(Self.self, .init(codingPath: path,
                                                   debugDescription: "Cannot get value of type \(Self.self) -- found null value instead"))
        }
        return .typeMismatch(Self.self, .init(codingPath: path,
                                              debugDescription: "Expected to decode \(Self.self) but found \(value.kindDescription) instead."))
    }
}

extension Bool: JSONScalar {
    static func fromJSON(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(value, path()) }
        return b
    }
    func toJSON(_ path: @autoclosure () -> [any CodingKey]) -> JSONValue { .bool(self) }
}

extension String: JSONScalar {
    static func fromJSON(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let s) = value else { throw mismatch(value, path()) }
        return s
    }
    func toJSON(_ path: @autoclosure () -> [any CodingKey]) -> JSONValue { .string(self) }
}

extension JSONScalar where Self: FixedWidthInteger {
    /// Integral numbers in any notation (`1`, `1.0`, `1e2`) that fit; anything else is
    /// `dataCorrupted`, as in Foundation.
    static func fromJSON(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Self {
        guard case .number(let n) = value else { throw mismatch(value, path()) }
        guard let i = n.integer(as: Self.self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(),
                                                    debugDescription: "Parsed JSON number <\(n.text)> does not fit in \(Self.self)."))
        }
        return i
    }
    func toJSON(_ path: @autoclosure () -> [any CodingKey]) -> JSONValue { .number(JSONNumber(self)) }
}

extension Int: JSONScalar {}
extension Int8: JSONScalar {}
extension Int16: JSONScalar {}
extension Int32: JSONScalar {}
extension Int64: JSONScalar {}
extension UInt: JSONScalar {}
extension UInt8: JSONScalar {}
extension UInt16: JSONScalar {}
extension UInt32: JSONScalar {}
extension UInt64: JSONScalar {}

extension JSONScalar where Self: BinaryFloatingPoint & LosslessStringConvertible {
    /// Any number within range; Float goes through Double as in Foundation.
    static func fromJSON(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Self {
        guard case .number(let n) = value else { throw mismatch(value, path()) }
        guard let d = n.double, Self(d).isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(),
                                                    debugDescription: "Parsed JSON number <\(n.text)> does not fit in \(Self.self)."))
        }
        return Self(d)
    }
    /// NaN and infinities have no JSON form: `EncodingError.invalidValue`.
    func toJSON(_ path: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard let n = JSONNumber(self) else {
            throw EncodingError.invalidValue(self, .init(codingPath: path(),
                                                         debugDescription: "Unable to encode \(Self.self).\(self) directly in JSON."))
        }
        return .number(n)
    }
}

extension Double: JSONScalar {}
extension Float: JSONScalar {}
