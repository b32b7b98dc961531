import BerthAPIModels
import BerthClient

extension Command {
    /// `berth logs` = `berth container logs`:
    /// `GET /containers/{id}/logs?stdout=1&stderr=1&follow=1&timestamps=1&tail=&since=&until=&details=1`,
    /// raw with a TTY, demultiplexed otherwise.
    static var logs: Command {
        Command(
            name: "logs", usage: "[OPTIONS] CONTAINER", summary: "Fetch the logs of a container",
            flags: [
                .bool("details", usage: "Show extra details provided to logs"),
                .bool("follow", short: "f", usage: "Follow log output"),
                .string("since", usage: "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"),
                .string("tail", short: "n", usage: "Number of lines to show from the end of the logs", default: "all"),
                .bool("timestamps", short: "t", usage: "Show timestamps"),
                .string("until", usage: "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"),
            ],
            arguments: .exactly(1),
            run: { invocation in try runLogs(invocation) })
    }
}

private func runLogs(_ invocation: Invocation) throws -> Int32 {
    let flags = invocation.flags
    let client = try invocation.client()
    let name = pathComponent(invocation.arguments[0])
    let container = try client.getJSON("/containers/\(name)/json")
    var query: [(String, String)] = [("stdout", "1"), ("stderr", "1")]
    if let since = flags.string("since"), !since.isEmpty { query.append(("since", try Clock.apiTimestamp(since))) }
    if let until = flags.string("until"), !until.isEmpty { query.append(("until", try Clock.apiTimestamp(until))) }
    if flags.bool("timestamps") { query.append(("timestamps", "1")) }
    if flags.bool("details") { query.append(("details", "1")) }
    if flags.bool("follow") { query.append(("follow", "1")) }
    query.append(("tail", flags.string("tail") ?? "all"))
    let stream = try client.stream(ClientRequest("GET", "/containers/\(name)/logs", query: query))
    let tty = container["Config"]?["Tty"]?.boolValue ?? false
    var demux = MultiplexedStream.Decoder()
    while let bytes = try stream.next() {
        if tty {
            invocation.out.write(bytes: bytes)
            continue
        }
        for frame in demux.feed(bytes) {
            if frame.kind == .stderr { invocation.err.write(bytes: frame.payload) } else { invocation.out.write(bytes: frame.payload) }
        }
    }
    return 0
}
