#if canImport(Glibc)
import Glibc
#endif

/// Starting helper programs from berthd, which is multi-threaded and never forks (DESIGN.md).
public enum Spawn {
    /// `posix_spawn` with an empty signal mask and default signal handlers in the child:
    /// berthd blocks and ignores signals of its own, and a helper would inherit that (and
    /// pass it on: aardvark-dns, started by netavark, would ignore SIGTERM). Returns 0 or
    /// the error number.
    public static func withCleanSignals(
        _ pid: inout pid_t, _ path: String, _ actions: inout posix_spawn_file_actions_t,
        _ argv: UnsafePointer<UnsafeMutablePointer<CChar>?>, _ envp: UnsafePointer<UnsafeMutablePointer<CChar>?>
    ) -> Int32 {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        return posix_spawn(&pid, path, &actions, &attr, argv, envp)
    }
}
