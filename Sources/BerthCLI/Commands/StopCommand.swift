import BerthClient

extension Command {
    /// `berth stop` = `berth container stop`: `POST /containers/{id}/stop?t=&signal=`.
    static var stop: Command {
        Command(
            name: "stop", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Stop one or more running containers",
            flags: [
                .string("signal", short: "s", usage: "Signal to send to the container"),
                .int("timeout", short: "t", usage: "Seconds to wait before killing the container"),
            ],
            arguments: .atLeast(1),
            run: { invocation in try stopOrRestart(invocation, verb: "stop") })
    }

    /// `berth restart` = `berth container restart`: `POST /containers/{id}/restart?t=&signal=`.
    static var restart: Command {
        Command(
            name: "restart", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Restart one or more containers",
            flags: [
                .string("signal", short: "s", usage: "Signal to send to the container"),
                .int("timeout", short: "t", usage: "Seconds to wait before killing the container"),
            ],
            arguments: .atLeast(1),
            run: { invocation in try stopOrRestart(invocation, verb: "restart") })
    }
}

private func stopOrRestart(_ invocation: Invocation, verb: String) throws -> Int32 {
    let client = try invocation.client()
    var query: [(String, String)] = []
    if let timeout = invocation.flags.int("timeout") { query.append(("t", String(timeout))) }
    if let signal = invocation.flags.string("signal"), !signal.isEmpty { query.append(("signal", signal)) }
    return invocation.forEach(invocation.arguments) { name in
        try client.call(ClientRequest("POST", "/containers/\(pathComponent(name))/\(verb)", query: query))
    }
}
