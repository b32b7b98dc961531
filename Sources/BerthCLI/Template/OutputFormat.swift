import BerthAPIModels

/// A `--format` value as Docker reads it: `table` (the command's default columns),
/// `table TEMPLATE` (columns with a header row), `json` (one JSON object per line), or a
/// Go template applied to each item. `\t` and `\n` written literally in the flag become
/// tabs and newlines, as Docker does.
public struct OutputFormat: Sendable {
    public enum Kind: Sendable, Equatable { case table, json, template }

    public let kind: Kind
    public let template: GoTemplate

    /// - Parameters:
    ///   - format: the flag's value; empty means `defaultTable`.
    ///   - defaultTable: the command's own table template, without the `table` prefix.
    public init(_ format: String, defaultTable: String) throws(TemplateError) {
        var text = format.isEmpty ? "table" : format
        if text == "json" {
            kind = .json
            template = try GoTemplate("{{json .}}")
            return
        }
        if text == "table" || text.hasPrefix("table ") || text.hasPrefix("table\t") {
            kind = .table
            text = text == "table" ? defaultTable : String(text.dropFirst("table".count))
        } else {
            kind = .template
        }
        text = text.trimmingCharacters(in: " ")
            .replacingAll("\\t", with: "\t")
            .replacingAll("\\n", with: "\n")
        template = try GoTemplate(text)
    }

    /// Renders `items`: for a table, a header from `headers` then one aligned row each;
    /// otherwise one line per item.
    public func render(_ items: [JSONValue], headers: [String: String] = [:]) throws(TemplateError) -> String {
        var out = ""
        if kind == .table { out += try template.executeHeader(headers) + "\n" }
        for item in items { out += try template.execute(item) + "\n" }
        return kind == .table ? TabWriter.table.format(out) : out
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        // Most texts lack even the target's first byte: skip the substring search.
        if let first = target.utf8.first, !utf8.contains(first) { return self }
        return TemplateFunctions.splitString(self, target).joined(separator: replacement)
    }
}
