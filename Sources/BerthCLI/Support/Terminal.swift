#if canImport(Glibc)
import Glibc
#endif
import CBerth

/// The local terminal: size, raw mode for `run -it`, password prompts.
enum Terminal {
    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Rows and columns of the terminal on `fd`, or nil when it is not one.
    static func size(_ fd: Int32) -> (rows: Int, columns: Int)? {
        var rows: UInt16 = 0, columns: UInt16 = 0
        guard berth_get_winsize(fd, &rows, &columns) == 0, rows > 0 || columns > 0 else { return nil }
        return (Int(rows), Int(columns))
    }

    /// The terminal on `fd` put in raw mode (moby/term `MakeRaw`: no echo, no line
    /// editing, no signals from keys, no output processing) until `restore()`.
    final class RawMode {
        private let fd: Int32
        private var saved = termios()
        private var active = false

        init?(fd: Int32) {
            self.fd = fd
            guard tcgetattr(fd, &saved) == 0 else { return nil }
            var raw = saved
            cfmakeraw(&raw)
            guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return nil }
            active = true
        }

        func restore() {
            guard active else { return }
            active = false
            var original = saved
            tcsetattr(fd, TCSANOW, &original)
        }

        deinit { restore() }
    }

    /// Reads one line from `fd` without echo when it is a terminal (`docker login`'s
    /// password prompt); nil at end of input.
    static func readSecret(fd: Int32) -> String? {
        var saved = termios()
        let isTTY = tcgetattr(fd, &saved) == 0
        if isTTY {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            quiet.c_lflag |= tcflag_t(ECHONL)
            tcsetattr(fd, TCSANOW, &quiet)
        }
        defer { if isTTY { tcsetattr(fd, TCSANOW, &saved) } }
        return readLine(fd: fd)
    }

    /// One line from `fd` (without its newline), read a byte at a time so nothing past
    /// the line is consumed; nil at end of input before any byte.
    static func readLine(fd: Int32) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == 0x0A { break }
            bytes.append(byte)
        }
        if bytes.last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Everything on `fd` until its end.
    static func readAll(fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}
