#if canImport(Glibc)
import Glibc
#endif

/// Time without Foundation: the wall clock, RFC 3339 timestamps, Go durations.
enum Clock {
    /// Seconds since the epoch, with a fraction.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Parses `2013-01-02T13:23:37.123456789Z`, `…+01:00`, `2013-01-02T13:23:37`,
    /// `2013-01-02T13:23`, `2013-01-02`; a time without a zone is UTC.
    /// Returns seconds and nanoseconds since the epoch.
    static func parseTimestamp(_ text: String) -> (seconds: Int64, nanos: Int64)? {
        let bytes = Array(text.utf8)
        var i = 0
        func number(_ count: Int) -> Int64? {
            guard i + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for b in bytes[i..<(i + count)] {
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int64(b - 48)
            }
            i += count
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard i < bytes.count, bytes[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanos: Int64 = 0, offset: Int64 = 0
        if i < bytes.count {
            guard expect("T") || expect(" "), let h = number(2), expect(":"), let m = number(2) else { return nil }
            hour = h
            minute = m
            if expect(":") {
                guard let s = number(2) else { return nil }
                second = s
                if expect(".") {
                    var digits = 0
                    while i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 {
                        if digits < 9 { nanos = nanos * 10 + Int64(bytes[i] - 48); digits += 1 }
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in digits..<9 { nanos *= 10 }
                }
            }
            if expect("Z") || expect("z") {
            } else if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                let sign: Int64 = bytes[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = number(2), expect(":"), let om = number(2) else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == bytes.count, (1...12).contains(month), (1...31).contains(day) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return (days * 86400 + hour * 3600 + minute * 60 + second - offset, nanos)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// What `--since`/`--until` send to the daemon, as Docker's `GetTimestamp`: a Go
    /// duration counts back from now (whole seconds), a date becomes `seconds.nanos`,
    /// a unix timestamp passes through.
    static func apiTimestamp(_ value: String, now: Double = Clock.now()) throws(CLIError) -> String {
        if value != "0", let duration = GoDuration.parse(value) {
            return String(Int64((now - duration).rounded(.down)))
        }
        if let (seconds, nanos) = parseTimestamp(value) {
            let text = String(nanos)
            return "\(seconds)." + String(repeating: "0", count: 9 - text.count) + text
        }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        if !value.contains("-"), parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            return value
        }
        throw CLIError("failed to parse value as time or duration: \"\(value)\"")
    }

    /// `2013-01-02T13:23:37Z`, as Go's `time.RFC3339` prints a UTC time.
    static func rfc3339(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ width: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1))-\(pad(tm.tm_mday))T\(pad(tm.tm_hour)):\(pad(tm.tm_min)):\(pad(tm.tm_sec))Z"
    }

    /// `2013-01-02 13:23:37 +0000 UTC`, as Go prints a `time.Time` (`docker ps`'s CreatedAt).
    static func goTimeString(_ seconds: Int64) -> String {
        let text = rfc3339(seconds)
        return text.prefix(10) + " " + text.dropFirst(11).prefix(8) + " +0000 UTC"
    }
}

/// Go's `time.Duration` text: `1h30m`, `1.5s`, `300ms`.
enum GoDuration {
    /// Seconds, or nil when `text` is not a Go duration.
    static func parse(_ text: String) -> Double? {
        var rest = Substring(text)
        var sign = 1.0
        if rest.first == "-" || rest.first == "+" {
            if rest.first == "-" { sign = -1 }
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix(while: { $0.isNumber || $0 == "." })
            guard !number.isEmpty, number != ".", let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            // "m" must not swallow the "m" of "ms".
            let matched = units.filter { rest.hasPrefix($0.0) }.max { $0.0.count < $1.0.count } ?? unit
            total += value * matched.1
            rest = rest.dropFirst(matched.0.count)
        }
        return sign * total
    }

    /// Whole seconds as Go prints a duration: `0s`, `45s`, `1m5s`, `2h0m3s`.
    static func format(seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        let sign = seconds < 0 ? "-" : ""
        var s = abs(seconds)
        let h = s / 3600
        s %= 3600
        let m = s / 60
        s %= 60
        if h > 0 { return "\(sign)\(h)h\(m)m\(s)s" }
        if m > 0 { return "\(sign)\(m)m\(s)s" }
        return "\(sign)\(s)s"
    }
}
