import BerthAPIModels
import BerthClient

extension Command {
    /// `berth volume prune`: `POST /volumes/prune?filters=`, after Docker's question unless `-f`.
    static var volumePrune: Command {
        var command = Command(
            name: "prune", usage: "[OPTIONS]", summary: "Remove unused local volumes",
            flags: [
                .bool("all", short: "a", usage: "Remove all unused volumes, not just anonymous ones"),
                .list("filter", usage: "Provide filter values (e.g. \"label=<label>\")"),
                .bool("force", short: "f", usage: "Do not prompt for confirmation"),
            ],
            arguments: .exactly(0),
            run: { invocation in
                let flags = invocation.flags
                var filters = flags.list("filter")
                if flags.bool("all") {
                    if filters.contains(where: { $0.hasPrefix("all=") }) {
                        throw CLIError("conflicting options: cannot specify both --all and --filter all=1", status: 1)
                    }
                    filters.append("all=true")
                }
                let what = flags.bool("all") ? "all local volumes" : "anonymous local volumes"
                guard flags.bool("force")
                        || confirm("WARNING! This will remove \(what) not used by at least one container.", invocation: invocation) else {
                    return 0
                }
                let (bytes, deleted) = try pruneVolumes(invocation, filters: try Filters.parse(filters))
                if !deleted.isEmpty { invocation.out.line(deleted) }
                invocation.out.line("Total reclaimed space: " + HumanUnits.size(Double(bytes)))
                return 0
            })
        command.id = "volume prune"
        return command
    }
}
