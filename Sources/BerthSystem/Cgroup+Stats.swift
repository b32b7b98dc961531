#if canImport(Glibc)
import Glibc
#endif

/// One reading of a cgroup's counters, in the units Docker's stats use: CPU time in
/// nanoseconds, memory in bytes. Fields a host lacks stay nil.
public struct CgroupStats: Sendable {
    public var cpuTotal: UInt64 = 0
    /// v1's cpuacct.usage_percpu; v2 has no per-CPU figures.
    public var cpuPerCPU: [UInt64]?
    public var cpuKernel: UInt64 = 0
    public var cpuUser: UInt64 = 0
    public var throttlePeriods: UInt64 = 0
    public var throttledPeriods: UInt64 = 0
    public var throttledTime: UInt64 = 0
    public var memoryUsage: UInt64 = 0
    public var memoryMaxUsage: UInt64?
    /// nil when unlimited.
    public var memoryLimit: UInt64?
    public var memoryFailcnt: UInt64?
    /// memory.stat, in the file's order.
    public var memoryStat: [(key: String, value: UInt64)] = []
    public var pidsCurrent: UInt64 = 0
    /// nil when unlimited.
    public var pidsLimit: UInt64?
    /// Bytes and operations per device: v1's `Read`/`Write`/… rows, v2's `read`/`write`.
    public var ioServiceBytes: [BlkioEntry] = []
    public var ioServiced: [BlkioEntry] = []

    public init() {}

    /// One row of Docker's `blkio_stats` lists.
    public struct BlkioEntry: Sendable, Equatable {
        public var major: UInt64
        public var minor: UInt64
        public var op: String
        public var value: UInt64
    }
}

extension Cgroup {
    /// Reads the container's counters (cgroup v1 controllers or the v2 directory).
    public func stats() -> CgroupStats {
        let dirs = self.dirs
        let read: (String, String) -> String? = { controller, file in
            dirs[controller].flatMap { try? Files.readString($0 + "/" + file) }
        }
        return version == .v2 ? Self.statsV2 { read("", $0) } : Self.statsV1(read)
    }

    /// `key value` lines (memory.stat, cpu.stat, cpuacct.stat).
    static func keyValues(_ text: String?) -> [(key: String, value: UInt64)] {
        (text ?? "").split(separator: "\n").compactMap { (line: Substring) -> (key: String, value: UInt64)? in
            let f = line.split(separator: " ")
            guard f.count == 2, let v = UInt64(f[1]) else { return nil }
            return (String(f[0]), v)
        }
    }

    /// v1 from the controllers' files; `read(controller, file)` gives a file's text.
    static func statsV1(_ read: (String, String) -> String?) -> CgroupStats {
        func number(_ controller: String, _ file: String) -> UInt64? {
            read(controller, file).flatMap { UInt64($0.trimmingSpaces) }
        }
        var s = CgroupStats()
        let ticks = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        s.cpuTotal = number("cpuacct", "cpuacct.usage") ?? 0
        s.cpuPerCPU = read("cpuacct", "cpuacct.usage_percpu").map { $0.split(separator: " ").compactMap { UInt64(String($0).trimmingSpaces) } }
        for (k, v) in keyValues(read("cpuacct", "cpuacct.stat")) {
            if k == "user" { s.cpuUser = v * 1_000_000_000 / ticks }
            if k == "system" { s.cpuKernel = v * 1_000_000_000 / ticks }
        }
        for (k, v) in keyValues(read("cpu", "cpu.stat")) {
            switch k {
            case "nr_periods": s.throttlePeriods = v
            case "nr_throttled": s.throttledPeriods = v
            case "throttled_time": s.throttledTime = v
            default: break
            }
        }
        s.memoryUsage = number("memory", "memory.usage_in_bytes") ?? 0
        s.memoryMaxUsage = number("memory", "memory.max_usage_in_bytes")
        s.memoryFailcnt = number("memory", "memory.failcnt")
        // An unlimited v1 cgroup reports a number near 2^63.
        s.memoryLimit = number("memory", "memory.limit_in_bytes").flatMap { $0 >= 1 << 62 ? nil : $0 }
        s.memoryStat = keyValues(read("memory", "memory.stat"))
        s.pidsCurrent = number("pids", "pids.current") ?? 0
        s.pidsLimit = number("pids", "pids.max")
        s.ioServiceBytes = blkioV1(read("blkio", "blkio.throttle.io_service_bytes_recursive"))
        s.ioServiced = blkioV1(read("blkio", "blkio.throttle.io_serviced_recursive"))
        return s
    }

    /// `8:0 Read 4096` rows; the `Total` line is left out, as Docker does.
    static func blkioV1(_ text: String?) -> [CgroupStats.BlkioEntry] {
        (text ?? "").split(separator: "\n").compactMap { (line: Substring) -> CgroupStats.BlkioEntry? in
            let f = line.split(separator: " ")
            guard f.count == 3, let v = UInt64(f[2]) else { return nil }
            let dev = f[0].split(separator: ":")
            guard dev.count == 2, let major = UInt64(dev[0]), let minor = UInt64(dev[1]) else { return nil }
            return .init(major: major, minor: minor, op: String(f[1]), value: v)
        }
    }

    /// v2 from the cgroup directory's files; `read(file)` gives a file's text.
    static func statsV2(_ read: (String) -> String?) -> CgroupStats {
        func number(_ file: String) -> UInt64? { read(file).flatMap { UInt64($0.trimmingSpaces) } }
        var s = CgroupStats()
        for (k, v) in keyValues(read("cpu.stat")) {
            switch k {
            case "usage_usec": s.cpuTotal = v * 1000
            case "user_usec": s.cpuUser = v * 1000
            case "system_usec": s.cpuKernel = v * 1000
            case "nr_periods": s.throttlePeriods = v
            case "nr_throttled": s.throttledPeriods = v
            case "throttled_usec": s.throttledTime = v * 1000
            default: break
            }
        }
        s.memoryUsage = number("memory.current") ?? 0
        s.memoryMaxUsage = number("memory.peak")
        s.memoryLimit = number("memory.max")
        s.memoryStat = keyValues(read("memory.stat"))
        for (k, v) in keyValues(read("memory.events")) where k == "max" { s.memoryFailcnt = v }
        s.pidsCurrent = number("pids.current") ?? 0
        s.pidsLimit = number("pids.max")
        for line in (read("io.stat") ?? "").split(separator: "\n") {
            let f = line.split(separator: " ")
            let dev = f.first?.split(separator: ":") ?? []
            guard dev.count == 2, let major = UInt64(dev[0]), let minor = UInt64(dev[1]) else { continue }
            for kv in f.dropFirst() {
                let p = kv.split(separator: "=")
                guard p.count == 2, let v = UInt64(p[1]) else { continue }
                switch p[0] {
                case "rbytes": s.ioServiceBytes.append(.init(major: major, minor: minor, op: "read", value: v))
                case "wbytes": s.ioServiceBytes.append(.init(major: major, minor: minor, op: "write", value: v))
                case "rios": s.ioServiced.append(.init(major: major, minor: minor, op: "read", value: v))
                case "wios": s.ioServiced.append(.init(major: major, minor: minor, op: "write", value: v))
                default: break
                }
            }
        }
        return s
    }
}

/// Host-wide figures Docker's stats carry next to a container's.
public enum HostStats {
    /// moby's `getSystemCPUUsage`: the first line of /proc/stat (user through softirq) in
    /// nanoseconds.
    public static func systemCPUUsage() -> UInt64 {
        guard let text = try? Files.readString("/proc/stat"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return 0 }
        let ticks = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        let fields = line.split(separator: " ").dropFirst().prefix(7).compactMap { UInt64($0) }
        return fields.reduce(0, +) * 1_000_000_000 / ticks
    }

    public static var onlineCPUs: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// MemTotal from /proc/meminfo in bytes: the limit Docker shows for an unlimited container.
    public static func memoryTotal() -> UInt64 {
        guard let text = try? Files.readString("/proc/meminfo"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }) else { return 0 }
        let kb = line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) } ?? 0
        return kb * 1024
    }

    /// Per-interface counters from a process's /proc/PID/net/dev (its network namespace),
    /// loopback left out as Docker does.
    public static func networks(pid: Int32) -> [(name: String, counters: [UInt64])] {
        guard pid > 0, let text = try? Files.readString("/proc/\(pid)/net/dev") else { return [] }
        return text.split(separator: "\n").dropFirst(2).compactMap { (line: Substring) -> (name: String, counters: [UInt64])? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let name = String(parts[0]).trimmingSpaces
            guard name != "lo" else { return nil }
            let counters = parts[1].split(separator: " ").compactMap { UInt64($0) }
            return counters.count >= 16 ? (name, counters) : nil
        }
    }
}
