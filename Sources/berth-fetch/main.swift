// berth-fetch: every conversation berthd has with a registry (pull, push, login, search, and
// `import` from a URL), in a process of its own. The HTTP/TLS client it needs is most of a
// registry client's code; kept out of berthd, the idle daemon stays small.
//
//   berth-fetch      reads one FetchRequest line (BerthAPIModels/FetchProtocol.swift) on
//                    stdin and writes FetchLines on stdout, the last one `done` or `error`.
//                    End of stdin cancels the work: berthd closes it when its API client
//                    goes away, and the kernel closes it when berthd dies.
//
// The exit status is 0 after `done`, 1 after `error`, 2 for a request it cannot read.
#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthFetch
import BerthSystem
import Synchronization

/// Lines go out whole, one at a time, from whichever task sends them.
let output = Mutex(())
@Sendable func send(_ line: FetchLine) {
    guard let bytes = try? WireJSON.encode(line) else { return }
    output.withLock { _ in try? FD.writeAll(1, bytes + [10], path: "stdout") }
}

/// The request: everything up to the first newline.
func readRequest() -> [UInt8] {
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while true {
        let n = read(0, &byte, 1)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 || byte == 10 { return line }
        line.append(byte)
    }
}

signal(SIGPIPE, SIG_IGN)
let request: FetchRequest
do {
    request = try WireJSON.decode(FetchRequest.self, from: readRequest())
} catch {
    send(FetchLine(error: FetchFailure(.internalError("berth-fetch: unreadable request: \(error)"))))
    exit(2)
}

let work = Task { await Fetcher(request, send: send).run() }
Threads.detach {
    var buf = [UInt8](repeating: 0, count: 256)
    while true {
        let n = read(0, &buf, buf.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
    }
    work.cancel()
}
exit(await work.value ? 0 : 1)
