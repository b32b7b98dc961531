import BerthAPIModels
import BerthClient

extension Command {
    /// `berth rmi` = `berth image rm`: `DELETE /images/{name}?force=1&noprune=1`,
    /// printing `Untagged:` and `Deleted:` lines.
    static var rmi: Command {
        var command = Command(
            name: "rm", aliases: ["remove"], usage: "[OPTIONS] IMAGE [IMAGE...]", summary: "Remove one or more images",
            flags: [
                .bool("force", short: "f", usage: "Force removal of the image"),
                .bool("no-prune", usage: "Do not delete untagged parents"),
                .list("platform", usage: "Remove only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")"),
            ],
            arguments: .atLeast(1),
            run: { invocation in
                let client = try invocation.client()
                var query: [(String, String)] = []
                if invocation.flags.bool("force") { query.append(("force", "1")) }
                if invocation.flags.bool("no-prune") { query.append(("noprune", "1")) }
                for platform in invocation.flags.list("platform") { query.append(("platforms", platform)) }
                return invocation.forEach(invocation.arguments, printName: false) { name in
                    let items = try client.call(ClientRequest("DELETE", "/images/\(pathComponent(name))", query: query)).json()
                    for item in items.arrayValue ?? [] {
                        if let untagged = item["Untagged"]?.stringValue, !untagged.isEmpty { invocation.out.line("Untagged: \(untagged)") }
                        if let deleted = item["Deleted"]?.stringValue, !deleted.isEmpty { invocation.out.line("Deleted: \(deleted)") }
                    }
                }
            })
        command.id = "rmi"
        return command
    }
}
