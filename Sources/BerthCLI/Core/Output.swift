#if canImport(Glibc)
import Glibc
#endif

/// Where a command writes: a file descriptor (stdout, stderr) or a buffer (tests).
public final class Output {
    private let fd: Int32?
    /// What was written, when capturing.
    public private(set) var captured = ""

    /// Writes go to `fd`.
    public init(fd: Int32) { self.fd = fd }

    /// Writes are kept in `captured`.
    public init() { self.fd = nil }

    public func write(_ text: String) {
        guard let fd else {
            captured += text
            return
        }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Writes `text` and a newline.
    public func line(_ text: String = "") { write(text + "\n") }
}
