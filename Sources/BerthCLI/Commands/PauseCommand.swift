import BerthClient

extension Command {
    /// `berth pause` = `berth container pause`: `POST /containers/{id}/pause`.
    static var pause: Command {
        Command(
            name: "pause", usage: "CONTAINER [CONTAINER...]", summary: "Pause all processes within one or more containers",
            arguments: .atLeast(1),
            run: { invocation in try simplePost(invocation, verb: "pause") })
    }

    /// `berth unpause` = `berth container unpause`: `POST /containers/{id}/unpause`.
    static var unpause: Command {
        Command(
            name: "unpause", usage: "CONTAINER [CONTAINER...]", summary: "Unpause all processes within one or more containers",
            arguments: .atLeast(1),
            run: { invocation in try simplePost(invocation, verb: "unpause") })
    }
}

private func simplePost(_ invocation: Invocation, verb: String) throws -> Int32 {
    let client = try invocation.client()
    return invocation.forEach(invocation.arguments) { name in
        try client.call(ClientRequest("POST", "/containers/\(pathComponent(name))/\(verb)"))
    }
}
