import BerthAPIModels
import BerthClient
import BerthFlags

extension Command {
    /// `berth attach` = `berth container attach`: inspect, wait (not-running), hijack
    /// `/containers/{id}/attach`, copy, then print nothing and return the exit code.
    static var attach: Command {
        Command(
            name: "attach", usage: "[OPTIONS] CONTAINER", summary: "Attach local standard input, output, and error streams to a running container",
            flags: [
                .string("detach-keys", usage: "Override the key sequence for detaching a container"),
                .bool("no-stdin", usage: "Do not attach STDIN"),
                FlagSpec("sig-proxy", kind: .bool, usage: "Proxy all received signals to the process", default: "true"),
            ],
            arguments: .exactly(1),
            run: { invocation in try runAttach(invocation) })
    }
}

private func runAttach(_ invocation: Invocation) throws -> Int32 {
    let client = try invocation.client()
    let name = invocation.arguments[0]
    let container = try client.getJSON("/containers/\(pathComponent(name))/json")
    let state = container["State"]
    if state?["Running"]?.boolValue != true { throw CLIError("You cannot attach to a stopped container, start it first") }
    if state?["Paused"]?.boolValue == true { throw CLIError("You cannot attach to a paused container, unpause it first") }
    if state?["Restarting"]?.boolValue == true { throw CLIError("You cannot attach to a restarting container, wait until it is running") }
    let id = container["Id"]?.stringValue ?? name
    let tty = container["Config"]?["Tty"]?.boolValue ?? false
    let stdin = !invocation.flags.bool("no-stdin") && (container["Config"]?["OpenStdin"]?.boolValue ?? false)
    let detachKeys = invocation.flags.string("detach-keys")
    let wait = try client.begin(ClientRequest("POST", "/containers/\(pathComponent(id))/wait"))
    let socket = try AttachSession.attach(client, container: id, stdin: stdin, stdout: true, stderr: true, detachKeys: detachKeys)
    let outcome = try AttachSession.pump(
        invocation, socket: socket, tty: tty, stdin: stdin, detachKeys: detachKeys,
        resizePath: "/containers/\(pathComponent(id))/resize",
        proxySignalsTo: invocation.flags.bool("sig-proxy", default: true) ? id : nil)
    if outcome == .detached { return 0 }
    return try AttachSession.exitCode(wait)
}
