import BerthJSON

/// A JSON syntax error with the byte offset where it was found.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "invalid JSON at offset \(offset): \(reason)" }
}

extension JSONValue {
    /// Parses one JSON document (RFC 8259) with BerthJSON's parser. Object member order is
    /// kept; a repeated key keeps its last value, as Go's decoder does. Numbers written
    /// without a fraction or exponent that fit in Int64 become `.int`, others `.double`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        do {
            return JSONValue(try BerthJSON.JSONValue(parsing: Array(bytes)))
        } catch {
            throw JSONParseError(offset: error.offset, reason: error.problem)
        }
    }

    /// Parses JSON text.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    init(_ value: BerthJSON.JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .object(let members):
            var object = JSONObject()
            for member in members { object[member.key] = JSONValue(member.value) }
            self = .object(object)
        case .number(let n):
            let integral = !n.text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
            if integral, let i = Int64(n.text) {
                self = .int(i)
            } else {
                self = .double(n.double ?? (n.text.hasPrefix("-") ? -.infinity : .infinity))
            }
        }
    }
}
