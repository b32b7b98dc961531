import BerthAPIModels
import BerthClient
import BerthSystem

extension Command {
    /// `berth run` = `berth container run`, in Docker's order: create (pulling if
    /// needed) → attach (hijacked) → wait (`next-exit`, or `removed` with `--rm`, asked
    /// before the start so the exit cannot be missed) → start → copy streams → exit code.
    static var run: Command {
        Command(
            name: "run", usage: "[OPTIONS] IMAGE [COMMAND] [ARG...]", summary: "Create and run a new container from an image",
            flags: RunFlags.run, arguments: .atLeast(1), interspersed: false,
            run: { invocation in try runRun(invocation) })
    }
}

private func runRun(_ invocation: Invocation) throws -> Int32 {
    let flags = invocation.flags
    let detach = flags.bool("detach")
    let tty = flags.bool("tty")
    let spec = try runSpec(invocation, detach: detach, tty: tty)
    if spec.attachStdin && tty && !Terminal.isTerminal(0) { throw CLIError("the input device is not a TTY") }
    let client = try invocation.client()
    let id: String
    do { id = try createContainer(invocation, spec) } catch { throw runError(errorText(error), status: 125) }
    let path = "/containers/\(pathComponent(id))"

    if detach {
        do { try client.call(ClientRequest("POST", path + "/start")) } catch { throw startError(error) }
        invocation.out.line(id)
        return 0
    }
    let detachKeys = flags.string("detach-keys")
    var socket: HijackedSocket?
    if spec.attachStdin || spec.attachStdout || spec.attachStderr {
        do {
            socket = try AttachSession.attach(
                client, container: id, stdin: spec.attachStdin, stdout: spec.attachStdout, stderr: spec.attachStderr, detachKeys: detachKeys)
        } catch { throw runError(errorText(error), status: 125) }
    }
    let wait = try client.begin(ClientRequest("POST", path + "/wait", query: [("condition", spec.autoRemove ? "removed" : "next-exit")]))
    do { try client.call(ClientRequest("POST", path + "/start")) } catch {
        if spec.autoRemove { _ = try? AttachSession.exitCode(wait) }
        throw startError(error)
    }
    if let socket {
        let outcome = try AttachSession.pump(
            invocation, socket: socket, tty: tty, stdin: spec.attachStdin, detachKeys: detachKeys,
            resizePath: path + "/resize", proxySignalsTo: flags.bool("sig-proxy", default: true) ? id : nil)
        if outcome == .detached { return 0 }
    } else if tty && invocation.out.isTerminal, let size = Terminal.size(1) {
        AttachSession.resize(client, path: path + "/resize", rows: size.rows, columns: size.columns)
    }
    do { return try AttachSession.exitCode(wait) } catch { throw runError(errorText(error), status: 125) }
}

private func runSpec(_ invocation: Invocation, detach: Bool, tty: Bool) throws -> ContainerSpec {
    let result = Result { () throws(CLIError) -> ContainerSpec in
        try ContainerSpec(
            flags: invocation.flags, detach: detach, environment: invocation.environment,
            consoleSize: tty && invocation.out.isTerminal ? Terminal.size(1) : nil, readFile: readTextFile)
    }
    switch result {
    case .success(let spec): return spec
    case .failure(let error): throw runError(error.message, status: 125)
    }
}

/// `docker run`'s error form: `docker: MESSAGE` and a pointer to the help.
private func runError(_ message: String, status: Int32) -> CLIError {
    CLIError("berth: \(message)\n\nRun 'berth run --help' for more information", status: status)
}

/// A failed start: 127 when the command was not found, 126 when it could not be
/// invoked, else 125 (Docker's `toStatusError`).
private func startError(_ error: any Error) -> CLIError {
    let message = errorText(error)
    if message.includes("executable file not found") || message.includes("no such file or directory")
        || message.includes("system cannot find the file specified") {
        return runError(message, status: 127)
    }
    if message.includes("permission denied") || message.includes("is a directory") {
        return runError(message, status: 126)
    }
    return runError(message, status: 125)
}
