#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

/// Runs a helper program (netavark, ip) with posix_spawn: berthd is multi-threaded and
/// never forks (DESIGN.md). Output goes to files, not pipes: netavark starts aardvark-dns,
/// a daemon that would inherit a pipe and keep it open long after netavark has exited.
enum Subprocess {
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
    }

    /// Runs `argv` with `input` on stdin; `scratch` is a directory for the output files.
    static func run(_ argv: [String], input: [UInt8] = [], scratch: String) throws -> Result {
        let outPath = scratch + "/spawn-\(getpid())-\(pthread_self()).out"
        let errPath = outPath.dropLast(4) + ".err"
        let inPath = outPath.dropLast(4) + ".in"
        defer { unlink(outPath); unlink(String(errPath)); unlink(String(inPath)) }
        try Files.write(String(inPath), input, mode: 0o600)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, String(inPath), O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, String(errPath), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        let env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        let cenv = env.map { strdup($0) } + [nil]
        defer { cenv.forEach { free($0) } }
        var pid: pid_t = 0
        // A fresh signal mask and default handlers (see Spawn).
        let rc = Spawn.withCleanSignals(&pid, argv[0], &actions, cargs, cenv)
        guard rc == 0 else { throw SyscallError(syscall: "posix_spawn", path: argv[0], code: rc) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw SyscallError(syscall: "waitpid", path: argv[0], code: errno) }
        }
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let out = (try? Files.read(outPath)) ?? []
        let err = (try? Files.readString(String(errPath))) ?? ""
        return Result(status: code, stdout: out, stderr: err)
    }
}
