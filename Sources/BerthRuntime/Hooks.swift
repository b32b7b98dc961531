#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// Runs OCI hooks: each gets the container state on stdin and must finish within its
/// timeout. Only for single-threaded processes (it forks).
enum Hooks {
    static func run(_ hooks: [Spec.Hook]?, _ name: String, state: ContainerState) throws {
        for (i, hook) in (hooks ?? []).enumerated() {
            do { try runOne(hook, state: state) } catch {
                throw BerthError("\(name) hook #\(i) (\(hook.path)): \(error)")
            }
        }
    }

    private static func runOne(_ hook: Spec.Hook, state: ContainerState) throws {
        var pipeFDs: [Int32] = [0, 0]
        try sys("pipe2") { berth_pipe2(&pipeFDs, O_CLOEXEC) }
        let input = try OCIJSON.encode(state)
        let args = hook.args ?? [hook.path]
        let env = hook.env ?? []
        let pid = fork()
        if pid < 0 { throw SyscallError(syscall: "fork", code: errno) }
        if pid == 0 {
            dup2(pipeFDs[0], 0)
            execCStrings(hook.path, args, env)
            _exit(127)
        }
        close(pipeFDs[0])
        _ = try? FD.writeAll(pipeFDs[1], input)
        close(pipeFDs[1])
        let deadline = hook.timeout.map { WallClock.monotonicMillis() + Int64($0) * 1000 }
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw SyscallError(syscall: "waitpid", code: errno) }
            if let deadline, WallClock.monotonicMillis() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw BerthError("timed out after \(hook.timeout ?? 0)s")
            }
            usleep(1000)
        }
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        if !exited { throw BerthError("killed by signal \(status & 0x7f)") }
        if code != 0 { throw BerthError("exited with status \(code)") }
    }
}

/// execve with Swift strings; returns only on failure.
func execCStrings(_ path: String, _ args: [String], _ env: [String]) {
    var cargs = args.map { strdup($0) } + [nil]
    var cenv = env.map { strdup($0) } + [nil]
    execve(path, &cargs, &cenv)
}
