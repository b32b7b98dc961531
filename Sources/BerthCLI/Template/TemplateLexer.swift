/// The pieces of a template: literal text and the tokens of each `{{action}}`.
enum TemplateItem: Equatable {
    case text(String)
    case action([TemplateToken], line: Int)
}

/// One token inside an action.
enum TemplateToken: Equatable {
    /// `.` alone.
    case dot
    /// `.A.B`; `attached` when it follows `)` directly, as in `(index . 0).Name`.
    case field([String], attached: Bool)
    /// `$`, `$x`, `$x.A.B`.
    case variable(String, fields: [String])
    case identifier(String)
    case string(String)
    case number(String)
    case pipe, leftParen, rightParen, declare, assign, comma
}

/// Splits template text into text and action items, applying `{{-` and `-}}` trimming
/// and dropping `{{/* comments */}}`, as Go's text/template lexer does.
enum TemplateLexer {
    static func lex(_ text: String) throws(TemplateError) -> [TemplateItem] {
        let chars = Array(text.unicodeScalars)
        var items: [TemplateItem] = []
        var pending: [Unicode.Scalar] = []
        var i = 0
        var line = 1
        var trimNextText = false
        while i < chars.count {
            guard let open = find(chars, "{{", from: i) else {
                pending.append(contentsOf: chars[i...])
                break
            }
            pending.append(contentsOf: chars[i..<open])
            var start = open + 2
            let trimLeft = start + 1 < chars.count && chars[start] == "-" && isSpace(chars[start + 1])
            if trimLeft { start += 1 }
            if trimNextText { trimLeading(&pending) }
            if trimLeft { trimTrailing(&pending) }
            if !pending.isEmpty { items.append(.text(String(String.UnicodeScalarView(pending)))) }
            line += pending.filter { $0 == "\n" }.count
            pending = []
            let close = try findClose(chars, from: start, line: line)
            var end = close
            trimNextText = close >= 2 && chars[close - 1] == "-" && isSpace(chars[close - 2]) && close - 1 >= start
            if trimNextText { end -= 1 }
            let content = Array(chars[start..<end])
            if !isComment(content) {
                items.append(.action(try tokenize(content, line: line), line: line))
            }
            line += content.filter { $0 == "\n" }.count
            i = close + 2
        }
        if trimNextText { trimLeading(&pending) }
        if !pending.isEmpty { items.append(.text(String(String.UnicodeScalarView(pending)))) }
        return items
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    private static func trimLeading(_ s: inout [Unicode.Scalar]) {
        s = Array(s.drop(while: isSpace))
    }

    private static func trimTrailing(_ s: inout [Unicode.Scalar]) {
        while let last = s.last, isSpace(last) { s.removeLast() }
    }

    private static func find(_ chars: [Unicode.Scalar], _ needle: String, from: Int) -> Int? {
        let n = Array(needle.unicodeScalars)
        var i = from
        while i + n.count <= chars.count {
            if chars[i] == n[0] && Array(chars[i..<(i + n.count)]) == n { return i }
            i += 1
        }
        return nil
    }

    /// The `}}` that ends an action, skipping quoted strings.
    private static func findClose(_ chars: [Unicode.Scalar], from: Int, line: Int) throws(TemplateError) -> Int {
        var i = from
        var quote: Unicode.Scalar?
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == "\\" && q != "`" { i += 2; continue }
                if c == q { quote = nil }
            } else if c == "\"" || c == "`" || c == "'" {
                quote = c
            } else if c == "}" && i + 1 < chars.count && chars[i + 1] == "}" {
                return i
            }
            i += 1
        }
        throw .parse(line: line, quote != nil ? "unterminated quoted string" : "unclosed action")
    }

    private static func isComment(_ content: [Unicode.Scalar]) -> Bool {
        let trimmed = String(String.UnicodeScalarView(content)).trimmingCharacters(in: " \t\r\n")
        return trimmed.hasPrefix("/*") && trimmed.hasSuffix("*/")
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set.unicodeScalars)
        let scalars = Array(unicodeScalars)
        guard let first = scalars.firstIndex(where: { !chars.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !chars.contains($0) })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
