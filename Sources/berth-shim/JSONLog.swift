#if canImport(Glibc)
import Glibc
#endif
import BerthRuntime
import BerthSystem

/// Docker's json-file log driver: one `{"log":…,"stream":…,"time":…}` line per output
/// line (lines longer than 16 KiB are split, as Docker does), rotated at `maxSize` bytes
/// into `maxFiles` files (`x.log`, `x.log.1`, …).
struct JSONLog {
    let path: String
    let maxSize: Int
    let maxFiles: Int
    private var fd: Int32
    private var size: Int
    private var partial: [String: [UInt8]] = [:]

    init(path: String, maxSize: Int = 0, maxFiles: Int = 1) throws {
        self.path = path
        self.maxSize = maxSize
        self.maxFiles = max(1, maxFiles)
        fd = try FD.open(path, O_WRONLY | O_CREAT | O_APPEND, mode: 0o640)
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    /// Adds output from `stream` ("stdout"/"stderr"); complete lines are written at once.
    mutating func append(_ bytes: ArraySlice<UInt8>, stream: String) {
        var pending = partial[stream, default: []]
        pending.append(contentsOf: bytes)
        var start = 0
        for i in pending.indices where pending[i] == 10 || i - start >= 16 * 1024 {
            write(Array(pending[start...i]), stream: stream)
            start = i + 1
        }
        partial[stream] = Array(pending[start...])
    }

    /// Writes what is left of unterminated lines (at exit).
    mutating func flush() {
        for (stream, rest) in partial where !rest.isEmpty { write(rest, stream: stream) }
        partial = [:]
    }

    private mutating func write(_ line: [UInt8], stream: String) {
        let entry = "{\"log\":\(Log.jsonString(String(decoding: line, as: UTF8.self))),\"stream\":\"\(stream)\","
            + "\"time\":\"\(WallClock.rfc3339Nano())\"}\n"
        let bytes = Array(entry.utf8)
        if maxSize > 0 && size + bytes.count > maxSize && size > 0 { rotate() }
        _ = try? FD.writeAll(fd, bytes, path: path)
        size += bytes.count
    }

    private mutating func rotate() {
        close(fd)
        if maxFiles > 1 {
            for i in stride(from: maxFiles - 1, to: 0, by: -1) {
                let from = i == 1 ? path : "\(path).\(i - 1)"
                _ = rename(from, "\(path).\(i)")
            }
        } else {
            _ = unlink(path)
        }
        fd = (try? FD.open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, mode: 0o640)) ?? -1
        size = 0
    }
}
