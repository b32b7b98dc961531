import BerthAPIModels
import BerthOCI

/// Docker's short forms of IDs and image names.
enum Names {
    /// `stringid.TruncateID`: the algorithm prefix dropped, 12 characters kept.
    static func truncateID(_ id: String) -> String {
        var text = Substring(id)
        if let colon = text.firstIndex(of: ":") { text = text[text.index(after: colon)...] }
        return String(text.prefix(12))
    }

    /// The familiar form of a reference (`docker.io/library/alpine:3` → `alpine:3`), or
    /// the text unchanged when it does not parse.
    static func familiar(_ reference: String) -> String {
        (try? Reference(parsing: reference))?.familiarString ?? reference
    }

    /// A container's first name without its `/`.
    static func containerName(_ names: JSONValue?) -> String {
        let first = names?.arrayValue?.first?.stringValue ?? ""
        return first.hasPrefix("/") ? String(first.dropFirst()) : first
    }
}

/// `-f key=value` flags as the API's `filters` query parameter: a JSON object of
/// `{"key": {"value": true}}`, as Docker's `filters.Args` encodes it.
enum Filters {
    static func parse(_ flags: [String]) throws(CLIError) -> [(String, String)] {
        guard !flags.isEmpty else { return [] }
        var object = JSONObject()
        for flag in flags {
            guard let eq = flag.firstIndex(of: "=") else {
                throw CLIError("invalid argument \"\(flag)\" for \"-f, --filter\" flag: bad format of filter (expected name=value)", status: 125)
            }
            let key = String(flag[..<eq]).trimmingCharacters(in: " ").lowercased()
            let value = String(flag[flag.index(after: eq)...]).trimmingCharacters(in: " ")
            var values = object[key]?.objectValue ?? JSONObject()
            values[value] = true
            object[key] = .object(values)
        }
        return [("filters", JSONValue.object(object).serialized())]
    }
}

extension String {
    /// Docker's `formatter.Ellipsis`: at most `width` characters, the last one `…` when cut.
    func ellipsis(_ width: Int) -> String {
        guard width > 0 else { return "" }
        let characters = Array(self)
        if characters.count <= width { return self }
        if width == 1 { return String(characters[0]) }
        return String(characters[0..<(width - 1)]) + "…"
    }

    /// Go's `strconv.Quote`.
    var goQuoted: String { JSONValue.string(self).serialized().replacingAll("\\u2028", with: "\u{2028}").replacingAll("\\u2029", with: "\u{2029}") }

    /// Splits at the first `separator`: `("a", "b=c")` for `a=b=c` split at `=`.
    func splitOnce(_ separator: Character) -> (String, String?) {
        guard let i = firstIndex(of: separator) else { return (self, nil) }
        return (String(self[..<i]), String(self[index(after: i)...]))
    }
}
