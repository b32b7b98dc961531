import BerthAPIModels
import BerthClient

extension Command {
    /// `berth start` = `berth container start`: `POST /containers/{id}/start`; with `-a`
    /// or `-i`, attached as `run` is.
    static var start: Command {
        Command(
            name: "start", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Start one or more stopped containers",
            flags: [
                .bool("attach", short: "a", usage: "Attach STDOUT/STDERR and forward signals"),
                .string("checkpoint", usage: "Restore from this checkpoint"),
                .string("checkpoint-dir", usage: "Use a custom checkpoint storage directory"),
                .string("detach-keys", usage: "Override the key sequence for detaching a container"),
                .bool("interactive", short: "i", usage: "Attach container's STDIN"),
            ],
            arguments: .atLeast(1),
            run: { invocation in try runStart(invocation) })
    }
}

private func runStart(_ invocation: Invocation) throws -> Int32 {
    let client = try invocation.client()
    let flags = invocation.flags
    var query: [(String, String)] = []
    if let checkpoint = flags.string("checkpoint") { query.append(("checkpoint", checkpoint)) }
    if let dir = flags.string("checkpoint-dir") { query.append(("checkpoint-dir", dir)) }
    guard flags.bool("attach") || flags.bool("interactive") else {
        var failed: [String] = []
        for name in invocation.arguments {
            do {
                try client.call(ClientRequest("POST", "/containers/\(pathComponent(name))/start", query: query))
                invocation.out.line(name)
            } catch {
                invocation.err.line(errorText(error))
                failed.append(name)
            }
        }
        if !failed.isEmpty { throw CLIError("Error: failed to start containers: " + failed.joined(separator: ", ")) }
        return 0
    }
    guard invocation.arguments.count == 1 else { throw CLIError("you cannot start and attach multiple containers at once") }
    let container = try client.getJSON("/containers/\(pathComponent(invocation.arguments[0]))/json")
    let id = container["Id"]?.stringValue ?? invocation.arguments[0]
    let tty = container["Config"]?["Tty"]?.boolValue ?? false
    let stdin = flags.bool("interactive") && (container["Config"]?["OpenStdin"]?.boolValue ?? false)
    let autoRemove = container["HostConfig"]?["AutoRemove"]?.boolValue ?? false
    let detachKeys = flags.string("detach-keys")
    let socket = try AttachSession.attach(client, container: id, stdin: stdin, stdout: true, stderr: true, detachKeys: detachKeys)
    let wait = try client.begin(ClientRequest("POST", "/containers/\(pathComponent(id))/wait", query: [("condition", autoRemove ? "removed" : "next-exit")]))
    try client.call(ClientRequest("POST", "/containers/\(pathComponent(id))/start", query: query))
    let outcome = try AttachSession.pump(
        invocation, socket: socket, tty: tty, stdin: stdin, detachKeys: detachKeys,
        resizePath: "/containers/\(pathComponent(id))/resize", proxySignalsTo: id)
    if outcome == .detached { return 0 }
    return try AttachSession.exitCode(wait)
}
