import BerthAPIModels
import BerthClient

extension Command {
    /// `berth volume ls`: `GET /volumes?filters=`, as Docker's `DRIVER  VOLUME NAME` table.
    static var volumeLs: Command {
        var command = Command(
            name: "ls", aliases: ["list"], usage: "[OPTIONS]", summary: "List volumes",
            flags: [
                .bool("cluster", usage: "Display only cluster volumes, and use cluster volume list formatting"),
                filterFlag,
                listFormatFlag,
                .bool("quiet", short: "q", usage: "Only display volume names"),
            ],
            arguments: .exactly(0),
            run: { invocation in
                let flags = invocation.flags
                let listed = try invocation.client().getJSON("/volumes", query: try Filters.parse(flags.list("filter")))
                let rows = (listed["Volumes"]?.arrayValue ?? []).map(VolumeRows.row)
                    .sorted { ($0["Name"]?.stringValue ?? "") < ($1["Name"]?.stringValue ?? "") }
                if flags.bool("quiet") && !flags.isSet("format") {
                    for row in rows { invocation.out.line(row["Name"]?.stringValue ?? "") }
                    return 0
                }
                var format = invocation.format
                if format.isEmpty, let configured = ClientConfig.load(invocation)["volumesFormat"]?.stringValue { format = configured }
                invocation.out.write(try renderRows(rows, format: format, defaultTable: VolumeRows.defaultTable, headers: VolumeRows.headers))
                return 0
            })
        command.id = "volume ls"
        return command
    }
}
