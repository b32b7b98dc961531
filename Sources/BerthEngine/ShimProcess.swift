#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthRuntime
import BerthSystem
import CBerth

/// Starting a berth-shim and talking to it over its socket. berthd is multi-threaded, so it
/// never forks: the shim is started with posix_spawn (DESIGN.md).
struct ShimProcess {
    let stateDir: String
    var socketPath: String { stateDir + "/shim.sock" }
    var exitPath: String { stateDir + "/exit.json" }

    /// The shim binary: next to berthd, or BERTH_SHIM.
    static var binary: String {
        if let env = getenv("BERTH_SHIM") { return String(cString: env) }
        let exe = Files.readlink("/proc/self/exe") ?? "/usr/local/bin/berthd"
        return Files.dirname(exe) + "/berth-shim"
    }

    /// Spawns the shim, which creates the container; returns once it reports ready.
    static func spawn(id: String, bundle: String, stateDir: String, seccompCache: String,
                      tty: Bool, stdin: Bool, stdinOnce: Bool) throws -> ShimProcess {
        var args = [binary, "--id", id, "--bundle", bundle, "--state-dir", stateDir, "--seccomp-cache", seccompCache]
        if tty { args.append("--tty") }
        if stdin { args.append("--stdin") }
        if stdinOnce { args.append("--stdin-once") }
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        try sys("pipe2") { berth_pipe2(&out, O_CLOEXEC) }
        try sys("pipe2") { berth_pipe2(&err, O_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        var cargs = args.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        let env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        var cenv = env.map { strdup($0) } + [nil]
        defer { cenv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, args[0], &actions, nil, &cargs, &cenv)
        close(out[1]); close(err[1])
        defer { close(out[0]); close(err[0]) }
        guard rc == 0 else { throw SyscallError(syscall: "posix_spawn", path: args[0], code: rc) }
        var ready: [UInt8] = []
        var byte: UInt8 = 0
        while read(out[0], &byte, 1) == 1 && byte != 10 { ready.append(byte) }
        if !String(decoding: ready, as: UTF8.self).hasPrefix("ready ") {
            let message = String(decoding: (try? FD.readAll(err[0])) ?? [], as: UTF8.self).trimmingSpaces
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            throw BerthError(message.isEmpty ? "berth-shim exited before it was ready" : message)
        }
        // The shim runs on in its own session; reap it so it leaves no zombie behind.
        ExitWatcher.shared.reap(pid)
        return ShimProcess(stateDir: stateDir)
    }

    /// One request, one answer. `connection` keeps the socket open (for attach).
    func request(_ request: ShimRequest, keepOpen: Bool = false) throws -> (ShimStatus, Int32?) {
        let fd = try send(request)
        do {
            let status = try Self.answer(fd, exact: keepOpen)
            if keepOpen { return (status, fd) }
            close(fd)
            return (status, nil)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Connects and sends `request`; the answer is for the caller to read (see `answer`).
    func send(_ request: ShimRequest) throws -> Int32 {
        let fd = try sys("connect", path: socketPath) { berth_unix_connect(socketPath) }
        do {
            try FD.writeAll(fd, try OCIJSON.encode(request) + [10])
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Reads the shim's one-line answer from `fd`. `exact` reads byte by byte, so that what
    /// follows the answer (an attach stream) stays unread; otherwise in one go, as the
    /// answer is all the connection carries.
    static func answer(_ fd: Int32, exact: Bool) throws -> ShimStatus {
        var line: [UInt8] = []
        if exact {
            var byte: UInt8 = 0
            while true {
                let n = read(fd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { throw BerthError("berth-shim closed the connection") }
                if byte == 10 { break }
                line.append(byte)
            }
        } else {
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buf, buf.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { throw BerthError("berth-shim closed the connection") }
                if let nl = buf[0..<n].firstIndex(of: 10) { line += buf[0..<nl]; break }
                line += buf[0..<n]
            }
        }
        return try OCIJSON.decode(ShimStatus.self, from: line)
    }

    /// The exit status the shim wrote, if the container has exited.
    var exitStatus: ShimStatus? {
        guard let bytes = try? Files.read(exitPath) else { return nil }
        return try? OCIJSON.decode(ShimStatus.self, from: bytes)
    }

    /// Whether the shim answers on its socket.
    var isAlive: Bool { (try? request(ShimRequest(op: "state"))) != nil }
}
