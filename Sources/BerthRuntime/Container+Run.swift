#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// The pid that the foreground `run`/`exec` forwards signals to.
nonisolated(unsafe) private var forwardPID: Int32 = 0

extension Runtime {
    /// `run`: create and start; in the foreground, wait for the container, forwarding
    /// signals (and proxying its terminal when there is no console socket), then delete it.
    /// Returns the container's exit code (128 + signal when killed).
    public func run(id: String, options: CreateOptions, detach: Bool) throws -> Int32 {
        let bundle = try Bundle(path: options.bundle)
        if detach {
            try create(id: id, options: options, bundle: bundle)
            try start(id, spec: bundle.spec)
            return 0
        }
        var opts = options
        var terminal: TerminalProxy? = nil
        if bundle.spec.process?.terminal == true && options.consoleSocket == nil {
            let (ours, theirs) = try SyncChannel.pair()
            opts.consoleFD = theirs
            terminal = TerminalProxy(socket: ours)
        }
        let pid: Int32
        do {
            pid = try create(id: id, options: opts, bundle: bundle)
        } catch {
            if let fd = opts.consoleFD { close(fd) }
            throw error
        }
        if let fd = opts.consoleFD { close(fd) }
        var master: Int32 = -1
        if let t = terminal { master = try t.receiveMaster() }
        Runtime.forwardSignals(to: pid)
        do { try start(id, spec: bundle.spec) } catch {
            try? delete(id, force: true, spec: bundle.spec)
            throw error
        }
        if master >= 0 { TerminalProxy.pump(master: master, child: pid) }
        let code = Runtime.waitExitCode(pid)
        try? delete(id, force: true, spec: bundle.spec)
        return code
    }

    /// Installs handlers that pass the usual signals on to `pid`.
    static func forwardSignals(to pid: Int32) {
        forwardPID = pid
        let handler: @convention(c) (Int32) -> Void = { sig in
            if forwardPID > 0 { _ = Glibc.kill(forwardPID, sig) }
        }
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2] { signal(sig, handler) }
    }

    /// Waits for our child and returns its exit code, shell-style.
    static func waitExitCode(_ pid: Int32) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 255 }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }
}

/// Foreground terminal: receives the pty master from the init and copies between it and
/// our own stdin/stdout, with our terminal in raw mode.
public struct TerminalProxy {
    public let socket: Int32

    public init(socket: Int32) { self.socket = socket }

    /// Waits for the init to send its pty master over the console socket.
    public func receiveMaster() throws -> Int32 {
        var fd: Int32 = -1
        var buf = [UInt8](repeating: 0, count: 64)
        _ = try sys("recvmsg", path: "console socket") { berth_recv_fd(socket, &fd, &buf, buf.count) }
        close(socket)
        guard fd >= 0 else { throw RuntimeError.system("console socket: no pty master received") }
        return fd
    }

    static func pump(master: Int32, child: Int32) {
        var saved = termios()
        let isTTY = isatty(0) == 1
        if isTTY {
            tcgetattr(0, &saved)
            var raw = saved
            cfmakeraw(&raw)
            tcsetattr(0, TCSANOW, &raw)
            var rows: UInt16 = 0, cols: UInt16 = 0
            if berth_get_winsize(0, &rows, &cols) == 0 { _ = berth_set_winsize(master, rows, cols) }
        }
        defer { if isTTY { tcsetattr(0, TCSANOW, &saved) } }
        var buf = [UInt8](repeating: 0, count: 32768)
        var stdinOpen = true
        while true {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 2, -1) < 0 { if errno == EINTR { continue }; break }
            if fds[0].revents & Int16(POLLIN) != 0 {
                let n = read(master, &buf, buf.count)
                if n <= 0 { break }
                _ = try? FD.writeAll(1, Array(buf[0..<n]))
            } else if fds[0].revents & Int16(POLLHUP | POLLERR) != 0 {
                break
            }
            if stdinOpen && fds[1].revents & Int16(POLLIN | POLLHUP) != 0 {
                let n = read(0, &buf, buf.count)
                if n <= 0 { stdinOpen = false } else { _ = try? FD.writeAll(master, Array(buf[0..<n])) }
            }
        }
        close(master)
    }
}
