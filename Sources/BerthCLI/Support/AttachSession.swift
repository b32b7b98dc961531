import BerthAPIModels
import BerthClient

/// The hijacked streams of `run`, `start -a`, `attach` and `exec`, and the calls that go
/// with them: resizing the remote TTY and forwarding signals.
enum AttachSession {
    /// `POST /containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=`,
    /// upgraded to a raw connection.
    static func attach(
        _ client: APIClient, container: String, stdin: Bool, stdout: Bool, stderr: Bool, detachKeys: String?
    ) throws -> HijackedSocket {
        var query: [(String, String)] = [("stream", "1")]
        if stdin { query.append(("stdin", "1")) }
        if stdout { query.append(("stdout", "1")) }
        if stderr { query.append(("stderr", "1")) }
        if let detachKeys, !detachKeys.isEmpty { query.append(("detachKeys", detachKeys)) }
        return try client.hijack(ClientRequest("POST", "/containers/\(pathComponent(container))/attach", query: query))
    }

    /// Sends the terminal size to `/containers/{id}/resize` or `/exec/{id}/resize`.
    static func resize(_ client: APIClient, path: String, rows: Int, columns: Int) {
        guard rows > 0 || columns > 0 else { return }
        _ = try? client.call(ClientRequest("POST", path, query: [("h", String(rows)), ("w", String(columns))]))
    }

    /// Copies the streams until they end or the user detaches. With a TTY the local
    /// terminal is made raw and its size sent now and on every change; without one,
    /// `proxySignals` forwards received signals to the container.
    static func pump(
        _ invocation: Invocation, socket: HijackedSocket, tty: Bool, stdin: Bool, detachKeys: String?,
        resizePath: String?, proxySignalsTo container: String?
    ) throws -> StreamPump.Outcome {
        let client = try invocation.client()
        var pump = StreamPump(tty: tty, stdin: stdin ? 0 : nil)
        pump.detachKeys = try DetachKeys(detachKeys.flatMap { $0.isEmpty ? nil : $0 } ?? ClientConfig.load(invocation)["detachKeys"]?.stringValue ?? DetachKeys.defaultSpec)
        if tty, let resizePath, invocation.out.isTerminal {
            if let size = Terminal.size(1) { resize(client, path: resizePath, rows: size.rows, columns: size.columns) }
            pump.onResize = { rows, columns in resize(client, path: resizePath, rows: rows, columns: columns) }
        }
        if let container, !tty {
            pump.onSignal = { signal in
                _ = try? client.call(ClientRequest("POST", "/containers/\(pathComponent(container))/kill", query: [("signal", String(signal))]))
            }
        }
        return try pump.run(socket, out: invocation.out, err: invocation.err)
    }

    /// The `StatusCode` of a `/containers/{id}/wait` response.
    static func exitCode(_ wait: PendingResponse) throws -> Int32 {
        let result = try JSONValue.parse(try wait.response().readAll())
        if let message = result["Error"]?["Message"]?.stringValue, !message.isEmpty { throw CLIError(message, status: 125) }
        return Int32(truncatingIfNeeded: result["StatusCode"]?.intValue ?? 0)
    }
}
