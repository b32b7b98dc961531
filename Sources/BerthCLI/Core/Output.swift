#if canImport(Glibc)
import Glibc
#endif

/// Where a command writes: a file descriptor (stdout, stderr) or a buffer (tests).
public final class Output {
    /// The descriptor, or nil when capturing.
    public let fd: Int32?
    /// What was written, when capturing.
    public private(set) var captured = ""
    /// The raw bytes written, when capturing (logs, archives).
    public private(set) var capturedBytes: [UInt8] = []
    /// Whether a capturing output pretends to be a terminal (tests of tty rendering).
    private let fakeTerminal: Bool

    /// Writes go to `fd`.
    public init(fd: Int32) {
        self.fd = fd
        self.fakeTerminal = false
    }

    /// Writes are kept in `captured`.
    public init(terminal: Bool = false) {
        self.fd = nil
        self.fakeTerminal = terminal
    }

    /// Whether this output is a terminal, as `isatty(3)` says.
    public var isTerminal: Bool {
        guard let fd else { return fakeTerminal }
        return isatty(fd) == 1
    }

    public func write(_ text: String) {
        guard fd != nil else {
            captured += text
            capturedBytes += Array(text.utf8)
            return
        }
        write(bytes: Array(text.utf8))
    }

    /// Writes bytes as they are (container output, tar archives).
    public func write(bytes: [UInt8]) {
        guard let fd else {
            captured += String(decoding: bytes, as: UTF8.self)
            capturedBytes += bytes
            return
        }
        var rest = bytes[...]
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            rest = rest.dropFirst(n)
        }
    }

    /// Writes `text` and a newline.
    public func line(_ text: String = "") { write(text + "\n") }
}
