/// One command-line flag, described the way Docker's (pflag's) help prints it:
/// `-f, --format string   Format output using a custom template`.
public struct FlagSpec: Sendable {
    /// What a flag takes.
    public enum Kind: Sendable, Equatable {
        /// No value; `--flag=false` turns it off.
        case bool
        /// One value; the last occurrence wins.
        case string
        /// One value per occurrence, all kept (`-e A -e B`); help calls it "list".
        case list
        /// An integer; the last occurrence wins.
        case int
    }

    public var long: String
    public var short: Character?
    public var kind: Kind
    public var usage: String
    /// The default as help prints it (`(default "json-file")`); nil prints none.
    public var defaultValue: String?
    /// The value's name in help, `string`, `list`, `int` unless given.
    public var valueName: String?
    public var hidden: Bool

    public init(
        _ long: String, short: Character? = nil, kind: Kind = .string, usage: String,
        default defaultValue: String? = nil, valueName: String? = nil, hidden: Bool = false
    ) {
        self.long = long
        self.short = short
        self.kind = kind
        self.usage = usage
        self.defaultValue = defaultValue
        self.valueName = valueName
        self.hidden = hidden
    }

    public static func bool(_ long: String, short: Character? = nil, usage: String, hidden: Bool = false) -> FlagSpec {
        FlagSpec(long, short: short, kind: .bool, usage: usage, hidden: hidden)
    }

    public static func string(_ long: String, short: Character? = nil, usage: String, default value: String? = nil, valueName: String? = nil) -> FlagSpec {
        FlagSpec(long, short: short, kind: .string, usage: usage, default: value, valueName: valueName)
    }

    public static func list(_ long: String, short: Character? = nil, usage: String, default value: String? = nil) -> FlagSpec {
        FlagSpec(long, short: short, kind: .list, usage: usage, default: value)
    }

    public static func int(_ long: String, short: Character? = nil, usage: String, default value: String? = nil) -> FlagSpec {
        FlagSpec(long, short: short, kind: .int, usage: usage, default: value)
    }

    /// `-f, --format` or `    --format`, as help lists it.
    var displayName: String {
        (short.map { "-\($0), " } ?? "    ") + "--" + long
    }

    var displayValueName: String {
        if let valueName { return valueName }
        switch kind {
        case .bool: return ""
        case .string: return "string"
        case .list: return "list"
        case .int: return "int"
        }
    }
}
