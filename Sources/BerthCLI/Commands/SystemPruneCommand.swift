import BerthAPIModels
import BerthClient

extension Command {
    /// `berth system prune`: Docker's prompt, then container, network, (with `--volumes`)
    /// volume and image prune through their API routes, each one's report, and the total.
    static var systemPrune: Command {
        Command(
            name: "prune", usage: "[OPTIONS]", summary: "Remove unused data",
            flags: [
                .bool("all", short: "a", usage: "Remove all unused images not just dangling ones"),
                pruneFilterFlag, pruneForceFlag,
                .bool("volumes", usage: "Prune anonymous volumes"),
            ],
            arguments: .none,
            run: { invocation in
                let all = invocation.flags.bool("all"), volumes = invocation.flags.bool("volumes")
                var warning = "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n"
                if volumes { warning += "  - all anonymous volumes not used by at least one container\n" }
                warning += all ? "  - all images without at least one container associated to them\n" : "  - all dangling images\n"
                warning += all ? "  - all build cache\n" : "  - unused build cache\n"
                guard invocation.flags.bool("force") || confirm(warning, invocation: invocation) else {
                    return 0                    // declined: Docker says nothing more and succeeds
                }
                let filters = invocation.flags.list("filter")
                var reclaimed: Int64 = 0
                let (containerBytes, containers) = try pruneContainers(invocation, filters: try Filters.parse(filters))
                reclaimed += containerBytes
                if !containers.isEmpty { invocation.out.line(containers) }
                let networks = try pruneNetworks(invocation, filters: try Filters.parse(filters))
                if !networks.isEmpty { invocation.out.line(networks) }
                if volumes {
                    let (bytes, text) = try pruneVolumes(invocation, filters: try Filters.parse(filters))
                    reclaimed += bytes
                    if !text.isEmpty { invocation.out.line(text) }
                }
                let (imageBytes, images) = try pruneImages(invocation, filters: try Filters.parse(filters + (all ? ["dangling=false"] : [])))
                reclaimed += imageBytes
                if !images.isEmpty { invocation.out.line(images) }
                invocation.out.line("Total reclaimed space: \(HumanUnits.size(Double(reclaimed)))")
                return 0
            })
    }
}
