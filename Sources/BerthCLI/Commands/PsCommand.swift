import BerthAPIModels
import BerthClient
import BerthSystem

extension Command {
    /// `berth ps` = `berth container ls`: `GET /containers/json?all=1&limit=N&size=1&filters=`.
    static var ps: Command {
        var command = Command(
            name: "ls", aliases: ["list", "ps"], summary: "List containers",
            flags: [
                .bool("all", short: "a", usage: "Show all containers (default shows just running)"),
                filterFlag,
                listFormatFlag,
                .int("last", short: "n", usage: "Show n last created containers (includes all states)", default: "-1"),
                .bool("latest", short: "l", usage: "Show the latest created container (includes all states)"),
                .bool("no-trunc", usage: "Don't truncate output"),
                .bool("quiet", short: "q", usage: "Only display container IDs"),
                .bool("size", short: "s", usage: "Display total file sizes"),
            ],
            run: { invocation in try runPs(invocation) })
        command.id = "ps"
        return command
    }
}

private func runPs(_ invocation: Invocation) throws -> Int32 {
    let flags = invocation.flags
    var last = flags.int("last") ?? -1
    if flags.bool("latest") && last == -1 { last = 1 }
    var format = invocation.format
    if format.isEmpty, let configured = ClientConfig.load(invocation)["psFormat"]?.stringValue { format = configured }
    let quiet = flags.bool("quiet") && (format.isEmpty || !flags.isSet("format"))
    let wantsSize = flags.bool("size") || (!quiet && format.includes(".Size"))
    var query: [(String, String)] = []
    if flags.bool("all") { query.append(("all", "1")) }
    if last > 0 { query.append(("limit", String(last))) }
    if wantsSize && !quiet { query.append(("size", "1")) }
    query += try Filters.parse(flags.list("filter"))
    let containers = try invocation.client().getJSON("/containers/json", query: query).arrayValue ?? []
    let truncate = !flags.bool("no-trunc")
    if quiet {
        for container in containers {
            let id = container["Id"]?.stringValue ?? ""
            invocation.out.line(truncate ? Names.truncateID(id) : id)
        }
        return 0
    }
    let now = Clock.now()
    // The IMAGE column parses a reference: once per distinct image, not once per container.
    var images: [String: String] = [:]
    let rows = containers.map { c in
        let key = (c["Image"]?.stringValue ?? "") + "\u{0}" + (c["ImageID"]?.stringValue ?? "")
        let image = images[key] ?? ContainerRows.image(c, truncate: truncate)
        images[key] = image
        return ContainerRows.row(c, truncate: truncate, now: now, image: image)
    }
    var table = ContainerRows.defaultTable
    if flags.bool("size") { table += "\t{{.Size}}" }
    invocation.out.write(try renderRows(rows, format: format, defaultTable: table, headers: ContainerRows.headers))
    return 0
}
