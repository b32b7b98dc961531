import BerthAPIModels
import BerthClient

extension Command {
    /// `berth images` = `berth image ls`: `GET /images/json?all=1&digests=1&filters=`.
    static var images: Command {
        var command = Command(
            name: "ls", aliases: ["list"], usage: "[OPTIONS] [REPOSITORY[:TAG]]", summary: "List images",
            flags: [
                .bool("all", short: "a", usage: "Show all images (default hides intermediate images)"),
                .bool("digests", usage: "Show digests"),
                filterFlag,
                listFormatFlag,
                .bool("no-trunc", usage: "Don't truncate output"),
                .bool("quiet", short: "q", usage: "Only show image IDs"),
                .bool("tree", usage: "List multi-platform images as a tree (EXPERIMENTAL)"),
            ],
            arguments: .between(0, 1),
            run: { invocation in try runImages(invocation) })
        command.id = "images"
        return command
    }
}

private func runImages(_ invocation: Invocation) throws -> Int32 {
    let flags = invocation.flags
    var filters = flags.list("filter")
    if let match = invocation.arguments.first { filters.append("reference=\(match)") }
    var query: [(String, String)] = []
    if flags.bool("all") { query.append(("all", "1")) }
    query += try Filters.parse(filters)
    let images = try invocation.client().getJSON("/images/json", query: query).arrayValue ?? []
    let truncate = !flags.bool("no-trunc")
    var format = invocation.format
    if format.isEmpty, let configured = ClientConfig.load(invocation)["imagesFormat"]?.stringValue { format = configured }
    let digests = flags.bool("digests")
    let rows = ImageRows.rows(images, truncate: truncate, digests: digests, now: Clock.now())
    if flags.bool("quiet") && !flags.isSet("format") {
        for row in rows { invocation.out.line(row["ID"]?.stringValue ?? "") }
        return 0
    }
    invocation.out.write(try renderRows(rows, format: format, defaultTable: ImageRows.defaultTable(digests: digests), headers: ImageRows.headers))
    return 0
}
