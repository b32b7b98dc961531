import BerthAPIModels
import BerthClient

extension Command {
    /// `berth search`: `GET /images/search?term=&limit=&filters=` with `X-Registry-Auth`.
    static var search: Command {
        Command(
            name: "search", usage: "[OPTIONS] TERM", summary: "Search Docker Hub for images",
            flags: [
                filterFlag,
                .string("format", usage: "Pretty-print search using a Go template"),
                .int("limit", usage: "Max number of search results"),
                .bool("no-trunc", usage: "Don't truncate output"),
            ],
            arguments: .exactly(1),
            run: { invocation in
                let flags = invocation.flags
                let term = invocation.arguments[0]
                var query: [(String, String)] = [("term", term)]
                if let limit = flags.int("limit"), limit > 0 { query.append(("limit", String(limit))) }
                query += try Filters.parse(flags.list("filter"))
                let request = ClientRequest("GET", "/images/search", query: query, headers: [ClientConfig.registryAuthHeader(for: term, invocation)])
                let results = try invocation.client().call(request).json().arrayValue ?? []
                let rows = SearchRows.rows(results, truncate: !flags.bool("no-trunc"))
                invocation.out.write(try renderRows(rows, format: invocation.format, defaultTable: SearchRows.defaultTable, headers: SearchRows.headers))
                return 0
            })
    }
}

/// `docker search` rows.
enum SearchRows {
    static let defaultTable = "{{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}"
    static let headers: [String: String] = [
        "Name": "NAME", "Description": "DESCRIPTION", "StarCount": "STARS", "IsOfficial": "OFFICIAL", "IsAutomated": "AUTOMATED",
    ]

    static func rows(_ results: [JSONValue], truncate: Bool) -> [JSONValue] {
        results.map { result in
            var row = JSONObject()
            var description = (result["description"]?.stringValue ?? "").replacingAll("\n", with: " ").replacingAll("\r", with: " ")
            if truncate { description = description.ellipsis(45) }
            row["Description"] = .string(description)
            row["IsAutomated"] = .string(result["is_automated"]?.boolValue == true ? "[OK]" : "")
            row["IsOfficial"] = .string(result["is_official"]?.boolValue == true ? "[OK]" : "")
            row["Name"] = .string(result["name"]?.stringValue ?? "")
            row["StarCount"] = .string(String(result["star_count"]?.intValue ?? 0))
            return .object(row)
        }
    }
}
