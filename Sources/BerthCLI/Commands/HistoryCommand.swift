import BerthAPIModels
import BerthClient
import BerthFlags

extension Command {
    /// `berth history` = `berth image history`: `GET /images/{name}/history?platform=`.
    static var history: Command {
        Command(
            name: "history", usage: "[OPTIONS] IMAGE", summary: "Show the history of an image",
            flags: [
                listFormatFlag,
                FlagSpec("human", short: "H", kind: .bool, usage: "Print sizes and dates in human readable format", default: "true"),
                .bool("no-trunc", usage: "Don't truncate output"),
                .string("platform", usage: "Show history for the given platform. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")"),
                .bool("quiet", short: "q", usage: "Only show image IDs"),
            ],
            arguments: .exactly(1),
            run: { invocation in
                let flags = invocation.flags
                var query: [(String, String)] = []
                if let platform = flags.string("platform") { query.append(("platform", platform)) }
                let items = try invocation.client().getJSON("/images/\(pathComponent(invocation.arguments[0]))/history", query: query).arrayValue ?? []
                let rows = HistoryRows.rows(items, truncate: !flags.bool("no-trunc"), human: flags.bool("human", default: true), now: Clock.now())
                if flags.bool("quiet") && !flags.isSet("format") {
                    for row in rows { invocation.out.line(row["ID"]?.stringValue ?? "") }
                    return 0
                }
                invocation.out.write(try renderRows(rows, format: invocation.format, defaultTable: HistoryRows.defaultTable, headers: HistoryRows.headers))
                return 0
            })
    }
}

/// `docker history` rows from `/images/{name}/history`.
enum HistoryRows {
    static let defaultTable = "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
    static let headers: [String: String] = [
        "ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
        "Size": "SIZE", "Comment": "COMMENT",
    ]

    static func rows(_ items: [JSONValue], truncate: Bool, human: Bool, now: Double) -> [JSONValue] {
        items.map { item in
            var row = JSONObject()
            row["Comment"] = .string(item["Comment"]?.stringValue ?? "")
            let created = item["Created"]?.intValue ?? 0
            row["CreatedAt"] = .string(Clock.rfc3339(created))
            let createdBy = (item["CreatedBy"]?.stringValue ?? "").replacingAll("\t", with: " ")
            row["CreatedBy"] = .string(truncate ? createdBy.ellipsis(45) : createdBy)
            row["CreatedSince"] = .string(human ? HumanUnits.duration(seconds: now - Double(created)) + " ago" : Clock.rfc3339(created))
            let id = item["Id"]?.stringValue ?? ""
            row["ID"] = .string(id.hasPrefix("<") || !truncate ? id : Names.truncateID(id))
            let size = item["Size"]?.intValue ?? 0
            row["Size"] = .string(human ? HumanUnits.size(Double(size), precision: 3) : String(size))
            return .object(row)
        }
    }
}
