import BerthAPIModels

/// Go's fmt rules for the values a template sees: `%v` printing (`map[a:b]`, `[x y]`,
/// `<no value>`, `<nil>`), truth, and a `printf` subset.
enum GoFormat {
    /// `%v`.
    static func print(_ value: TemplateValue) -> String {
        guard let value else { return "<no value>" }
        switch value {
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return formatFloat(d)
        case .string(let s): return s
        case .array(let items): return "[" + items.map { print($0) }.joined(separator: " ") + "]"
        case .object(let object):
            let members = object.members.sorted { $0.key < $1.key }
            return "map[" + members.map { "\($0.key):\(print($0.value))" }.joined(separator: " ") + "]"
        }
    }

    /// Go's `%v` for float64: no trailing `.0`, exponent from 1e21 up.
    static func formatFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "+Inf" : "-Inf" }
        if d.rounded() == d && abs(d) < 1e21 { return String(Int64(d)) }
        return String(d)
    }

    /// Go's template truth: false, 0, nil, and empty strings, arrays and maps are false.
    static func isTrue(_ value: TemplateValue) -> Bool {
        guard let value else { return false }
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    /// The Go type a JSON value would decode to, for error messages.
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "interface {}"
        case .bool: "bool"
        case .int: "int"
        case .double: "float64"
        case .string: "string"
        case .array: "[]interface {}"
        case .object: "map[string]interface {}"
        }
    }

    /// `fmt.Sprint`: a space between operands when neither side is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        for (i, arg) in args.enumerated() {
            if i > 0, !isString(args[i - 1]), !isString(arg) { out += " " }
            out += print(arg)
        }
        return out
    }

    /// `fmt.Sprintln`: spaces between all operands, then a newline.
    static func sprintln(_ args: [TemplateValue]) -> String {
        args.map { print($0) }.joined(separator: " ") + "\n"
    }

    private static func isString(_ v: TemplateValue) -> Bool {
        if case .string? = v { return true }
        return false
    }

    /// `fmt.Sprintf` for the verbs templates use: `%v %s %d %q %t %f %x %%`, with the
    /// `-` and `0` flags, width and precision.
    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        var argIndex = 0
        var chars = Substring(format)
        while let c = chars.first {
            chars = chars.dropFirst()
            guard c == "%" else { out.append(c); continue }
            var spec = FormatSpec()
            while let f = chars.first, "-0+ ".contains(f) {
                if f == "-" { spec.leftAlign = true }
                if f == "0" { spec.zeroPad = true }
                chars = chars.dropFirst()
            }
            let width = chars.prefix(while: \.isNumber)
            chars = chars.dropFirst(width.count)
            spec.width = Int(width)
            if chars.first == "." {
                chars = chars.dropFirst()
                let precision = chars.prefix(while: \.isNumber)
                chars = chars.dropFirst(precision.count)
                spec.precision = Int(precision) ?? 0
            }
            guard let verb = chars.first else { out += "%!(NOVERB)"; break }
            chars = chars.dropFirst()
            if verb == "%" { out += "%"; continue }
            guard argIndex < args.count else { out += "%!\(verb)(MISSING)"; continue }
            out += spec.pad(render(verb, args[argIndex], spec))
            argIndex += 1
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { print($0) }.joined(separator: ", ") + ")"
        }
        return out
    }

    private struct FormatSpec {
        var leftAlign = false, zeroPad = false
        var width: Int?
        var precision: Int?

        func pad(_ s: String) -> String {
            guard let width, s.count < width else { return s }
            let fill = String(repeating: zeroPad && !leftAlign ? "0" : " ", count: width - s.count)
            return leftAlign ? s + fill : fill + s
        }
    }

    private static func render(_ verb: Character, _ arg: TemplateValue, _ spec: FormatSpec) -> String {
        switch (verb, arg) {
        case ("d", .int(let i)?): return String(i)
        case ("d", .double(let d)?) where d.rounded() == d: return String(Int64(d))
        case ("x", .int(let i)?): return String(i, radix: 16)
        case ("x", .string(let s)?): return s.utf8.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        case ("X", .int(let i)?): return String(i, radix: 16, uppercase: true)
        case ("f", .double(let d)?): return fixed(d, spec.precision ?? 6)
        case ("f", .int(let i)?): return fixed(Double(i), spec.precision ?? 6)
        case ("t", .bool(let b)?): return b ? "true" : "false"
        case ("q", .string(let s)?): return JSONValue.string(s).serialized()
        case ("s", _), ("v", _):
            let text = print(arg)
            if verb == "s", let p = spec.precision { return String(text.prefix(p)) }
            return text
        default:
            return "%!\(verb)(\(arg.map { typeName($0) } ?? "<nil>")=\(print(arg)))"
        }
    }

    /// `%.Nf` without Foundation (HumanUnits has the arithmetic).
    static func fixed(_ value: Double, _ precision: Int) -> String {
        value.isFinite ? HumanUnits.fixed(value, precision) : formatFloat(value)
    }
}
