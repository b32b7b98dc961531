/// JSONValue decodes from and encodes to any Decoder and Encoder. With Berth's own coders it
/// is passed through as it is; with others, object member order is whatever their keyed
/// containers give.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let impl = decoder as? JSONDecoderImpl {
            self = impl.value
            return
        }
        if let object = try? decoder.container(keyedBy: JSONKey.self) {
            self = .object(try object.allKeys.map { (key: $0.stringValue, value: try object.decode(JSONValue.self, forKey: $0)) })
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let s = try? single.decode(String.self) {
            self = .string(s)
        } else if let i = try? single.decode(Int64.self) {
            self = .number(JSONNumber(i))
        } else if let u = try? single.decode(UInt64.self) {
            self = .number(JSONNumber(u))
        } else if let n = JSONNumber(try single.decode(Double.self)) {
            self = .number(n)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a JSON value"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if let impl = encoder as? JSONEncoderImpl {
            impl.node = .value(self)
            return
        }
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .number(let n):
            var c = encoder.singleValueContainer()
            if let i: Int64 = n.integer() { try c.encode(i) } else if let u: UInt64 = n.integer() { try c.encode(u) } else {
                guard let d = n.double else {
                    throw EncodingError.invalidValue(n.text, .init(codingPath: encoder.codingPath, debugDescription: "number out of range"))
                }
                try c.encode(d)
            }
        case .array(let elements):
            var c = encoder.unkeyedContainer()
            for e in elements { try c.encode(e) }
        case .object(let members):
            var c = encoder.container(keyedBy: JSONKey.self)
            for m in members { try c.encode(m.value, forKey: JSONKey(stringValue: m.key)) }
        }
    }
}
