/// A command line that did not parse; the text is pflag's, which Docker prints.
public struct FlagError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Flags and arguments after parsing. Values are kept as given, by long name.
public struct ParsedFlags: Sendable {
    private var values: [String: [String]] = [:]
    /// Flags in the order they were given, by long name.
    public private(set) var order: [String] = []
    /// Positional arguments, in order.
    public var arguments: [String] = []

    public init() {}

    mutating func add(_ name: String, _ value: String) {
        values[name, default: []].append(value)
        order.append(name)
    }

    /// Whether the flag was given at all.
    public func isSet(_ name: String) -> Bool { values[name] != nil }

    /// A bool flag's value (false when absent).
    public func bool(_ name: String) -> Bool { values[name]?.last == "true" }

    /// A string flag's last value, or nil when absent.
    public func string(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable flag, in order.
    public func list(_ name: String) -> [String] { values[name] ?? [] }

    /// A bool flag whose default is true (`--sig-proxy`).
    public func bool(_ name: String, default value: Bool) -> Bool { isSet(name) ? bool(name) : value }

    /// An int flag's value.
    public func int(_ name: String) -> Int? { values[name]?.last.flatMap { Int($0) } }
}

/// Parses arguments with Docker's (pflag's) syntax: `--flag=value`, `--flag value`,
/// `-f value`, `-fvalue`, combined short bools `-itd` (the last may take a value:
/// `-itp 80`), `--bool=false`, repeated flags, and `--` ending the flags. With
/// `interspersed: false` the first positional argument ends the flags (`run IMAGE CMD -x`).
public enum FlagParser {
    public static func parse(_ args: [String], flags: [FlagSpec], interspersed: Bool = true) throws(FlagError) -> ParsedFlags {
        var parsed = ParsedFlags()
        var i = 0
        while i < args.count {
            let arg = args[i]
            i += 1
            if arg == "--" {
                parsed.arguments.append(contentsOf: args[i...])
                break
            }
            if arg.hasPrefix("--") {
                try parseLong(arg, args: args, index: &i, flags: flags, into: &parsed)
            } else if arg.hasPrefix("-") && arg != "-" {
                try parseShorts(arg, args: args, index: &i, flags: flags, into: &parsed)
            } else {
                parsed.arguments.append(arg)
                if !interspersed {
                    parsed.arguments.append(contentsOf: args[i...])
                    break
                }
            }
        }
        return parsed
    }

    private static func parseLong(
        _ arg: String, args: [String], index i: inout Int, flags: [FlagSpec], into parsed: inout ParsedFlags
    ) throws(FlagError) {
        let body = arg.dropFirst(2)
        let name = String(body.prefix(while: { $0 != "=" }))
        let inlineValue = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
        guard let flag = flags.first(where: { $0.long == name }) else {
            throw FlagError("unknown flag: --\(name)")
        }
        if flag.kind == .bool {
            parsed.add(flag.long, try boolValue(inlineValue ?? "true", flag: flag))
            return
        }
        if let inlineValue {
            parsed.add(flag.long, try checked(inlineValue, flag: flag))
        } else if i < args.count {
            parsed.add(flag.long, try checked(args[i], flag: flag))
            i += 1
        } else {
            throw FlagError("flag needs an argument: --\(name)")
        }
    }

    private static func parseShorts(
        _ arg: String, args: [String], index i: inout Int, flags: [FlagSpec], into parsed: inout ParsedFlags
    ) throws(FlagError) {
        var rest = Substring(arg.dropFirst())
        while let c = rest.first {
            rest = rest.dropFirst()
            guard let flag = flags.first(where: { $0.short == c }) else {
                throw FlagError("unknown shorthand flag: '\(c)' in \(arg)")
            }
            if flag.kind == .bool {
                if rest.first == "=" {
                    parsed.add(flag.long, try boolValue(String(rest.dropFirst()), flag: flag))
                    return
                }
                parsed.add(flag.long, "true")
                continue
            }
            if !rest.isEmpty {
                let value = rest.first == "=" ? String(rest.dropFirst()) : String(rest)
                parsed.add(flag.long, try checked(value, flag: flag))
            } else if i < args.count {
                parsed.add(flag.long, try checked(args[i], flag: flag))
                i += 1
            } else {
                throw FlagError("flag needs an argument: '\(c)' in -\(c)")
            }
            return
        }
    }

    private static func boolValue(_ text: String, flag: FlagSpec) throws(FlagError) -> String {
        // strconv.ParseBool's spellings.
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return "true"
        case "0", "f", "F", "false", "FALSE", "False": return "false"
        default:
            throw FlagError("invalid argument \"\(text)\" for \"\(flag.displayName.drop(while: { $0 == " " }))\" flag: strconv.ParseBool: parsing \"\(text)\": invalid syntax")
        }
    }

    private static func checked(_ value: String, flag: FlagSpec) throws(FlagError) -> String {
        if flag.kind == .int && Int(value) == nil {
            let name = flag.displayName.drop(while: { $0 == " " })
            throw FlagError("invalid argument \"\(value)\" for \"\(name)\" flag: strconv.ParseInt: parsing \"\(value)\": invalid syntax")
        }
        return value
    }
}
