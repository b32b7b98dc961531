#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// Messages between the runtime and the container's init over a socketpair.
enum InitMessage: Codable, Sendable {
    /// runtime → init: cgroup joined and id maps written; go on.
    case go
    /// init → runtime: namespaces and mounts are ready; run prestart/createRuntime hooks.
    case runCreateRuntimeHooks
    /// runtime → init: hooks done.
    case hooksDone
    /// init → runtime: set up, about to wait on the exec FIFO (or to exec, for `exec`).
    case created
    /// runtime → init: state recorded; the runtime is about to exit, so drop PDEATHSIG.
    case ack
    /// init → runtime, then _exit(1).
    case failed(ChildFailure)
}

/// A length-prefixed JSON message stream over a unix socket. File descriptors travel with
/// SCM_RIGHTS beside a message.
public struct SyncChannel {
    let fd: Int32

    func send(_ message: InitMessage, fd passing: Int32 = -1) throws {
        let body = try OCIJSON.encode(message)
        var frame = withUnsafeBytes(of: UInt32(body.count).bigEndian) { Array($0) }
        frame += body
        try sys("sendmsg") { frame.withUnsafeBytes { berth_send_fd(fd, passing, $0.baseAddress, $0.count) } }
    }

    /// The next message, or nil at end of stream (the peer exited or exec'd).
    func receive() throws -> InitMessage? {
        guard let header = try readExactly(4) else { return nil }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length < 1 << 24, let body = try readExactly(length) else {
            throw RuntimeError.system("sync socket: truncated message")
        }
        return try OCIJSON.decode(InitMessage.self, from: body)
    }

    private func readExactly(_ count: Int) throws -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = try out.withUnsafeMutableBytes { buf in
                try sys("read(sync socket)") { read(fd, buf.baseAddress! + got, count - got) }
            }
            if n == 0 { if got == 0 { return nil }; throw RuntimeError.system("sync socket: truncated message") }
            got += n
        }
        return out
    }

    /// A connected pair, both ends close-on-exec.
    public static func pair() throws -> (parent: Int32, child: Int32) {
        var fds: [Int32] = [0, 0]
        try sys("socketpair") { socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        return (fds[0], fds[1])
    }
}
