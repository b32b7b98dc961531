#if canImport(Glibc)
import Glibc
#endif

/// Resource limits by the names the OCI spec uses (`RLIMIT_NOFILE`).
public enum Rlimits {
    public static let numbers: [String: Int32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
        "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
        "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
        "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]

    public static func set(_ name: String, soft: UInt64, hard: UInt64) throws {
        guard let n = numbers[name] else { throw BerthError("unknown rlimit \"\(name)\"") }
        var lim = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        try sys("setrlimit(\(name))") { setrlimit(__rlimit_resource_t(UInt32(n)), &lim) }
    }
}

/// Signal names as `kill` takes them: `KILL`, `SIGKILL`, `9`.
public enum Signals {
    public static let numbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
        "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17,
        "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25,
        "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31,
    ]

    public static func parse(_ s: String) -> Int32? {
        if let n = Int32(s), n > 0, n < 65 { return n }
        var name = s.uppercased()
        if name.hasPrefix("SIG") { name = String(name.dropFirst(3)) }
        if let n = numbers[name] { return n }
        if name.hasPrefix("RTMIN+"), let k = Int32(name.dropFirst(6)) { return 34 + k }
        if name == "RTMIN" { return 34 }
        if name.hasPrefix("RTMAX-"), let k = Int32(name.dropFirst(6)) { return 64 - k }
        if name == "RTMAX" { return 64 }
        return nil
    }
}
