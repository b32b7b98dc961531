/// Why a document is not valid JSON, and where.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem, from 0.
    public var offset: Int
    /// Line of the problem, from 1.
    public var line: Int
    /// Column of the problem in bytes, from 1.
    public var column: Int
    /// What is wrong, e.g. `expected ',' or '}' after an object member, found 'x'`.
    public var problem: String

    public var description: String { "\(problem) at line \(line), column \(column) (byte \(offset))" }
}

extension JSONValue {
    /// The default nesting limit of the parser and the decoder.
    public static let defaultMaxDepth = 512

    /// Parses one RFC 8259 document: any value at the top, surrounded by optional whitespace
    /// and nothing else. Strings must be valid UTF-8; arrays and objects may nest `maxDepth`
    /// levels.
    public init(parsing bytes: [UInt8], maxDepth: Int = JSONValue.defaultMaxDepth) throws(JSONSyntaxError) {
        let result = bytes.withUnsafeBytes { buffer in
            var parser = JSONParser(buffer, maxDepth: maxDepth)
            return Result { () throws(JSONSyntaxError) in try parser.parseDocument() }
        }
        self = try result.get()
    }

    /// Parses one RFC 8259 document from `buffer`; see `init(parsing:maxDepth:)`.
    public init(parsing buffer: UnsafeRawBufferPointer, maxDepth: Int = JSONValue.defaultMaxDepth) throws(JSONSyntaxError) {
        var parser = JSONParser(buffer, maxDepth: maxDepth)
        self = try parser.parseDocument()
    }
}

/// A recursive-descent parser over raw bytes. Recursion is bounded by `maxDepth`.
struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0
    private let maxDepth: Int
    private var depth = 0
    /// Reused for strings with escapes.
    private var scratch: [UInt8] = []
    /// Elements and members of the open arrays and objects; each container is copied out
    /// at its end into an array of exactly its size, instead of growing one per container.
    private var elementStack: [JSONValue] = []
    private var memberStack: [(key: String, value: JSONValue)] = []

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < bytes.count { throw error("unexpected \(found()) after the top-level value") }
        return value
    }

    // MARK: values

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard position < bytes.count else { throw error("expected a value, found end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            try scanNumber()
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            return .number(JSONNumber(unchecked: text))
        default:
            throw error("expected a value, found \(found())")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        let start = word.utf8Start
        for i in 0..<n {
            guard position + i < bytes.count, bytes[position + i] == start[i] else {
                position += i
                throw error("invalid literal, expected '\(word)'")
            }
        }
        position += n
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth) levels") }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        position += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array([])
        }
        let base = elementStack.count
        while true {
            let element = try parseValue()
            elementStack.append(element)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") { throw error("trailing comma before ']'") }
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                let elements = Array(elementStack[base...])
                elementStack.removeSubrange(base...)
                return .array(elements)
            default:
                throw error("expected ',' or ']' after an array element, found \(found())")
            }
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        position += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object([])
        }
        let base = memberStack.count
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key, found \(found())") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after an object key, found \(found())") }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            memberStack.append((key: key, value: value))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") { throw error("trailing comma before '}'") }
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                let members = Array(memberStack[base...])
                memberStack.removeSubrange(base...)
                return .object(members)
            default:
                throw error("expected ',' or '}' after an object member, found \(found())")
            }
        }
    }

    // MARK: numbers

    /// Moves past `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    mutating func scanNumber() throws(JSONSyntaxError) {
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw error("expected a digit, found \(found())") }
        position += 1
        if first == UInt8(ascii: "0") {
            if let c = peek(), isDigit(c) { throw error("leading zeros are not allowed in numbers") }
        } else {
            skipDigits()
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let c = peek(), isDigit(c) else { throw error("expected a digit after '.', found \(found())") }
            skipDigits()
        }
        if let c = peek(), c | 0x20 == UInt8(ascii: "e") {
            position += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { position += 1 }
            guard let d = peek(), isDigit(d) else { throw error("expected a digit in the exponent, found \(found())") }
            skipDigits()
        }
    }

    private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    // MARK: strings

    /// Parses a string starting at its opening quote. Runs without escapes are copied
    /// straight from the input; UTF-8 is validated as it is scanned.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1
        var runStart = position
        var escaped = false
        scratch.removeAll(keepingCapacity: true)
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                let run = UnsafeRawBufferPointer(rebasing: bytes[runStart..<position])
                position += 1
                if !escaped { return String(decoding: run, as: UTF8.self) }
                scratch.append(contentsOf: run)
                return String(decoding: scratch, as: UTF8.self)
            } else if c == UInt8(ascii: "\\") {
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<position]))
                escaped = true
                try parseEscape()
                runStart = position
            } else if c < 0x20 {
                throw error("control character \(hexByte(c)) in a string must be escaped")
            } else if c < 0x80 {
                position += 1
            } else {
                try skipUTF8Sequence(lead: c)
            }
        }
        throw error("unterminated string")
    }

    /// Validates one multi-byte UTF-8 sequence (no overlongs, surrogates or values past
    /// U+10FFFF) and moves past it.
    private mutating func skipUTF8Sequence(lead c: UInt8) throws(JSONSyntaxError) {
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw error("invalid UTF-8 byte \(hexByte(c)) in a string")
        }
        for i in 1..<length {
            let at = position + i
            guard at < bytes.count else { position = at; throw error("truncated UTF-8 sequence in a string") }
            let b = bytes[at]
            if b < low || b > high {
                position = at
                throw error("invalid UTF-8 continuation byte \(hexByte(b)) in a string")
            }
            low = 0x80; high = 0xBF
        }
        position += length
    }

    /// Parses the escape at `position` (a backslash) into `scratch`.
    private mutating func parseEscape() throws(JSONSyntaxError) {
        position += 1
        guard let c = peek() else { throw error("unterminated string") }
        position += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(c)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let escapeStart = position - 2
            var scalar = try hex4()
            if scalar >= 0xD800 && scalar < 0xDC00 {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    position = escapeStart
                    throw error("lone high surrogate \\u\(hex4Text(scalar)) (no \\uDC00-\\uDFFF follows)")
                }
                position += 2
                let low = try hex4()
                guard low >= 0xDC00 && low < 0xE000 else {
                    position -= 6
                    throw error("high surrogate \\u\(hex4Text(scalar)) followed by \\u\(hex4Text(low)), not a low surrogate")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar < 0xE000 {
                position = escapeStart
                throw error("lone low surrogate \\u\(hex4Text(scalar))")
            }
            appendUTF8(scalar)
        default:
            position -= 1
            throw error("invalid escape '\\\(Character(Unicode.Scalar(c)))'")
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek() else { throw error("expected 4 hex digits after \\u, found end of input") }
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw error("expected 4 hex digits after \\u, found \(found())")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func appendUTF8(_ v: UInt32) {
        switch v {
        case ..<0x80:
            scratch.append(UInt8(v))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | v >> 6)); scratch.append(UInt8(0x80 | v & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | v >> 12)); scratch.append(UInt8(0x80 | v >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | v >> 18)); scratch.append(UInt8(0x80 | v >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | v >> 6 & 0x3F)); scratch.append(UInt8(0x80 | v & 0x3F))
        }
    }

    // MARK: helpers

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// The byte at `position`, for messages: `'x'`, `byte 0x01` or `end of input`.
    private func found() -> String {
        guard let c = peek() else { return "end of input" }
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte \(hexByte(c))"
    }

    private func hexByte(_ c: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(c >> 4)]) + String(digits[Int(c & 15)])
    }

    private func hex4Text(_ v: UInt32) -> String {
        let digits = Array("0123456789ABCDEF")
        return String((0..<4).map { digits[Int(v >> (12 - 4 * UInt32($0)) & 15)] })
    }

    private func error(_ problem: String) -> JSONSyntaxError {
        let at = min(position, bytes.count)
        var line = 1, lineStart = 0
        for i in 0..<at where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return JSONSyntaxError(offset: at, line: line, column: at - lineStart + 1, problem: problem)
    }
}
