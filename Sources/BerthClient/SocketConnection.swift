#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

/// A connected unix stream socket with a read buffer, for the blocking HTTP client.
final class SocketConnection {
    private(set) var fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(path: String, hostDescription: String) throws(ClientError) {
        let fd = berth_unix_connect(path)
        guard fd >= 0 else {
            throw .cannotConnect(host: hostDescription, cause: SyscallError(syscall: "connect", path: path, code: errno))
        }
        self.fd = fd
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Gives up the descriptor and whatever was read past the HTTP head.
    func detach() -> (fd: Int32, buffered: [UInt8]) {
        let out = (fd, Array(buffer[start...]))
        fd = -1
        buffer = []
        start = 0
        return out
    }

    func writeAll(_ bytes: [UInt8]) throws(ClientError) {
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

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws(ClientError) -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(SyscallError(syscall: "read", code: errno))
            }
            if n == 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
    }

    /// One line without its CRLF (or LF); nil at end of stream before any byte.
    func readLine() throws(ClientError) -> String? {
        var scanned = 0    // bytes after `start` already searched; fill() may move `start`
        while true {
            if let nl = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                var end = nl
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = nl + 1
                return line
            }
            scanned = buffer.count - start
            guard try fill() else {
                if start == buffer.count { return nil }
                throw .protocolError("connection closed in the middle of a line")
            }
        }
    }

    /// Exactly `count` bytes.
    func readExactly(_ count: Int) throws(ClientError) -> [UInt8] {
        while buffer.count - start < count {
            guard try fill() else { throw .protocolError("connection closed before the end of the body") }
        }
        let out = Array(buffer[start..<(start + count)])
        start += count
        return out
    }

    /// Up to `max` bytes: what is buffered, else one read. nil at end of stream.
    func readSome(max: Int = 65536) throws(ClientError) -> [UInt8]? {
        if start == buffer.count {
            guard try fill() else { return nil }
        }
        let end = min(buffer.count, start + max)
        let out = Array(buffer[start..<end])
        start = end
        return out
    }
}
