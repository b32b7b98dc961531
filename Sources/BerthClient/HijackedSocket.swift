#if canImport(Glibc)
import Glibc
#endif
import BerthSystem

/// A connection the daemon switched out of HTTP (attach, exec): raw bytes both ways.
/// The descriptor is closed when this goes away.
public final class HijackedSocket {
    /// The socket; usable with poll(2) alongside a terminal.
    public let fd: Int32
    /// Bytes the daemon sent after its head, read before the switch; `read` returns
    /// these first.
    private var buffered: [UInt8]

    init(fd: Int32, buffered: [UInt8]) {
        self.fd = fd
        self.buffered = buffered
    }

    deinit { close(fd) }

    /// Whether bytes read before the switch are still waiting; poll(2) on `fd` does not
    /// see them, so a caller drains `read` first while this is true.
    public var hasBuffered: Bool { !buffered.isEmpty }

    /// Up to `max` bytes; nil at end of stream.
    public func read(max: Int = 65536) throws(ClientError) -> [UInt8]? {
        if !buffered.isEmpty {
            let out = Array(buffered.prefix(max))
            buffered.removeFirst(out.count)
            return out
        }
        var chunk = [UInt8](repeating: 0, count: max)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(SyscallError(syscall: "read", code: errno))
            }
            return n == 0 ? nil : Array(chunk[0..<n])
        }
    }

    public func write(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(SyscallError(syscall: "send", code: errno))
            }
            offset += n
        }
    }

    /// Half-closes: the daemon sees end of input (stdin closed) and can still send.
    public func closeWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }
}
