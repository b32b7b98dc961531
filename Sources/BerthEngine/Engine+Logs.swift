#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthOCI
import BerthSystem

/// One line of the json-file log.
public struct LogEntry: Codable, Sendable {
    public var log: String
    public var stream: String
    public var time: String
}

extension Engine {
    /// The json-file log of a container, and whether it still runs (for `follow`).
    public func logSource(_ ref: String) throws -> (path: String, tty: Bool, id: String) {
        let c = try lookup(ref)
        return (shimDir(c.id) + "/json.log", c.config.tty ?? false, c.id)
    }

    public func isRunning(_ id: String) -> Bool { containers[id]?.state.running ?? false }

    /// Parses log lines from `offset`; returns the entries and the new offset (only whole lines).
    public nonisolated func readLog(_ path: String, from offset: Int) -> ([LogEntry], Int) {
        guard let bytes = try? Files.read(path) else { return ([], offset) }
        return parseLog(bytes, from: offset)
    }

    /// The same from an open log file: a follower holds it open, so the lines a short-lived
    /// container wrote are still read when it is removed (unlinked) before the next poll, as
    /// `docker run` without -d (docker-py's `containers.run`) follows, waits, then removes.
    public nonisolated func readLog(fd: Int32, from offset: Int) -> ([LogEntry], Int) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset + bytes.count)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let (entries, consumed) = parseLog(bytes, from: 0)
        return (entries, offset + consumed)
    }

    private nonisolated func parseLog(_ bytes: [UInt8], from offset: Int) -> ([LogEntry], Int) {
        guard bytes.count > offset else { return ([], offset) }
        var entries: [LogEntry] = []
        var start = offset
        for i in offset..<bytes.count where bytes[i] == 10 {
            if let e = try? OCIJSON.decode(LogEntry.self, from: Array(bytes[start..<i])) { entries.append(e) }
            start = i + 1
        }
        return (entries, start)
    }
}
