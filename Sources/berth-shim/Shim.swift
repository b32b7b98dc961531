#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthRuntime
import BerthSystem
import CBerth

/// The shim's state and its poll loop: container output into the log, requests on the
/// socket, SIGCHLD for the exit.
struct Shim {
    let options: ShimOptions
    let runtime: Runtime
    let initPID: Int32
    let signals: Int32
    let listener: Int32
    var log: JSONLog
    /// Output pipes (or pty masters) to read: owner 0 is the container, otherwise an exec's pid.
    var outputs: [(fd: Int32, stream: String, owner: Int32)]
    /// Processes started with "exec", by pid, and the exit codes of finished ones.
    var execs: [Int32: ExecSession] = [:]
    var execExits: [Int32: Int32] = [:]
    /// Where attached clients' input goes: the pty master or the stdin pipe; -1 when none.
    var input: Int32
    /// The pty master with `--tty`.
    let terminal: Int32?
    var clients: [Int32: [UInt8]] = [:]
    var attached: [Int32: ShimRequest] = [:]
    /// Attached clients that closed their sending side: still receive output.
    var halfClosed: Set<Int32> = []
    var waiters: [Int32] = []
    var exit: ShimStatus?

    var socketPath: String { options.stateDir + "/shim.sock" }
    var exitPath: String { options.stateDir + "/exit.json" }

    init(_ options: ShimOptions) throws {
        self.options = options
        try Files.mkdirAll(options.stateDir, mode: 0o711)
        Log.path = options.stateDir + "/shim.log"
        Log.json = true
        _ = setsid()
        signal(SIGPIPE, SIG_IGN)   // a client that goes away is not a reason to die
        _ = berth_set_name("berth-shim")
        try sys("prctl(PR_SET_CHILD_SUBREAPER)") { berth_prctl(36, 1, 0, 0, 0) }
        signals = try sys("signalfd") { [SIGCHLD, SIGTERM, SIGINT, SIGHUP, 0].withUnsafeBufferPointer { berth_signalfd($0.baseAddress) } }
        runtime = Runtime(root: options.runtimeRoot ?? options.stateDir + "/runtime")
        log = try JSONLog(path: options.logPath ?? options.stateDir + "/json.log",
                          maxSize: options.logMaxSize, maxFiles: options.logMaxFiles)

        // The container's stdio. With a tty: a pty whose master the init sends back over a
        // console socket. Without: pipes (stdin only with --stdin, else /dev/null). They
        // become our 0/1/2 while the init is cloned (it inherits them), then ours go back
        // to /dev/null.
        let devnull = try FD.open("/dev/null", O_RDWR)
        // Close-on-exec copies: the container's init must not hold them open.
        let ready = fcntl(1, F_DUPFD_CLOEXEC, 3), report = fcntl(2, F_DUPFD_CLOEXEC, 3)
        var create = CreateOptions()
        create.bundle = options.bundle
        create.seccompCacheDir = options.seccompCache
        // In process, not as a createContainer hook that execs a helper: saves a fork+exec.
        create.loopbackUp = true
        var pipes: [[Int32]] = []
        var console: (ours: Int32, theirs: Int32)? = nil
        if options.tty {
            let pair = try SyncChannel.pair()
            console = (pair.parent, pair.child)
            create.consoleFD = pair.child
        } else {
            for _ in 0..<3 {
                var p: [Int32] = [0, 0]
                try sys("pipe2") { berth_pipe2(&p, O_CLOEXEC) }
                pipes.append(p)
            }
            dup2(options.stdin ? pipes[0][0] : devnull, 0); dup2(pipes[1][1], 1); dup2(pipes[2][1], 2)
            close(pipes[0][0]); close(pipes[1][1]); close(pipes[2][1])
        }
        do {
            initPID = try runtime.create(id: options.id, options: create)
        } catch {
            dup2(report, 2)
            throw error
        }
        dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2); close(devnull); close(report)
        if let console {
            close(console.theirs)
            let master = try TerminalProxy(socket: console.ours).receiveMaster()
            terminal = master
            input = master
            outputs = [(master, "stdout", 0)]
        } else {
            terminal = nil
            input = options.stdin ? pipes[0][1] : -1
            if !options.stdin { close(pipes[0][1]) }
            outputs = [(pipes[1][0], "stdout", 0), (pipes[2][0], "stderr", 0)]
        }
        listener = try sys("listen", path: options.stateDir + "/shim.sock") {
            berth_unix_listen(options.stateDir + "/shim.sock", 16)
        }
        // Not fsync'd: the state dir is under /run (tmpfs on a normal host), and after a host
        // crash no shim is left to find. A berthd crash keeps what is in the page cache.
        try Files.writeAtomic(options.stateDir + "/shim.pid", Array("\(getpid())".utf8), durable: false)
        // Tell whoever started us that the socket is up.
        _ = try? FD.writeAll(ready, Array("ready \(initPID)\n".utf8))
        close(ready)
    }

    /// Runs until the container has exited and its status is on disk.
    mutating func serve() -> Int32 {
        while true {
            var fds = [pollfd(fd: signals, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            fds += outputs.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let reading = clients.keys.filter { !halfClosed.contains($0) }.sorted()
            fds += reading.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue }; return 1 }
            if fds[0].revents != 0 { handleSignals() }
            if fds[1].revents != 0 { accept() }
            for (i, o) in outputs.enumerated().reversed() where fds[2 + i].revents != 0 { readOutput(index: i, fd: o.fd) }
            let clientFDs = fds.suffix(reading.count)
            for p in clientFDs where p.revents != 0 { readClient(p.fd) }
            if exit != nil && !outputs.contains(where: { $0.owner == 0 }) { finish(); return 0 }
        }
    }

    private mutating func handleSignals() {
        while true {
            let sig = berth_signalfd_next(signals)
            if sig < 0 { return }
            if sig == SIGCHLD {
                var status: Int32 = 0
                while true {
                    let pid = waitpid(-1, &status, WNOHANG)
                    if pid <= 0 { break }
                    if pid == initPID { recordExit(status) } else { execExited(pid, status) }
                }
            } else if exit == nil {
                Glibc.kill(initPID, sig)
            }
        }
    }

    private mutating func recordExit(_ status: Int32) {
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let oom: Bool
        if let record = try? runtime.store.load(options.id) { oom = Cgroup(path: record.cgroupPath).oomKilled } else { oom = false }
        exit = ShimStatus(id: options.id, pid: initPID, status: "stopped", exitCode: code,
                          exitedAt: WallClock.rfc3339Nano(), oomKilled: oom)
    }

    private mutating func readOutput(index: Int, fd: Int32) {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &buf, buf.count)
        let owner = outputs[index].owner
        if n > 0 {
            let stream = outputs[index].stream
            if owner != 0 { return execOutput(owner, buf[0..<n], stream: stream) }
            log.append(buf[0..<n], stream: stream)
            forward(buf[0..<n], stream: stream)
        } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
            close(fd)
            outputs.remove(at: index)
            if owner != 0 { execMaybeDone(owner) }
        }
    }

    private mutating func accept() {
        let fd = Glibc.accept(listener, nil, nil)
        if fd >= 0 { FD.setCloexec(fd, true) }
        if fd >= 0 { clients[fd] = [] }
    }

    private mutating func readClient(_ fd: Int32) {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &buf, buf.count)
        guard n > 0 else {
            if let pid = execs.first(where: { $0.value.client == fd })?.key {
                execInputClosed(pid)
                halfClosed.insert(fd)
                return
            }
            if let mode = attached[fd] {
                if mode.stdin == true, options.stdinOnce, terminal == nil, input >= 0 {
                    close(input)   // the client closed its stdin: so does the container's
                    input = -1
                }
                halfClosed.insert(fd)   // output still goes to it
                return
            }
            drop(fd)
            return
        }
        if attached[fd] != nil || execs.values.contains(where: { $0.client == fd }) {
            return stdinBytes(Array(buf[0..<n]), from: fd)
        }
        clients[fd, default: []] += buf[0..<n]
        while let nl = clients[fd]?.firstIndex(of: 10) {
            let line = Array(clients[fd]![..<nl])
            clients[fd]!.removeSubrange(...nl)
            handle(line, from: fd)
            // After "attach" or "exec" the rest of the connection is stdin, even bytes that
            // came in the same read as the request.
            if let rest = clients[fd], !rest.isEmpty, attached[fd] != nil || execs.values.contains(where: { $0.client == fd }) {
                clients[fd] = []
                stdinBytes(rest, from: fd)
                break
            }
        }
    }

    private mutating func handle(_ line: [UInt8], from fd: Int32) {
        guard let request = try? OCIJSON.decode(ShimRequest.self, from: line) else {
            return reply(fd, status(error: "invalid request"))
        }
        switch request.op {
        case "state": reply(fd, status())
        case "start":
            do { try runtime.start(options.id); reply(fd, status()) } catch { reply(fd, status(error: "\(error)")) }
        case "kill":
            if exit != nil { return reply(fd, status()) }
            do {
                try runtime.kill(options.id, signal: request.signal ?? SIGTERM, all: request.all ?? false)
                reply(fd, status())
            } catch { reply(fd, status(error: "\(error)")) }
        case "wait":
            if exit != nil { reply(fd, status()) } else { waiters.append(fd) }
        case "attach":
            reply(fd, status())
            if exit == nil { attached[fd] = request } else { drop(fd) }
        case "exec":
            startExec(request, client: fd)
        case "exec-status":
            let pid = request.signal ?? 0
            var s = status()
            s.pid = pid
            s.status = execExits[pid] != nil ? "stopped" : (execs[pid] != nil ? "running" : "unknown")
            s.exitCode = execExits[pid]
            // Reported once is enough (berthd keeps it): health probes would otherwise
            // grow this map for as long as the container runs.
            if s.exitCode != nil { execExits[pid] = nil }
            reply(fd, s)
        case "resize":
            let pty = request.signal.flatMap { execs[$0]?.terminal } ?? terminal
            if let pty, let h = request.height, let w = request.width { _ = berth_set_winsize(pty, h, w) }
            reply(fd, status())
        default:
            reply(fd, status(error: "unknown op \"\(request.op)\""))
        }
    }

    func status(error: String? = nil) -> ShimStatus {
        if var e = exit { e.error = error; return e }
        let state = (try? runtime.state(options.id))?.status ?? "unknown"
        return ShimStatus(id: options.id, pid: initPID, status: state, error: error)
    }

    func reply(_ fd: Int32, _ status: ShimStatus) {
        guard let body = try? OCIJSON.encode(status) else { return }
        _ = try? FD.writeAll(fd, body + [10])
    }

    /// Input from an attached or exec client, to the container's or the exec's stdin.
    private func stdinBytes(_ bytes: [UInt8], from fd: Int32) {
        if let mode = attached[fd] {
            if mode.stdin == true, input >= 0 { _ = try? FD.writeAll(input, bytes) }
        } else if let session = execs.values.first(where: { $0.client == fd }), session.input >= 0 {
            _ = try? FD.writeAll(session.input, bytes)
        }
    }

    mutating func drop(_ fd: Int32) {
        close(fd)
        clients[fd] = nil
        attached[fd] = nil
        halfClosed.remove(fd)
        waiters.removeAll { $0 == fd }
    }

    /// Container output to attached clients: raw with a tty, else Docker's multiplexed
    /// frames (1 byte stream, 3 zero bytes, 4 bytes big-endian length).
    private mutating func forward(_ bytes: ArraySlice<UInt8>, stream: String) {
        for (fd, mode) in attached {
            let wanted = stream == "stdout" ? mode.stdout ?? true : mode.stderr ?? true
            guard wanted else { continue }
            var frame: [UInt8] = []
            if terminal == nil {
                let n = UInt32(bytes.count)
                frame = [stream == "stdout" ? 1 : 2, 0, 0, 0,
                         UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
            }
            frame += bytes
            if (try? FD.writeAll(fd, frame)) == nil { drop(fd) }
        }
    }

    /// The container is gone and its output drained: log, status file, runtime state.
    private mutating func finish() {
        log.flush()
        guard let exit else { return }
        // Reap what is left (exec'd processes killed with the pid namespace) before the
        // runtime removes the cgroup.
        var status: Int32 = 0
        while waitpid(-1, &status, WNOHANG) > 0 {}
        // Not fsync'd either (see shim.pid): it only has to outlive berthd, not the host.
        do { try Files.writeAtomic(exitPath, try OCIJSON.encode(exit), durable: false) } catch { Log.error("write \(exitPath): \(error)") }
        do { try runtime.delete(options.id, force: true) } catch { Log.error("delete: \(error)") }
        for fd in attached.keys { drop(fd) }
        for session in execs.values { drop(session.client) }
        for fd in waiters { reply(fd, exit) }
        unlink(socketPath)
    }
}
