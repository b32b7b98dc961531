import BerthAPIModels
import BerthSystem

/// Go's built-in template functions and Docker's additions.
enum TemplateFunctions {
    static let builtins: [String: TemplateFunction] = [
        // Docker's (cli/templates).
        "json": { args in .string(try one(args, "json").map { $0.serialized() } ?? "null") },
        "split": { args in
            let (s, sep) = try two(args, "split")
            return .array(splitString(str(s), str(sep)).map { .string($0) })
        },
        "join": { args in
            let (list, sep) = try two(args, "join")
            return .string((list?.arrayValue ?? []).map { GoFormat.print($0) }.joined(separator: str(sep)))
        },
        "title": { args in .string(titleCase(str(try one(args, "title")))) },
        "lower": { args in .string(str(try one(args, "lower")).lowercased()) },
        "upper": { args in .string(str(try one(args, "upper")).uppercased()) },
        "pad": { args in
            guard args.count == 3 else { throw argCount("pad", 3, args.count) }
            let before = String(repeating: " ", count: max(0, Int(args[1]?.intValue ?? 0)))
            let after = String(repeating: " ", count: max(0, Int(args[2]?.intValue ?? 0)))
            return .string(before + str(args[0]) + after)
        },
        "truncate": { args in
            let (s, n) = try two(args, "truncate")
            let text = str(s)
            let limit = Int(n?.intValue ?? 0)
            return .string(text.count > limit ? String(text.prefix(max(0, limit))) : text)
        },
        // Go's.
        "print": { args in .string(GoFormat.sprint(args)) },
        "println": { args in .string(GoFormat.sprintln(args)) },
        "printf": { args in
            guard let format = args.first else { throw argCount("printf", 1, 0) }
            return .string(GoFormat.sprintf(str(format), Array(args.dropFirst())))
        },
        "len": { args in
            switch try one(args, "len") {
            case .string(let s)?: return .int(Int64(s.utf8.count))
            case .array(let a)?: return .int(Int64(a.count))
            case .object(let o)?: return .int(Int64(o.count))
            case .null?, nil: return .int(0)
            case let other?: throw TemplateError("len of type \(GoFormat.typeName(other))")
            }
        },
        "index": { args in try index(args) },
        "slice": { args in try slice(args) },
        "not": { args in .bool(!GoFormat.isTrue(try one(args, "not"))) },
        "eq": { args in
            guard args.count >= 2 else { throw argCount("eq", 2, args.count) }
            return .bool(try args.dropFirst().contains { try compare(args[0], $0) == 0 })
        },
        "ne": { args in let (a, b) = try two(args, "ne"); return .bool(try compare(a, b) != 0) },
        "lt": { args in let (a, b) = try two(args, "lt"); return .bool(try ordered(a, b) < 0) },
        "le": { args in let (a, b) = try two(args, "le"); return .bool(try ordered(a, b) <= 0) },
        "gt": { args in let (a, b) = try two(args, "gt"); return .bool(try ordered(a, b) > 0) },
        "ge": { args in let (a, b) = try two(args, "ge"); return .bool(try ordered(a, b) >= 0) },
    ]

    static func str(_ value: TemplateValue) -> String {
        if case .string(let s)? = value { return s }
        return GoFormat.print(value)
    }

    private static func argCount(_ name: String, _ want: Int, _ got: Int) -> TemplateError {
        TemplateError("wrong number of args for \(name): want \(want) got \(got)")
    }

    private static func one(_ args: [TemplateValue], _ name: String) throws -> TemplateValue {
        guard args.count == 1 else { throw argCount(name, 1, args.count) }
        return args[0]
    }

    private static func two(_ args: [TemplateValue], _ name: String) throws -> (TemplateValue, TemplateValue) {
        guard args.count == 2 else { throw argCount(name, 2, args.count) }
        return (args[0], args[1])
    }

    /// strings.Split: an empty separator splits into characters.
    static func splitString(_ s: String, _ sep: String) -> [String] {
        if sep.isEmpty { return s.map { String($0) } }
        var parts: [String] = []
        var rest = Substring(s)
        while let (before, after) = rest.splitOnce(sep) {
            parts.append(String(before))
            rest = after
        }
        parts.append(String(rest))
        return parts
    }

    /// strings.Title: the first letter of each word in upper case.
    static func titleCase(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s {
            out += atWordStart ? c.uppercased() : String(c)
            atWordStart = !(c.isLetter || c.isNumber || c == "_" || c == "'")
        }
        return out
    }

    private static func index(_ args: [TemplateValue]) throws -> TemplateValue {
        guard var current = args.first else { throw argCount("index", 1, 0) }
        for key in args.dropFirst() {
            switch (current, key) {
            case (.array(let items)?, .int(let i)?):
                guard items.indices.contains(Int(i)) else { throw TemplateError("index out of range: \(i)") }
                current = items[Int(i)]
            case (.object(let object)?, .string(let k)?):
                current = object[k]
            case (.null?, _), (nil, _):
                return nil
            default:
                throw TemplateError("can't index item of type \(current.map { GoFormat.typeName($0) } ?? "<nil>")")
            }
        }
        return current
    }

    private static func slice(_ args: [TemplateValue]) throws -> TemplateValue {
        guard let first = args.first else { throw argCount("slice", 1, 0) }
        let bounds = try args.dropFirst().map { value -> Int in
            guard let i = value?.intValue else { throw TemplateError("cannot index slice/array with nil") }
            return Int(i)
        }
        func cut<T>(_ items: [T]) throws -> [T] {
            let low = bounds.first ?? 0, high = bounds.count > 1 ? bounds[1] : items.count
            guard 0 <= low, low <= high, high <= items.count else { throw TemplateError("index out of range: \(high)") }
            return Array(items[low..<high])
        }
        switch first {
        case .string(let s)?: return .string(String(decoding: try cut(Array(s.utf8)), as: UTF8.self))
        case .array(let a)?: return .array(try cut(a))
        default: throw TemplateError("can't slice item of type \(first.map { GoFormat.typeName($0) } ?? "<nil>")")
        }
    }

    /// Equality across kinds Go's `eq` accepts: numbers by value, strings, bools, nil.
    private static func compare(_ a: TemplateValue, _ b: TemplateValue) throws -> Int {
        switch (a, b) {
        case (.string(let x)?, .string(let y)?): return x == y ? 0 : 1
        case (.bool(let x)?, .bool(let y)?): return x == y ? 0 : 1
        case (.null?, .null?), (nil, nil), (.null?, nil), (nil, .null?): return 0
        default:
            if let x = number(a), let y = number(b) { return x == y ? 0 : 1 }
            if a == nil || b == nil || a == .null || b == .null { return 1 }
            throw TemplateError("incompatible types for comparison")
        }
    }

    private static func ordered(_ a: TemplateValue, _ b: TemplateValue) throws -> Int {
        if case .string(let x)? = a, case .string(let y)? = b { return x < y ? -1 : (x == y ? 0 : 1) }
        guard let x = number(a), let y = number(b) else { throw TemplateError("incompatible types for comparison") }
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    private static func number(_ v: TemplateValue) -> Double? {
        switch v {
        case .int(let i)?: Double(i)
        case .double(let d)?: d
        default: nil
        }
    }
}
