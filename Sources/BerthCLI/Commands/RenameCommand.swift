import BerthClient

extension Command {
    /// `berth rename` = `berth container rename`: `POST /containers/{id}/rename?name=`.
    static var rename: Command {
        Command(
            name: "rename", usage: "CONTAINER NEW_NAME", summary: "Rename a container",
            arguments: .exactly(2),
            run: { invocation in
                let old = invocation.arguments[0].trimmingCharacters(in: " ")
                let new = invocation.arguments[1].trimmingCharacters(in: " ")
                if old.isEmpty || new.isEmpty { throw CLIError("Error: Neither old nor new names may be empty") }
                do {
                    try invocation.client().call(ClientRequest("POST", "/containers/\(pathComponent(old))/rename", query: [("name", new)]))
                } catch {
                    throw CLIError(errorText(error) + "\nError: failed to rename container named \(old)")
                }
                return 0
            })
    }
}
