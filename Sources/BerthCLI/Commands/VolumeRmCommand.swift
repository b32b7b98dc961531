import BerthClient

extension Command {
    /// `berth volume rm`: `DELETE /volumes/{name}[?force=1]`, printing each name removed.
    static var volumeRm: Command {
        var command = Command(
            name: "rm", aliases: ["remove"], usage: "[OPTIONS] VOLUME [VOLUME...]", summary: "Remove one or more volumes",
            flags: [.bool("force", short: "f", usage: "Force the removal of one or more volumes")],
            arguments: .atLeast(1),
            run: { invocation in
                let client = try invocation.client()
                let query: [(String, String)] = invocation.flags.bool("force") ? [("force", "1")] : []
                return invocation.forEach(invocation.arguments) { name in
                    try client.call(ClientRequest("DELETE", "/volumes/\(pathComponent(name))", query: query))
                }
            })
        command.id = "volume rm"
        return command
    }
}
