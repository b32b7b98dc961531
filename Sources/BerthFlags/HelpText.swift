/// Help output in Docker's layout.
public enum HelpText {
    /// `Usage:  LINE`, the summary, and the options table.
    public static func usage(line: String, summary: String, flags: [FlagSpec], aliases: [String] = [], extra: String = "") -> String {
        var out = "\nUsage:  \(line)\n\n\(summary)\n"
        if !aliases.isEmpty {
            out += "\nAliases:\n  \(aliases.joined(separator: ", "))\n"
        }
        if !extra.isEmpty { out += "\n" + extra + "\n" }
        let table = options(flags)
        if !table.isEmpty { out += "\nOptions:\n" + table }
        return out
    }

    /// The flags, one per line: `  -f, --format string   Usage (default "x")`, with the
    /// usage column aligned and continuation lines indented to it.
    public static func options(_ flags: [FlagSpec]) -> String {
        let visible = flags.filter { !$0.hidden }
        let lefts = visible.map { flag in
            "  " + flag.displayName + (flag.displayValueName.isEmpty ? "" : " " + flag.displayValueName)
        }
        let width = (lefts.map(\.count).max() ?? 0) + 3
        var out = ""
        for (flag, left) in zip(visible, lefts) {
            var usage = flag.usage
            if let value = flag.defaultValue {
                usage += flag.kind == .string ? " (default \"\(value)\")" : " (default \(value))"
            }
            let lines = usage.split(separator: "\n", omittingEmptySubsequences: false)
            out += left + String(repeating: " ", count: width - left.count) + lines[0] + "\n"
            for line in lines.dropFirst() {
                out += String(repeating: " ", count: width) + line + "\n"
            }
        }
        return out
    }
}
