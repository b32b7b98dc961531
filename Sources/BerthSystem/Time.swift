#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time formatted without Foundation (helpers stay light).
public enum WallClock {
    /// Now as RFC 3339 with nanoseconds, UTC, as Go's RFC3339Nano: `2026-11-23T14:53:38.12345678Z`.
    public static func rfc3339Nano() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return format(seconds: Int(ts.tv_sec), nanos: Int(ts.tv_nsec))
    }

    public static func format(seconds: Int, nanos: Int) -> String {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let ns = String(nanos)
        var frac = String(repeating: "0", count: max(0, 9 - ns.count)) + ns
        while frac.hasSuffix("0") { frac.removeLast() }   // as Go's RFC3339Nano
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T"
            + "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2))" + (frac.isEmpty ? "" : "." + frac) + "Z"
    }

    public static func monotonicMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000_000 + Int64(ts.tv_nsec) / 1_000
    }
    /// Monotonic milliseconds, for timeouts.
    public static func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Facts about a process from /proc.
public enum ProcFS {
    /// Field 3 (state) and field 22 (start time in clock ticks) of /proc/PID/stat.
    public static func stat(_ pid: Int32) -> (state: Character, startTime: UInt64)? {
        guard let text = try? Files.readString("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); start time is field 22 → index 19.
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return (state, start)
    }

    /// True when `pid` is alive (not a zombie) and, if given, started at `startTime`.
    public static func isAlive(_ pid: Int32, startTime: UInt64?) -> Bool {
        guard let s = stat(pid) else { return false }
        if s.state == "Z" || s.state == "X" { return false }
        if let startTime, s.startTime != startTime { return false }
        return true
    }
}

extension WallClock {
    /// Seconds since the epoch of an RFC 3339 UTC time (`2026-11-23T14:53:38.123Z`), or nil.
    public static func epochSeconds(_ text: String) -> Int? {
        let digits = text.utf8.map { Int($0) - 48 }
        guard digits.count >= 19 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            var v = 0
            for d in digits[from..<from + len] { guard (0...9).contains(d) else { return nil }; v = v * 10 + d }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let s = num(17, 2) else { return nil }
        var t = tm()
        t.tm_year = Int32(y - 1900); t.tm_mon = Int32(mo - 1); t.tm_mday = Int32(d)
        t.tm_hour = Int32(h); t.tm_min = Int32(mi); t.tm_sec = Int32(s)
        return Int(timegm(&t))
    }

    /// Now, in seconds since the epoch.
    public static func nowSeconds() -> Int { Int(time(nil)) }
}
