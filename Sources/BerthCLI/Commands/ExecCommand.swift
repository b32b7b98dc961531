import BerthAPIModels
import BerthClient
import BerthFlags
import BerthSystem

extension Command {
    /// `berth exec` = `berth container exec`: `POST /containers/{id}/exec`, then
    /// `POST /exec/{id}/start` (hijacked unless `-d`), then `GET /exec/{id}/json` for the
    /// exit code.
    static var exec: Command {
        Command(
            name: "exec", usage: "[OPTIONS] CONTAINER COMMAND [ARG...]", summary: "Execute a command in a running container",
            flags: [
                .bool("detach", short: "d", usage: "Detached mode: run command in the background"),
                .string("detach-keys", usage: "Override the key sequence for detaching a container"),
                .list("env", short: "e", usage: "Set environment variables"),
                .list("env-file", usage: "Read in a file of environment variables"),
                .bool("interactive", short: "i", usage: "Keep STDIN open even if not attached"),
                .bool("privileged", usage: "Give extended privileges to the command"),
                .bool("tty", short: "t", usage: "Allocate a pseudo-TTY"),
                .string("user", short: "u", usage: "Username or UID (format: \"<name|uid>[:<group|gid>]\")"),
                .string("workdir", short: "w", usage: "Working directory inside the container"),
            ],
            arguments: .atLeast(2), interspersed: false,
            run: { invocation in try runExec(invocation) })
    }
}

/// The body of `POST /containers/{id}/exec`, in the order of Docker's `ExecOptions`.
func execConfig(_ flags: ParsedFlags, environment: [String: String], consoleSize: (rows: Int, columns: Int)?, readFile: ContainerSpec.FileReader) throws -> JSONValue {
    let detach = flags.bool("detach")
    var env: [String] = []
    for file in flags.list("env-file") {
        env += try ContainerSpec.readKeyValueFile(file, readFile: readFile, environment: environment, kind: "env")
    }
    for entry in flags.list("env") {
        let (key, value) = entry.splitOnce("=")
        if value == nil, let local = environment[key] { env.append("\(key)=\(local)") } else { env.append(entry) }
    }
    var body = JSONObject()
    body["User"] = .string(flags.string("user") ?? "")
    body["Privileged"] = .bool(flags.bool("privileged"))
    body["Tty"] = .bool(flags.bool("tty"))
    if let consoleSize, flags.bool("tty") {
        body["ConsoleSize"] = [.int(Int64(consoleSize.rows)), .int(Int64(consoleSize.columns))]
    }
    body["AttachStdin"] = .bool(!detach && flags.bool("interactive"))
    body["AttachStderr"] = .bool(!detach)
    body["AttachStdout"] = .bool(!detach)
    body["Detach"] = .bool(detach)
    body["DetachKeys"] = .string(flags.string("detach-keys") ?? "")
    body["Env"] = env.isEmpty ? .null : .array(env.map { .string($0) })
    body["WorkingDir"] = .string(flags.string("workdir") ?? "")
    body["Cmd"] = .array(flags.arguments.dropFirst().map { .string($0) })
    return .object(body)
}

private func runExec(_ invocation: Invocation) throws -> Int32 {
    let client = try invocation.client()
    let flags = invocation.flags
    let container = invocation.arguments[0]
    let tty = flags.bool("tty")
    let interactive = flags.bool("interactive")
    if tty && interactive && !Terminal.isTerminal(0) { throw CLIError("the input device is not a TTY") }
    let consoleSize = tty && invocation.out.isTerminal ? Terminal.size(1) : nil
    let body = try execConfig(flags, environment: invocation.environment, consoleSize: consoleSize, readFile: readTextFile)
    let created = try client.call(.json("POST", "/containers/\(pathComponent(container))/exec", body)).json()
    guard let execID = created["Id"]?.stringValue else { throw CLIError("exec ID empty") }
    if flags.bool("detach") {
        try client.call(.json("POST", "/exec/\(execID)/start", ["Detach": true, "Tty": .bool(tty)] as JSONValue))
        return 0
    }
    var start: JSONObject = ["Detach": false, "Tty": .bool(tty)]
    if let consoleSize { start["ConsoleSize"] = [.int(Int64(consoleSize.rows)), .int(Int64(consoleSize.columns))] }
    let socket = try client.hijack(.json("POST", "/exec/\(execID)/start", JSONValue.object(start)))
    let outcome = try AttachSession.pump(
        invocation, socket: socket, tty: tty, stdin: interactive, detachKeys: flags.string("detach-keys"),
        resizePath: "/exec/\(execID)/resize", proxySignalsTo: nil)
    if outcome == .detached { return 0 }
    let inspect = try client.getJSON("/exec/\(execID)/json")
    return Int32(truncatingIfNeeded: inspect["ExitCode"]?.intValue ?? 0)
}

/// Reads a local text file (`--env-file`, `--label-file`).
func readTextFile(_ path: String) throws -> String {
    try Files.readString(path)
}
