#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthSystem
import CBerth
import Synchronization

/// A running `berth-fetch` (see its main.swift): berthd's registry work happens there, so the
/// daemon links no HTTP/TLS client. One request goes in on its stdin; its answer lines come
/// back through `next()`. berthd never forks: it is started with posix_spawn (DESIGN.md).
final class FetchProcess: @unchecked Sendable {
    /// The program: next to berthd, or BERTH_FETCH.
    static var binary: String {
        if let env = getenv("BERTH_FETCH") { return String(cString: env) }
        let exe = Files.readlink("/proc/self/exe") ?? "/usr/local/bin/berthd"
        return Files.dirname(exe) + "/berth-fetch"
    }

    private let stdinFD: Mutex<Int32>
    private var lines: AsyncStream<FetchLine>.Iterator

    private init(stdin: Int32, lines: AsyncStream<FetchLine>) {
        stdinFD = Mutex(stdin)
        self.lines = lines.makeAsyncIterator()
    }

    /// Starts berth-fetch with `request`. Its stderr is berthd's (the daemon log).
    static func start(_ request: FetchRequest) throws -> FetchProcess {
        let program = binary
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        try sys("pipe2") { berth_pipe2(&input, O_CLOEXEC) }
        do { try sys("pipe2") { berth_pipe2(&output, O_CLOEXEC) } } catch {
            close(input[0]); close(input[1])
            throw error
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        let cargs = [strdup(program), nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = Spawn.withCleanSignals(&pid, program, &actions, cargs, environ)
        close(input[0]); close(output[1])
        guard rc == 0 else {
            close(input[1]); close(output[0])
            throw EngineError.internalError("cannot start \(program): \(String(cString: strerror(rc)))")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: FetchLine.self)
        let process = FetchProcess(stdin: input[1], lines: stream)
        let reader = output[0]
        Threads.detach {
            let answered = Self.readLines(reader, into: continuation)
            close(reader)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            if !answered {
                // It died without its last line (a crash, a signal): say so instead.
                continuation.yield(FetchLine(error: FetchFailure(.internalError("berth-fetch failed (wait status \(status))"))))
            }
            continuation.finish()
            process.cancel()
        }
        do {
            try FD.writeAll(input[1], try WireJSON.encode(request) + [10], path: "berth-fetch stdin")
        } catch {
            process.cancel()
            throw EngineError.internalError("berth-fetch: \(error)")
        }
        return process
    }

    /// The next line, nil once berth-fetch has exited.
    func next() async -> FetchLine? { await lines.next() }

    /// Tells berth-fetch to stop (end of its stdin). Safe to call more than once.
    func cancel() {
        stdinFD.withLock { fd in
            if fd >= 0 { close(fd); fd = -1 }
        }
    }

    /// Forwards progress lines to `emit` until the last line; returns what `done` carries
    /// or throws the failure.
    func finish(emit: (@Sendable (JSONValue) -> Void)?) async throws -> JSONValue {
        try await receive(until: { $0.done != nil }, emit: emit).done ?? .null
    }

    /// Forwards progress lines to `emit` until one that `wanted` accepts, which it returns;
    /// an `error` line is thrown. If the calling task is cancelled, berth-fetch is told to stop.
    func receive(until wanted: @Sendable (FetchLine) -> Bool, emit: (@Sendable (JSONValue) -> Void)?) async throws -> FetchLine {
        try await withTaskCancellationHandler {
            while let line = await next() {
                if let error = line.error { throw error.engineError }
                if wanted(line) { return line }
                if let progress = line.progress { emit?(progress) }
            }
            throw EngineError.internalError("berth-fetch ended without an answer")
        } onCancel: {
            cancel()
        }
    }

    /// Decodes newline-separated JSON lines from `fd` until end of file; true if the last
    /// line (`done` or `error`) came.
    private static func readLines(_ fd: Int32, into continuation: AsyncStream<FetchLine>.Continuation) -> Bool {
        var answered = false
        var pending: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending += buf[0..<n]
            var start = 0
            while let nl = pending[start...].firstIndex(of: 10) {
                if let line = try? WireJSON.decode(FetchLine.self, from: Array(pending[start..<nl])) {
                    if line.done != nil || line.error != nil { answered = true }
                    continuation.yield(line)
                }
                start = nl + 1
            }
            pending.removeFirst(start)
        }
        return answered
    }
}
