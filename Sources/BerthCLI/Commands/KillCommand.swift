import BerthClient

extension Command {
    /// `berth kill` = `berth container kill`: `POST /containers/{id}/kill?signal=`.
    static var kill: Command {
        Command(
            name: "kill", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Kill one or more running containers",
            flags: [.string("signal", short: "s", usage: "Signal to send to the container")],
            arguments: .atLeast(1),
            run: { invocation in
                let client = try invocation.client()
                var query: [(String, String)] = []
                if let signal = invocation.flags.string("signal"), !signal.isEmpty { query.append(("signal", signal)) }
                return invocation.forEach(invocation.arguments) { name in
                    try client.call(ClientRequest("POST", "/containers/\(pathComponent(name))/kill", query: query))
                }
            })
    }
}
