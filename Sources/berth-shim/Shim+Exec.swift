#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthRuntime
import BerthSystem
import CBerth

/// A process started in the container by "exec": its stdio, and the client that streams it.
struct ExecSession {
    var client: Int32
    var input: Int32
    var terminal: Int32?
    var exitCode: Int32?
}

extension Shim {
    /// Starts the request's process in the container, with pipes (or a pty) the shim reads,
    /// and turns the client's connection into its stream. The exec'd process is our child.
    mutating func startExec(_ request: ShimRequest, client: Int32) {
        guard exit == nil, var process = request.process else {
            return reply(client, status(error: exit == nil ? "exec: no process" : "container is not running"))
        }
        let tty = process.terminal == true
        var options = ExecOptions(process: process)
        options.detach = true
        var pipes: [[Int32]] = []
        var console: (ours: Int32, theirs: Int32)? = nil
        do {
            if tty {
                let pair = try SyncChannel.pair()
                console = (pair.parent, pair.child)
                options.consoleFD = pair.child
            } else {
                for _ in 0..<3 {
                    var p: [Int32] = [0, 0]
                    try sys("pipe2") { berth_pipe2(&p, O_CLOEXEC) }
                    pipes.append(p)
                }
            }
        } catch {
            return reply(client, status(error: "\(error)"))
        }
        // The process inherits our 0/1/2 across clone: point them at its pipes meanwhile.
        let devnull = open("/dev/null", O_RDWR | O_CLOEXEC)
        if !tty {
            dup2(request.stdin == true ? pipes[0][0] : devnull, 0); dup2(pipes[1][1], 1); dup2(pipes[2][1], 2)
        }
        process.terminal = tty
        options.process = process
        let id = self.options.id
        let result = Result { try runtime.spawnExec(id, options: options) }
        dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2)
        close(devnull)
        if !pipes.isEmpty {
            // The process's ends: the read end of stdin, the write ends of stdout and stderr.
            close(pipes[0][0]); close(pipes[1][1]); close(pipes[2][1])
        }
        if let console { close(console.theirs) }
        switch result {
        case .failure(let error):
            if !pipes.isEmpty { close(pipes[0][1]); close(pipes[1][0]); close(pipes[2][0]) }
            if let console { close(console.ours) }
            reply(client, status(error: "\(error)"))
        case .success(let pid):
            var session = ExecSession(client: client, input: -1, terminal: nil)
            if let console, let master = try? TerminalProxy(socket: console.ours).receiveMaster() {
                session.terminal = master
                session.input = master
                outputs.append((master, "stdout", pid))
            } else if !tty {
                session.input = request.stdin == true ? pipes[0][1] : -1
                if request.stdin != true { close(pipes[0][1]) }
                outputs.append((pipes[1][0], "stdout", pid))
                outputs.append((pipes[2][0], "stderr", pid))
            }
            execs[pid] = session
            var s = status()
            s.pid = pid
            s.status = "running"
            reply(client, s)
        }
    }

    /// Output of an exec, to its client: raw with a tty, else Docker's multiplexed frames.
    mutating func execOutput(_ pid: Int32, _ bytes: ArraySlice<UInt8>, stream: String) {
        guard let session = execs[pid] else { return }
        var frame: [UInt8] = []
        if session.terminal == nil {
            let n = UInt32(bytes.count)
            frame = [stream == "stdout" ? 1 : 2, 0, 0, 0, UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff),
                     UInt8(n & 0xff)]
        }
        frame += bytes
        _ = try? FD.writeAll(session.client, frame)
    }

    mutating func execExited(_ pid: Int32, _ status: Int32) {
        guard execs[pid] != nil else { return }
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        execs[pid]?.exitCode = code
        execExits[pid] = code
        execMaybeDone(pid)
    }

    /// Once the process has exited and its output is drained, its stream ends.
    mutating func execMaybeDone(_ pid: Int32) {
        guard let session = execs[pid], session.exitCode != nil, !outputs.contains(where: { $0.owner == pid }) else { return }
        if session.input >= 0 && session.terminal == nil { close(session.input) }
        drop(session.client)
        execs[pid] = nil
    }

    mutating func execInputClosed(_ pid: Int32) {
        guard let session = execs[pid], session.terminal == nil, session.input >= 0 else { return }
        close(session.input)
        execs[pid]?.input = -1
    }
}
