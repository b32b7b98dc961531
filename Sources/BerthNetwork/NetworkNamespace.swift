#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

/// Network namespace work for berthd, done by CBerth on a short-lived thread of its own: a
/// thread that joins (`setns`) or makes (`unshare`) a network namespace stays in it, so
/// berthd's own threads never do either (DESIGN.md keeps those calls in CBerth and the
/// runtime). What the thread made (a netlink socket, a bind mount) outlives it.
enum NetworkNamespace {
    /// A new network namespace, bind-mounted on `path` (an existing empty file), as
    /// `ip netns add` makes one.
    static func create(at path: String) throws(SyscallError) {
        var failed: UnsafePointer<CChar>?
        guard berth_netns_create_at(path, &failed) == 0 else {
            throw SyscallError(syscall: failed.map { String(cString: $0) } ?? "unshare", path: path, code: errno)
        }
    }

    /// A socket made inside the network namespace at `path`.
    static func socket(in path: String, domain: Int32, type: Int32, protocol: Int32) throws -> Int32 {
        let nsfd = try FD.open(path, O_RDONLY)
        defer { close(nsfd) }
        var failed: UnsafePointer<CChar>?
        let fd = berth_netns_socket(nsfd, domain, type, `protocol`, &failed)
        guard fd >= 0 else {
            throw SyscallError(syscall: failed.map { String(cString: $0) } ?? "setns", path: path, code: errno)
        }
        return fd
    }
}
