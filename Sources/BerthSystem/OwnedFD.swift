#if canImport(Glibc)
import Glibc
#endif
import CBerth

/// A file descriptor with one owner; closed when the owner goes away.
public struct OwnedFD: ~Copyable {
    public let raw: Int32
    public init(_ raw: Int32) { self.raw = raw }
    /// Gives up ownership without closing.
    public consuming func release() -> Int32 {
        let fd = raw
        discard self
        return fd
    }
    deinit { _ = close(raw) }
}

public enum FD {
    /// Opens `path`; the error names the path.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        try sys("open", path: path) { Glibc.open(path, flags | BERTH_O_CLOEXEC, mode) }
    }

    /// Writes all of `bytes` to `fd`.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String? = nil) throws {
        var offset = 0
        while offset < bytes.count {
            let n = try bytes.withUnsafeBytes { (buf) throws -> Int in
                try sys("write", path: path) { Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset) }
            }
            offset += n
        }
    }

    /// Writes all of `buffer` to `fd`.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String? = nil) throws {
        var offset = 0
        while offset < buffer.count {
            offset += try sys("write", path: path) { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
        }
    }

    /// Reads until end of file.
    public static func readAll(_ fd: Int32, path: String? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try buf.withUnsafeMutableBytes { (b) throws -> Int in
                try sys("read", path: path) { Glibc.read(fd, b.baseAddress, b.count) }
            }
            if n == 0 { return out }
            out.append(contentsOf: buf[0..<n])
        }
    }

    public static func setCloexec(_ fd: Int32, _ on: Bool) {
        let flags = fcntl(fd, F_GETFD)
        _ = fcntl(fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC)
    }
}
