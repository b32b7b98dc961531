#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 times as Docker writes them (`2024-01-02T03:04:05.123456789Z`), without Foundation.
enum Timestamp {
    static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return format(ts)
    }

    static func format(_ ts: timespec) -> String {
        var t = time_t(ts.tv_sec)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ w: Int) -> String { String(v).leftPadded(w) }
        let date = "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))"
        let time = "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2))"
        var frac = ""
        if ts.tv_nsec != 0 {
            frac = "." + String(ts.tv_nsec).leftPadded(9)
            while frac.hasSuffix("0") { frac.removeLast() }
        }
        return date + "T" + time + frac + "Z"
    }
}
