#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call, on what path, and the errno it returned.
/// Prints as crun does: ``mount `/…/rootfs/proc`: Operation not permitted``.
public struct SyscallError: Error, Equatable, CustomStringConvertible, Sendable, Codable {
    /// The system call's name, e.g. "mount", "pivot_root".
    public var syscall: String
    /// What the call acted on, when it acted on a path.
    public var path: String?
    /// The errno.
    public var code: Int32

    public init(syscall: String, path: String? = nil, code: Int32) {
        self.syscall = syscall
        self.path = path
        self.code = code
    }

    public var description: String {
        let reason = String(cString: strerror(code))
        if let path { return "\(syscall) `\(path)`: \(reason)" }
        return "\(syscall): \(reason)"
    }
}

/// Runs `call`, retrying on EINTR, and turns a -1 return into a `SyscallError` carrying
/// errno read at once.
@discardableResult
public func sys<T: FixedWidthInteger>(_ name: String, path: String? = nil, _ call: () -> T) throws(SyscallError) -> T {
    while true {
        let rc = call()
        guard rc == -1 else { return rc }
        let code = errno
        if code != EINTR { throw SyscallError(syscall: name, path: path, code: code) }
    }
}

/// A plain error with a message, for failures that are not one system call.
public struct BerthError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
