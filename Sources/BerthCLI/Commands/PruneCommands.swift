#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthClient
import BerthFlags

/// `--filter` of the prune commands (no `-f`: that is `--force` there).
let pruneFilterFlag = FlagSpec("filter", kind: .list, usage: "Provide filter values (e.g. \"until=<timestamp>\")", valueName: "filter")
/// `-f, --force` of the prune commands.
let pruneForceFlag = FlagSpec.bool("force", short: "f", usage: "Do not prompt for confirmation")

extension Command {
    /// `berth container prune`: `POST /containers/prune?filters=`, after Docker's prompt
    /// unless `-f`; prints the deleted IDs and the space reclaimed.
    static var containerPrune: Command {
        Command(
            name: "prune", usage: "[OPTIONS]", summary: "Remove all stopped containers",
            flags: [pruneFilterFlag, pruneForceFlag],
            arguments: .none,
            run: { invocation in
                let warning = "WARNING! This will remove all stopped containers."
                guard invocation.flags.bool("force") || confirm(warning, invocation: invocation) else {
                    return 0                    // declined: Docker says nothing more and succeeds
                }
                let (bytes, output) = try pruneContainers(invocation, filters: try Filters.parse(invocation.flags.list("filter")))
                if !output.isEmpty { invocation.out.line(output) }
                invocation.out.line("Total reclaimed space: \(HumanUnits.size(Double(bytes)))")
                return 0
            })
    }
}

/// Docker's `[y/N]` prompt on stdout, the answer read from stdin.
func confirm(_ warning: String, invocation: Invocation) -> Bool {
    invocation.out.write(warning + "\nAre you sure you want to continue? [y/N] ")
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while read(0, &byte, 1) == 1 && byte != 0x0A { line.append(byte) }
    let answer = String(decoding: line, as: UTF8.self).trimmingCharacters(in: " \r\t").lowercased()
    return answer == "y" || answer == "yes"
}

/// `POST /containers/prune`: the bytes reclaimed and Docker's report text.
func pruneContainers(_ invocation: Invocation, filters: [(String, String)]) throws -> (Int64, String) {
    try pruneReport(invocation, "/containers/prune", filters: filters, list: "ContainersDeleted", heading: "Deleted Containers:")
}

/// `POST /networks/prune`: Docker's report text (networks reclaim no space).
func pruneNetworks(_ invocation: Invocation, filters: [(String, String)]) throws -> String {
    try pruneReport(invocation, "/networks/prune", filters: filters, list: "NetworksDeleted", heading: "Deleted Networks:").1
}

/// `POST /volumes/prune`: the bytes reclaimed and Docker's report text.
func pruneVolumes(_ invocation: Invocation, filters: [(String, String)]) throws -> (Int64, String) {
    try pruneReport(invocation, "/volumes/prune", filters: filters, list: "VolumesDeleted", heading: "Deleted Volumes:")
}

/// A prune whose answer lists names under `list`: the bytes reclaimed, and `heading` with one
/// name a line, or nothing when none went.
private func pruneReport(_ invocation: Invocation, _ path: String, filters: [(String, String)], list: String,
                         heading: String) throws -> (Int64, String) {
    let r = try invocation.client().call(ClientRequest("POST", path, query: filters))
    let body = try WireJSON.decode(JSONValue.self, from: r.body)
    let names = (body[list]?.arrayValue ?? []).compactMap(\.stringValue)
    guard !names.isEmpty else { return (0, "") }
    return (body["SpaceReclaimed"]?.intValue ?? 0, heading + "\n" + names.map { $0 + "\n" }.joined())
}

/// `POST /images/prune`: the bytes reclaimed and Docker's report text (`untagged:` and
/// `deleted:` lines).
func pruneImages(_ invocation: Invocation, filters: [(String, String)]) throws -> (Int64, String) {
    let r = try invocation.client().call(ClientRequest("POST", "/images/prune", query: filters))
    let body = try WireJSON.decode(JSONValue.self, from: r.body)
    let items = body["ImagesDeleted"]?.arrayValue ?? []
    guard !items.isEmpty else { return (0, "") }
    var out = "Deleted Images:\n"
    for item in items {
        if let u = item["Untagged"]?.stringValue { out += "untagged: \(u)\n" }
        if let d = item["Deleted"]?.stringValue { out += "deleted: \(d)\n" }
    }
    return (body["SpaceReclaimed"]?.intValue ?? 0, out)
}
