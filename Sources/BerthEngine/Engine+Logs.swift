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
        guard let bytes = try? Files.read(path), bytes.count > offset else { return ([], offset) }
        var entries: [LogEntry] = []
        var start = offset
        for i in offset..<bytes.count where bytes[i] == 10 {
            if let e = try? OCIJSON.decode(LogEntry.self, from: Array(bytes[start..<i])) { entries.append(e) }
            start = i + 1
        }
        return (entries, start)
    }
}
