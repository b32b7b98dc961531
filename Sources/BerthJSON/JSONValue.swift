/// A parsed JSON document. Objects keep their members in document order (duplicates
/// included); numbers keep their literal text so 64-bit integers and decimals round-trip
/// exactly.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])
}

/// A JSON number as its literal text, e.g. `18446744073709551615`, `-0`, `1.5e-7`.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as written; always valid RFC 8259 number syntax.
    public let text: String

    /// `text` if it is a valid RFC 8259 number, nil otherwise.
    public init?(_ text: String) {
        var text = text
        let valid = text.withUTF8 { buffer in
            var p = JSONParser(UnsafeRawBufferPointer(buffer), maxDepth: 1)
            return (try? p.scanNumber()) != nil && p.position == buffer.count
        }
        guard valid else { return nil }
        self.text = text
    }

    init(unchecked text: String) { self.text = text }

    /// Any integer, exactly.
    public init<T: BinaryInteger>(_ value: T) { text = String(value) }

    /// A finite floating-point value, in Swift's shortest round-tripping form with a
    /// trailing `.0` dropped (as Foundation's JSONEncoder writes it); nil for NaN and
    /// infinities, which JSON cannot represent.
    public init?<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T) {
        guard value.isFinite else { return nil }
        var s = value.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        text = s
    }

    public var description: String { text }

    /// The value as `T` if it is an integer that fits, exactly: `1.0` and `1e2` are
    /// integers, `1.5` and `300` (for UInt8) are not.
    public func integer<T: FixedWidthInteger>(as type: T.Type = T.self) -> T? {
        var text = text
        return text.withUTF8 { JSONNumber.parseInteger($0, as: T.self) }
    }

    /// The nearest Double; nil when the value is outside Double's range.
    public var double: Double? {
        guard let d = Double(text), d.isFinite else { return nil }
        return d
    }

    /// Parses `-?int(.frac)?([eE][+-]?exp)?` as an exact integer.
    static func parseInteger<T: FixedWidthInteger>(_ s: UnsafeBufferPointer<UInt8>, as: T.Type) -> T? {
        var i = 0
        let negative = s.first == UInt8(ascii: "-")
        if negative { i = 1 }
        var result: T = 0
        // Fast path: plain digits, accumulated towards the sign so T.min fits.
        while i < s.count, s[i] &- 48 < 10 {
            let digit = T(truncatingIfNeeded: s[i] &- 48)
            let (m, o1) = result.multipliedReportingOverflow(by: 10)
            let (r, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
            if o1 || o2 { return slowInteger(s, as: T.self) }
            result = r
            i += 1
        }
        return i == s.count ? result : slowInteger(s, as: T.self)
    }

    /// Fractions and exponents: the value is `digits × 10^exponent`; it is an integer when,
    /// after dropping trailing zeros, the exponent is not negative.
    private static func slowInteger<T: FixedWidthInteger>(_ s: UnsafeBufferPointer<UInt8>, as: T.Type) -> T? {
        var i = 0
        let negative = s.first == UInt8(ascii: "-")
        if negative { i = 1 }
        var digits: [UInt8] = []
        var exponent = 0
        var inFraction = false
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: ".") { inFraction = true } else if c &- 48 < 10 {
                if !(digits.isEmpty && c == UInt8(ascii: "0")) {
                    digits.append(c &- 48)
                    if inFraction { exponent -= 1 }
                } else if inFraction {
                    exponent -= 1
                }
            } else { break }
            i += 1
        }
        if i < s.count {
            // [eE][+-]?digits, saturating far beyond any integer's range.
            i += 1
            var expNegative = false
            if s[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if s[i] == UInt8(ascii: "+") { i += 1 }
            var e = 0
            while i < s.count { e = min(e * 10 + Int(s[i] &- 48), 1_000_000); i += 1 }
            exponent += expNegative ? -e : e
        }
        while let last = digits.last, last == 0 { digits.removeLast(); exponent += 1 }
        if digits.isEmpty { return 0 }
        guard exponent >= 0, digits.count + exponent <= 40 else { return nil }
        var result: T = 0
        for d in digits + [UInt8](repeating: 0, count: exponent) {
            let (m, o1) = result.multipliedReportingOverflow(by: 10)
            let (r, o2) = negative ? m.subtractingReportingOverflow(T(d)) : m.addingReportingOverflow(T(d))
            if o1 || o2 { return nil }
            result = r
        }
        return result
    }
}

extension JSONValue: Equatable {
    /// Structural equality; object members compare in order, and numbers by their text.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

extension JSONValue {
    /// The first member named `key` of an object; nil for other values.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string, if this is one.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The bool, if this is one.
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    /// The number as Int64, if it is an integer in range.
    public var int64Value: Int64? { if case .number(let n) = self { n.integer() } else { nil } }
    /// The number as UInt64, if it is a non-negative integer in range.
    public var uint64Value: UInt64? { if case .number(let n) = self { n.integer() } else { nil } }
    /// The number as Double, if it is one in range.
    public var doubleValue: Double? { if case .number(let n) = self { n.double } else { nil } }
    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    /// The members, if this is an object.
    public var objectValue: [(key: String, value: JSONValue)]? { if case .object(let o) = self { o } else { nil } }
    /// True for `null`.
    public var isNull: Bool { if case .null = self { true } else { false } }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = JSONNumber(value).map(JSONValue.number) ?? .null }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements.map { (key: $0.0, value: $0.1) }) }
}
