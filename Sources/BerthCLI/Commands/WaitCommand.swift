import BerthAPIModels
import BerthClient

extension Command {
    /// `berth wait` = `berth container wait`: `POST /containers/{id}/wait` (the
    /// `not-running` condition), printing each exit code.
    static var wait: Command {
        Command(
            name: "wait", usage: "CONTAINER [CONTAINER...]", summary: "Block until one or more containers stop, then print their exit codes",
            arguments: .atLeast(1),
            run: { invocation in
                let client = try invocation.client()
                return invocation.forEach(invocation.arguments, printName: false) { name in
                    let result = try client.call(ClientRequest("POST", "/containers/\(pathComponent(name))/wait")).json()
                    if let message = result["Error"]?["Message"]?.stringValue, !message.isEmpty { throw CLIError(message) }
                    invocation.out.line(String(result["StatusCode"]?.intValue ?? 0))
                }
            })
    }
}
