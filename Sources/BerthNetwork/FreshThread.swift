#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

/// Namespace work on a short-lived thread of its own. A thread that joins (`setns`) or makes
/// (`unshare`) a network namespace stays in it; doing that on a thread that then ends keeps
/// berthd's own threads where they are. What the thread made (a netlink socket, a bind
/// mount) outlives it.
enum FreshThread {
    /// Runs `body` on a new thread and waits for it.
    static func run(_ what: String, _ body: @escaping () throws(SyscallError) -> Int32) throws(SyscallError) -> Int32 {
        final class Job {
            let body: () throws(SyscallError) -> Int32
            var result: Result<Int32, SyscallError> = .failure(SyscallError(syscall: "pthread_create", path: nil, code: EAGAIN))
            init(_ body: @escaping () throws(SyscallError) -> Int32) { self.body = body }
        }
        let job = Job(body)
        let raw = Unmanaged.passRetained(job).toOpaque()
        defer { Unmanaged<Job>.fromOpaque(raw).release() }
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            let job = Unmanaged<Job>.fromOpaque(arg!).takeUnretainedValue()
            job.result = Result { () throws(SyscallError) -> Int32 in try job.body() }
            return nil
        }, raw)
        guard rc == 0 else { throw SyscallError(syscall: "pthread_create", path: what, code: rc) }
        pthread_join(thread, nil)
        return try job.result.get()
    }

    /// A new network namespace, bind-mounted on `path` (an existing empty file), as
    /// `ip netns add` makes one.
    static func newNetworkNamespace(at path: String) throws(SyscallError) {
        _ = try run(path) { () throws(SyscallError) -> Int32 in
            _ = try sys("unshare", path: path) { berth_unshare(Int32(BERTH_CLONE_NEWNET)) }
            // MS_BIND (4096): the namespace lives as long as the mount.
            return try sys("mount", path: path) { berth_mount("/proc/thread-self/ns/net", path, nil, 4096, nil) }
        }
    }
}
