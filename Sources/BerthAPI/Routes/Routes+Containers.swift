#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthEngine
import BerthSystem

extension Router {
    /// The container routes: create, start, attach, wait, stop, kill, remove, list, inspect.
    public mutating func addContainerRoutes(_ engine: Engine) {
        post("/containers/create") { req in
            let body = try await req.body.decode(CreateRequest.self)
            let c = try await engine.create(name: req.query["name"], request: body)
            let warnings = Engine.resourceWarnings(body.hostConfig).map { JSONValue.string($0) }
            return try .json(["Id": .string(c.id), "Warnings": .array(warnings)] as JSONValue, status: .created)
        }
        post("/containers/{id}/start") { req in
            try await engine.start(req.parameter("id")) ? .noContent : APIResponse(status: .notModified)
        }
        post("/containers/{id}/wait") { req in
            // Headers go out at once, the body when the container exits: the docker CLI
            // waits for the headers before it sends start.
            let c = try await engine.lookup(req.parameter("id"))
            let condition = req.query["condition"] ?? "not-running"
            return .stream { w in
                let code = try await engine.wait(c.id, condition: condition)
                try await w.writeJSON(["StatusCode": .int(Int64(code))] as JSONValue)
            }
        }
        post("/containers/{id}/kill") { req in
            try await engine.kill(req.parameter("id"), signal: req.query["signal"])
            return .noContent
        }
        post("/containers/{id}/stop") { req in
            let t = try req.query.int("t") ?? req.query.int("timeout")
            return try await engine.stop(req.parameter("id"), timeout: t, signal: req.query["signal"])
                ? .noContent : APIResponse(status: .notModified)
        }
        post("/containers/{id}/restart") { req in
            let t = try req.query.int("t") ?? req.query.int("timeout")
            try await engine.restart(req.parameter("id"), timeout: t, signal: req.query["signal"])
            return .noContent
        }
        post("/containers/{id}/pause") { req in
            try await engine.setPaused(req.parameter("id"), true)
            return .noContent
        }
        post("/containers/{id}/unpause") { req in
            try await engine.setPaused(req.parameter("id"), false)
            return .noContent
        }
        post("/containers/{id}/rename") { req in
            guard let name = req.query["name"], !name.isEmpty else { throw EngineError.invalidArgument("name cannot be empty") }
            try await engine.rename(req.parameter("id"), to: name)
            return .noContent
        }
        get("/containers/{id}/top") { req in
            let (titles, rows) = try await engine.top(req.parameter("id"))
            return try .json(["Titles": ContainerJSON.strings(titles),
                              "Processes": .array(rows.map { ContainerJSON.strings($0) })] as JSONValue)
        }
        post("/containers/{id}/resize") { req in
            try await engine.resize(req.parameter("id"), height: try req.query.int("h") ?? 0, width: try req.query.int("w") ?? 0)
            return .text("")
        }
        delete("/containers/{id}") { req in
            try await engine.remove(req.parameter("id"), force: req.query.bool("force"), volumes: req.query.bool("v"))
            return .noContent
        }
        get("/containers/json") { req in
            let filters = try ContainerFilters(req.query["filters"])
            var list = await engine.list(all: req.query.bool("all") || filters.wantsStopped).filter(filters.matches)
            if let limit = try req.query.int("limit"), limit > 0 { list = Array(list.prefix(limit)) }
            return try .json(JSONValue.array(list.map { NetworkJSON.addToSummary(ContainerJSON.summary($0), $0, manager: engine.network) }))
        }
        get("/containers/{id}/json") { req in
            let c = try await engine.lookup(req.parameter("id"))
            return try .json(NetworkJSON.addToInspect(ContainerJSON.inspect(c), c, manager: engine.network))
        }
        post("/containers/{id}/exec") { req in
            let body = try await req.body.decode(ExecCreateRequest.self)
            return try .json(["Id": .string(try await engine.createExec(req.parameter("id"), body))] as JSONValue,
                             status: .created)
        }
        post("/exec/{id}/start") { req in
            let body = (try? await req.body.decode(ExecStartRequest.self)) ?? ExecStartRequest()
            let fd: Int32, tty: Bool
            do {
                (fd, tty) = try await engine.startExec(req.parameter("id"))
            } catch let failure as ExecStartFailure {
                if body.detach == true { throw EngineError.internalError(failure.message) }
                let type = failure.tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"
                return .hijack(contentType: type) { conn in
                    try? await conn.write(LogFrames.frame(Array((failure.message + "\r\n").utf8), stream: "stdout", tty: failure.tty))
                    await conn.closeOutput()
                }
            }
            if body.detach == true {
                close(fd)
                return .json(JSONValue.object([:]))
            }
            let type = tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"
            let execID = req.parameter("id")
            return .hijack(contentType: type) { conn in
                await ShimBridge.pump(fd: fd, conn: conn)
                await engine.execEnded(execID)
            }
        }
        post("/exec/{id}/resize") { req in
            try await engine.resizeExec(req.parameter("id"), height: try req.query.int("h") ?? 0, width: try req.query.int("w") ?? 0)
            return .text("")
        }
        get("/exec/{id}/json") { req in
            let e = try await engine.execInstance(req.parameter("id"))
            return try .json([
                "CanRemove": false, "ContainerID": .string(e.containerID), "DetachKeys": "", "ExitCode": e.exitCode.map { .int(Int64($0)) } ?? .null,
                "ID": .string(e.id), "OpenStderr": .bool(e.request.attachStderr ?? false),
                "OpenStdin": .bool(e.request.attachStdin ?? false), "OpenStdout": .bool(e.request.attachStdout ?? false),
                "ProcessConfig": ["arguments": ContainerJSON.strings(Array((e.request.cmd ?? []).dropFirst())),
                                  "entrypoint": .string(e.request.cmd?.first ?? ""), "privileged": .bool(e.request.privileged ?? false),
                                  "tty": .bool(e.request.tty ?? false), "user": .string(e.request.user ?? "")],
                "Running": .bool(e.running), "Pid": .int(Int64(e.pid)),
            ] as JSONValue)
        }
        get("/containers/{id}/logs") { req in
            let (path, tty, id) = try await engine.logSource(req.parameter("id"))
            let (stdout, stderr) = (req.query.bool("stdout"), req.query.bool("stderr"))
            let follow = req.query.bool("follow"), timestamps = req.query.bool("timestamps")
            let tail = req.query["tail"].flatMap { Int($0) }
            let type = tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"
            return .stream(contentType: type) { w in
                // Held open while following: the container may be removed meanwhile. Reopened
                // when the path names another file (rotated by max-size), from its start.
                var fd = open(path, O_RDONLY | O_CLOEXEC)
                defer { if fd >= 0 { close(fd) } }
                func read(from offset: Int) -> ([LogEntry], Int) {
                    if fd < 0 { fd = open(path, O_RDONLY | O_CLOEXEC) }
                    guard fd >= 0 else { return ([], offset) }
                    let (entries, next) = engine.readLog(fd: fd, from: offset)
                    var held = stat(), named = stat()
                    guard entries.isEmpty, fstat(fd, &held) == 0, stat(path, &named) == 0,
                          held.st_ino != named.st_ino || held.st_dev != named.st_dev else { return (entries, next) }
                    close(fd)
                    fd = open(path, O_RDONLY | O_CLOEXEC)
                    return fd >= 0 ? engine.readLog(fd: fd, from: 0) : ([], 0)
                }
                var (entries, offset) = read(from: 0)
                if let tail, tail >= 0 { entries = Array(entries.suffix(tail)) }
                while true {
                    for e in entries where (e.stream == "stdout" && stdout) || (e.stream == "stderr" && stderr) {
                        let text = (timestamps ? e.time + " " : "") + e.log
                        try await w.write(LogFrames.frame(Array(text.utf8), stream: e.stream, tty: tty))
                    }
                    guard follow else { return }
                    let running = await engine.isRunning(id)
                    try await Task.sleep(nanoseconds: 50_000_000)
                    (entries, offset) = read(from: offset)
                    if !running && entries.isEmpty { return }
                }
            }
        }
        post("/containers/{id}/attach") { req in
            let c = try await engine.lookup(req.parameter("id"))
            let (stdin, stdout, stderr) = (req.query.bool("stdin"), req.query.bool("stdout"), req.query.bool("stderr"))
            let type = c.config.tty == true ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"
            // The attach is registered before the 101 goes out: the client sends start only
            // after it, and the shim connection is made at start, before the container runs.
            let pending = try await engine.attach(c.id, stdin: stdin, stdout: stdout, stderr: stderr)
            // Output can be ready at once only if the container is running already.
            return .hijack(contentType: type, headFirst: pending.connected) { conn in
                guard let fd = await pending.connection() else {
                    await conn.closeOutput()
                    return
                }
                await ShimBridge.pump(fd: fd, conn: conn)
            }
        }
    }
}

/// Copies between a hijacked API connection and a shim attach socket: the shim's bytes
/// (already framed as Docker's stream) out, the client's bytes in.
enum ShimBridge {
    static func pump(fd: Int32, conn: HijackedConnection) async {
        let (output, sink) = AsyncStream<[UInt8]>.makeStream()
        ThreadReader.start(fd: fd, sink: sink)
        let input = Task {
            for await bytes in conn.input { if (try? FD.writeAll(fd, bytes)) == nil { break } }
            shutdown(fd, Int32(SHUT_WR))
        }
        for await bytes in output { try? await conn.write(bytes) }
        await conn.closeOutput()
        input.cancel()
        close(fd)
    }
}

/// Blocking reads on a plain thread, yielded into an async stream.
enum ThreadReader {
    static func start(fd: Int32, sink: AsyncStream<[UInt8]>.Continuation) {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(fd: fd, sink: sink)).toOpaque()
        pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            var buf = [UInt8](repeating: 0, count: 32768)
            while true {
                let n = read(box.fd, &buf, buf.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                box.sink.yield(Array(buf[0..<n]))
            }
            box.sink.finish()
            return nil
        }, box)
        pthread_detach(thread)
    }

    final class Box: @unchecked Sendable {
        let fd: Int32
        let sink: AsyncStream<[UInt8]>.Continuation
        init(fd: Int32, sink: AsyncStream<[UInt8]>.Continuation) { self.fd = fd; self.sink = sink }
    }
}

/// Docker's stream framing: raw with a tty; otherwise an 8-byte header (stream, 0, 0, 0,
/// big-endian length) before each chunk.
enum LogFrames {
    static func frame(_ bytes: [UInt8], stream: String, tty: Bool) -> [UInt8] {
        if tty { return bytes }
        let n = UInt32(bytes.count)
        return [stream == "stderr" ? 2 : 1, 0, 0, 0, UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff),
                UInt8(n & 0xff)] + bytes
    }
}

/// `POST /exec/{id}/start`'s body.
struct ExecStartRequest: Codable, Sendable {
    var detach: Bool?
    var tty: Bool?
    enum CodingKeys: String, CodingKey { case detach = "Detach", tty = "Tty" }
    init() {}
}
