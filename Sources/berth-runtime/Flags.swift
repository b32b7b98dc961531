/// runc-style flags (urfave/cli): `--name value`, `--name=value`, `-n value`, single-dash
/// long names, bool flags with optional `=true|false`; parsing stops at the first argument
/// that is not a flag, or after `--`.
struct FlagSpec {
    let names: [String]
    let takesValue: Bool
}

struct ParsedFlags {
    var values: [String: [String]] = [:]
    var positional: [String] = []

    func string(_ name: String) -> String? { values[name]?.last }
    func strings(_ name: String) -> [String] { values[name] ?? [] }
    func bool(_ name: String) -> Bool {
        guard let v = values[name]?.last else { return false }
        return v != "false"
    }
    func int(_ name: String) throws -> Int? {
        guard let v = string(name) else { return nil }
        guard let n = Int(v) else { throw UsageError("invalid value \"\(v)\" for flag --\(name)") }
        return n
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

func parseFlags(_ args: ArraySlice<String>, _ specs: [FlagSpec], stopAtPositional: Bool = true) throws -> ParsedFlags {
    var out = ParsedFlags()
    var i = args.startIndex
    while i < args.endIndex {
        let arg = args[i]
        if arg == "--" { out.positional += args[(i + 1)...]; break }
        guard arg.hasPrefix("-"), arg.count > 1 else {
            if stopAtPositional { out.positional += args[i...]; break }
            out.positional.append(arg)
            i += 1
            continue
        }
        var name = String(arg.drop { $0 == "-" })
        var inline: String? = nil
        if let eq = name.firstIndex(of: "=") {
            inline = String(name[name.index(after: eq)...])
            name = String(name[..<eq])
        }
        guard let spec = specs.first(where: { $0.names.contains(name) }) else {
            throw UsageError("flag provided but not defined: -\(name)")
        }
        let key = spec.names[0]
        if spec.takesValue {
            if let inline { out.values[key, default: []].append(inline) } else {
                i += 1
                guard i < args.endIndex else { throw UsageError("flag needs an argument: -\(name)") }
                out.values[key, default: []].append(args[i])
            }
        } else {
            out.values[key, default: []].append(inline ?? "true")
        }
        i += 1
    }
    return out
}
