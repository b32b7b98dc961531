extension JSONValue {
    /// The value as JSON text, in the layout of Foundation's JSONEncoder with
    /// `.withoutEscapingSlashes`: `/` and non-ASCII characters are written as they are,
    /// `"`, `\` and control characters are escaped. `pretty` indents by two spaces and writes
    /// `"key" : value`; `sortedKeys` orders object members by the UTF-8 bytes of their keys.
    public func serialized(pretty: Bool = false, sortedKeys: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty, sortedKeys: sortedKeys)
        writer.write(self, indent: 0)
        return writer.out
    }
}

struct JSONWriter {
    var out: [UInt8] = []
    let pretty: Bool
    let sortedKeys: Bool

    init(pretty: Bool, sortedKeys: Bool) {
        self.pretty = pretty
        self.sortedKeys = sortedKeys
        out.reserveCapacity(1024)
    }

    mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .number(let n): append(n.text)
        case .string(let s): writeString(s)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            if elements.isEmpty {
                emptyBody(indent)
            } else {
                for (i, element) in elements.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    newline(indent + 2)
                    write(element, indent: indent + 2)
                }
                newline(indent)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            if members.isEmpty {
                emptyBody(indent)
            } else {
                let ordered = sortedKeys ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
                for (i, member) in ordered.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    newline(indent + 2)
                    writeString(member.key)
                    if pretty { append(" : ") } else { out.append(UInt8(ascii: ":")) }
                    write(member.value, indent: indent + 2)
                }
                newline(indent)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Foundation writes an empty pretty container as an opening line, an empty line and
    /// the closing bracket.
    private mutating func emptyBody(_ indent: Int) {
        guard pretty else { return }
        out.append(0x0A)
        newline(indent)
    }

    private mutating func newline(_ indent: Int) {
        guard pretty else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    private mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    private mutating func writeString(_ s: String) {
        var s = s
        out.append(UInt8(ascii: "\""))
        s.withUTF8 { utf8 in
            var runStart = 0
            for (i, c) in utf8.enumerated() where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                out.append(UInt8(ascii: "\\"))
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(c)
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(c >> 4)], hex[Int(c & 15)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
