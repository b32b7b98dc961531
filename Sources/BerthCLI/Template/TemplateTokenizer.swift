extension TemplateLexer {
    /// The tokens of one action's content.
    static func tokenize(_ chars: [Unicode.Scalar], line: Int) throws(TemplateError) -> [TemplateToken] {
        var tokens: [TemplateToken] = []
        var i = 0
        var spaceBefore = true
        while i < chars.count {
            let c = chars[i]
            if isSpace(c) { i += 1; spaceBefore = true; continue }
            let attached = !spaceBefore && tokens.last == .rightParen
            spaceBefore = false
            switch c {
            case "|": tokens.append(.pipe); i += 1
            case "(": tokens.append(.leftParen); i += 1
            case ")": tokens.append(.rightParen); i += 1
            case ",": tokens.append(.comma); i += 1
            case "=": tokens.append(.assign); i += 1
            case ":":
                guard i + 1 < chars.count, chars[i + 1] == "=" else { throw .parse(line: line, "expected :=") }
                tokens.append(.declare); i += 2
            case "\"": tokens.append(.string(try quoted(chars, &i, line: line)))
            case "`": tokens.append(.string(try raw(chars, &i, line: line)))
            case "'": tokens.append(.number(String(try character(chars, &i, line: line))))
            case ".":
                if i + 1 < chars.count, isIdentifierStart(chars[i + 1]) {
                    tokens.append(.field(fieldChain(chars, &i), attached: attached))
                } else {
                    tokens.append(.dot); i += 1
                }
            case "$":
                i += 1
                let name = identifier(chars, &i)
                tokens.append(.variable("$" + name, fields: fieldChain(chars, &i)))
            default:
                if isDigit(c) || ((c == "-" || c == "+") && i + 1 < chars.count && isDigit(chars[i + 1])) {
                    tokens.append(.number(number(chars, &i)))
                } else if isIdentifierStart(c) {
                    tokens.append(.identifier(identifier(chars, &i)))
                } else {
                    throw .parse(line: line, "unexpected \"\(c)\" in command")
                }
            }
        }
        return tokens
    }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    private static func identifier(_ chars: [Unicode.Scalar], _ i: inout Int) -> String {
        var out = String.UnicodeScalarView()
        while i < chars.count, isIdentifierStart(chars[i]) || isDigit(chars[i]) {
            out.append(chars[i])
            i += 1
        }
        return String(out)
    }

    /// `.A.B.C` starting at a dot; empty when no field follows.
    private static func fieldChain(_ chars: [Unicode.Scalar], _ i: inout Int) -> [String] {
        var fields: [String] = []
        while i + 1 < chars.count, chars[i] == ".", isIdentifierStart(chars[i + 1]) {
            i += 1
            fields.append(identifier(chars, &i))
        }
        return fields
    }

    private static func number(_ chars: [Unicode.Scalar], _ i: inout Int) -> String {
        var out = String.UnicodeScalarView()
        while i < chars.count {
            let c = chars[i]
            let sign = (c == "-" || c == "+") && (out.isEmpty || out.last == "e" || out.last == "E")
            guard isDigit(c) || c == "." || c == "_" || c == "x" || c == "X" || ("a"..."f").contains(c)
                || ("A"..."F").contains(c) || sign else { break }
            out.append(c)
            i += 1
        }
        return String(out)
    }

    private static func quoted(_ chars: [Unicode.Scalar], _ i: inout Int, line: Int) throws(TemplateError) -> String {
        var out = String.UnicodeScalarView()
        i += 1
        while i < chars.count {
            let c = chars[i]
            i += 1
            if c == "\"" { return String(out) }
            if c == "\\" {
                guard i < chars.count else { break }
                let e = chars[i]
                i += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\\": out.append("\\")
                case "\"": out.append("\"")
                case "'": out.append("'")
                case "x", "u", "U":
                    let width = e == "x" ? 2 : (e == "u" ? 4 : 8)
                    guard i + width <= chars.count,
                          let v = UInt32(String(String.UnicodeScalarView(chars[i..<(i + width)])), radix: 16),
                          let s = Unicode.Scalar(v) else { throw .parse(line: line, "invalid escape in string") }
                    out.append(s)
                    i += width
                default: throw .parse(line: line, "unknown escape sequence in string")
                }
            } else {
                out.append(c)
            }
        }
        throw .parse(line: line, "unterminated quoted string")
    }

    private static func raw(_ chars: [Unicode.Scalar], _ i: inout Int, line: Int) throws(TemplateError) -> String {
        var out = String.UnicodeScalarView()
        i += 1
        while i < chars.count {
            let c = chars[i]
            i += 1
            if c == "`" { return String(out) }
            out.append(c)
        }
        throw .parse(line: line, "unterminated raw quoted string")
    }

    private static func character(_ chars: [Unicode.Scalar], _ i: inout Int, line: Int) throws(TemplateError) -> UInt32 {
        guard i + 2 < chars.count, chars[i + 2] == "'" else { throw .parse(line: line, "unterminated character constant") }
        let value = chars[i + 1].value
        i += 3
        return value
    }
}
