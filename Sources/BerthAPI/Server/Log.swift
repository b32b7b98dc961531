#if canImport(Glibc)
import Glibc
#endif

/// The daemon's log: one line per message on stderr, in logrus's text format as dockerd
/// writes it (`time="…" level=info msg="…"`), so existing log tooling reads it.
public struct Log: Sendable {
    /// Severity, lowest first.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warn, error, fatal

        /// Parses dockerd's `--log-level` names.
        public init?(name: String) {
            switch name.lowercased() {
            case "debug", "trace": self = .debug
            case "info": self = .info
            case "warn", "warning": self = .warn
            case "error": self = .error
            case "fatal", "panic": self = .fatal
            default: return nil
            }
        }

        var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warn: "warning"
            case .error: "error"
            case .fatal: "fatal"
            }
        }

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    public var level: Level
    private let sink: @Sendable (String) -> Void

    /// A log writing to stderr.
    public init(level: Level = .info) {
        self.level = level
        self.sink = { line in
            var bytes = Array(line.utf8)
            bytes.append(0x0A)
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
    }

    /// A log handing each formatted line to `sink` (tests).
    public init(level: Level, sink: @escaping @Sendable (String) -> Void) {
        self.level = level
        self.sink = sink
    }

    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warn(_ message: @autoclosure () -> String) { log(.warn, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }

    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= self.level else { return }
        var quoted = ""
        for scalar in message().unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        sink("time=\"\(Timestamp.rfc3339Nano())\" level=\(level.name) msg=\"\(quoted)\"")
    }
}

/// Times printed as Go prints `time.Time` in RFC 3339 with nanoseconds, in UTC.
public enum Timestamp {
    public static func rfc3339Nano(seconds: Int? = nil, nanoseconds: Int? = nil) -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(seconds ?? Int(ts.tv_sec))
        let nanos = nanoseconds ?? Int(ts.tv_nsec)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var frac = String(nanos)
        frac = String(repeating: "0", count: 9 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + (frac.isEmpty ? "" : "." + frac) + "Z"
    }
}
