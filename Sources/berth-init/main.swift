// berth-init: pid 1 of a `--init` container, as tini is Docker's `docker-init`. berthd
// bind-mounts this (statically linked) binary at /sbin/docker-init and runs
// `/sbin/docker-init -- CMD...`. It starts CMD as its child, forwards the signals it gets to
// it, reaps every zombie reparented to it, and exits with the child's status (128+signal
// when a signal ended it). Single-threaded, no Foundation: a few hundred KiB of memory.
#if canImport(Glibc)
import Glibc
#endif

/// Writes `berth-init: message` to stderr and exits 127 (the child could not run).
func fail(_ message: String) -> Never {
    let line = Array("berth-init: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(127)
}

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "--" { args.removeFirst() }
if args.isEmpty { fail("usage: berth-init -- COMMAND [ARG...]") }

// Block every signal but those the kernel sends for faults, then take them with
// sigtimedwait: a blocked signal reaches pid 1 even without a handler (a pid-1 process
// ignores signals it has no handler for, so they must not be left at their default).
var all = sigset_t(), original = sigset_t()
sigfillset(&all)
for sig in [SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS] { sigdelset(&all, sig) }
sigprocmask(SIG_SETMASK, &all, &original)

// The child gets the original mask and default handlers: posix_spawn, not fork, so there
// is nothing to get wrong between fork and exec.
var attr = posix_spawnattr_t()
posix_spawnattr_init(&attr)
var defaults = sigset_t()
sigfillset(&defaults)
posix_spawnattr_setsigdefault(&attr, &defaults)
posix_spawnattr_setsigmask(&attr, &original)
posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
var cargs = args.map { strdup($0) } + [nil]
var child: pid_t = 0
let rc = posix_spawnp(&child, args[0], nil, &attr, &cargs, environ)
posix_spawnattr_destroy(&attr)
if rc != 0 { fail("exec \(args[0]): \(String(cString: strerror(rc)))") }

var exitStatus: Int32? = nil
while true {
    var info = siginfo_t()
    var timeout = timespec(tv_sec: 1, tv_nsec: 0)   // also reaps if a SIGCHLD was coalesced
    let sig = sigtimedwait(&all, &info, &timeout)
    if sig > 0 && sig != SIGCHLD {
        kill(child, sig)
        continue
    }
    // Reap everything that has exited: the child, and orphans reparented to pid 1.
    while true {
        var status: Int32 = 0
        let pid = waitpid(-1, &status, WNOHANG)
        if pid <= 0 { break }
        if pid == child {
            let signaled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
            exitStatus = signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff
        }
    }
    if let code = exitStatus { exit(code) }
}
