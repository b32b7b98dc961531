#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthClient
import CBerth

/// Copies between the local terminal and a hijacked attach or exec connection, as the
/// docker CLI's `holdHijackedConnection` does: stdin to the daemon (watching for the
/// detach keys), the daemon's output to stdout and stderr, raw with a TTY and
/// demultiplexed (8-byte frame headers) without one. Window-size changes and, with
/// `--sig-proxy`, received signals come in through a signalfd in the same poll loop.
struct StreamPump {
    enum Outcome: Equatable {
        /// The daemon closed the stream (the process ended or closed its output).
        case ended
        /// The user typed the detach keys.
        case detached
    }

    /// Whether the stream is a TTY's raw bytes rather than multiplexed frames.
    var tty: Bool
    /// The descriptor to forward as the container's stdin, or nil.
    var stdin: Int32?
    var detachKeys: DetachKeys?
    /// Called with rows and columns when the local terminal is resized.
    var onResize: ((Int, Int) -> Void)?
    /// Called with a signal the CLI received, to send it to the container.
    var onSignal: ((Int32) -> Void)?

    /// The signals `--sig-proxy` forwards (Docker forwards all but SIGCHLD, SIGPIPE,
    /// SIGURG and SIGWINCH; a signalfd takes eight).
    static let proxiedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

    func run(_ socket: HijackedSocket, out: Output, err: Output) throws -> Outcome {
        var demux = MultiplexedStream.Decoder()
        func deliver(_ bytes: [UInt8]) {
            if tty {
                out.write(bytes: bytes)
                return
            }
            for frame in demux.feed(bytes) {
                if frame.kind == .stdout { out.write(bytes: frame.payload) } else { err.write(bytes: frame.payload) }
            }
        }

        var signals: [Int32] = []
        if onResize != nil { signals.append(SIGWINCH) }
        if onSignal != nil { signals += Self.proxiedSignals }
        var signalFD: Int32 = -1
        if !signals.isEmpty {
            signalFD = (signals + [0]).withUnsafeBufferPointer { berth_signalfd($0.baseAddress) }
        }
        defer {
            if signalFD >= 0 {
                close(signalFD)
                var set = sigset_t()
                sigemptyset(&set)
                for s in signals { sigaddset(&set, s) }
                sigprocmask(SIG_UNBLOCK, &set, nil)
            }
        }

        var raw: Terminal.RawMode?
        if tty, let stdin, Terminal.isTerminal(stdin) { raw = Terminal.RawMode(fd: stdin) }
        defer { raw?.restore() }

        while socket.hasBuffered {
            guard let bytes = try socket.read() else { return .ended }
            deliver(bytes)
        }
        var scanner = detachKeys.map { DetachKeys.Scanner($0) }
        var stdinOpen = stdin != nil
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        while true {
            var fds = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)]
            if stdinOpen, let stdin { fds.append(pollfd(fd: stdin, events: Int16(POLLIN), revents: 0)) }
            if signalFD >= 0 { fds.append(pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)) }
            let ready = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), -1) }
            if ready < 0 {
                if errno == EINTR { continue }
                throw ClientError.io(.init(syscall: "poll", code: errno))
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == socket.fd {
                    guard let bytes = try socket.read() else { return .ended }
                    deliver(bytes)
                } else if entry.fd == signalFD {
                    let signal = berth_signalfd_next(signalFD)
                    if signal == SIGWINCH, let onResize, let size = Terminal.size(1) ?? stdin.flatMap({ Terminal.size($0) }) {
                        onResize(size.rows, size.columns)
                    } else if signal > 0 {
                        onSignal?(signal)
                    }
                } else if let stdin {
                    let n = buffer.withUnsafeMutableBytes { read(stdin, $0.baseAddress, $0.count) }
                    if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                    if n <= 0 {
                        // End of input: the container sees its stdin close, and its output
                        // still comes back until it closes too.
                        stdinOpen = false
                        socket.closeWrite()
                        continue
                    }
                    var bytes = Array(buffer[0..<n])
                    if scanner != nil {
                        let result = scanner!.feed(bytes)
                        if result.detached {
                            if !result.forward.isEmpty { try socket.write(result.forward) }
                            return .detached
                        }
                        bytes = result.forward
                    }
                    if !bytes.isEmpty { try socket.write(bytes) }
                }
            }
        }
    }
}
