import BerthClient

extension Command {
    /// `berth rm` = `berth container rm`: `DELETE /containers/{id}?force=1&v=1&link=1`.
    static var rm: Command {
        Command(
            name: "rm", aliases: ["remove"], usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Remove one or more containers",
            flags: [
                .bool("force", short: "f", usage: "Force the removal of a running container (uses SIGKILL)"),
                .bool("link", short: "l", usage: "Remove the specified link"),
                .bool("volumes", short: "v", usage: "Remove anonymous volumes associated with the container"),
            ],
            arguments: .atLeast(1),
            run: { invocation in
                let client = try invocation.client()
                var query: [(String, String)] = []
                if invocation.flags.bool("volumes") { query.append(("v", "1")) }
                if invocation.flags.bool("link") { query.append(("link", "1")) }
                if invocation.flags.bool("force") { query.append(("force", "1")) }
                return invocation.forEach(invocation.arguments, printName: false) { name in
                    if name.trimmingCharacters(in: "/").isEmpty { throw CLIError("Container name cannot be empty") }
                    do {
                        try client.call(ClientRequest("DELETE", "/containers/\(pathComponent(name))", query: query))
                        invocation.out.line(name)
                    } catch let error as ClientError where error.kind == .notFound && invocation.flags.bool("force") {
                        // `rm -f` of a missing container is silently done, as in Docker.
                        _ = error
                    }
                }
            })
    }
}
