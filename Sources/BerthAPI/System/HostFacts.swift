#if canImport(Glibc)
import Glibc
#endif
import BerthSystem

/// Facts about the host read from the kernel and /etc, for `/info` and `/version`.
public enum HostFacts {
    /// `uname -r`, `uname -m` and the host name.
    public static func uname() -> (release: String, machine: String, nodename: String) {
        var u = utsname()
        guard Glibc.uname(&u) == 0 else { return ("", "", "") }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return (field(u.release), field(u.machine), field(u.nodename))
    }

    /// Online CPUs this process may run on, as Go's `runtime.NumCPU`.
    public static func cpuCount() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// `MemTotal` from /proc/meminfo, in bytes.
    public static func memoryTotal() -> Int64 {
        guard let text = try? Files.readString("/proc/meminfo") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let digits = line.split(separator: " ").dropFirst().first ?? ""
            return (Int64(digits) ?? 0) * 1024
        }
        return 0
    }

    /// `PRETTY_NAME` and `VERSION_ID` from os-release(5).
    public static func operatingSystem() -> (name: String, version: String) {
        let text = (try? Files.readString("/etc/os-release")) ?? (try? Files.readString("/usr/lib/os-release")) ?? ""
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            var value = String(parts[1])
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            }
            values[String(parts[0])] = value
        }
        return (values["PRETTY_NAME"] ?? "Linux", values["VERSION_ID"] ?? "")
    }

    /// "2" on a unified cgroup hierarchy (cgroup2 mounted at /sys/fs/cgroup), else "1".
    public static func cgroupVersion() -> String {
        fileSystemType("/sys/fs/cgroup") == "cgroup2" ? "2" : "1"
    }

    /// Controllers enabled at the cgroup v2 root (`cpu`, `memory`, `pids`...).
    public static func cgroupControllers() -> Set<String> {
        let text = (try? Files.readString("/sys/fs/cgroup/cgroup.controllers")) ?? ""
        return Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }

    /// The name Docker prints as "Backing Filesystem" for the file system holding `path`.
    public static func backingFileSystem(_ path: String) -> String {
        switch fileSystemType(path) {
        case "ext2", "ext3", "ext4": "extfs"
        case let type?: type
        case nil: "<unknown>"
        }
    }

    /// The type of the mount holding `path` (the longest mount point that prefixes it),
    /// from /proc/self/mountinfo (proc(5)).
    static func fileSystemType(_ path: String) -> String? {
        guard let text = try? Files.readString("/proc/self/mountinfo") else { return nil }
        var best: (length: Int, type: String)?
        for line in text.split(separator: "\n") {
            guard let halves = line.splitOnce(" - ") else { continue }
            let fields = halves.before.split(separator: " ")
            guard fields.count >= 5, let type = halves.after.split(separator: " ").first else { continue }
            let mountPoint = String(fields[4])
            let covers = mountPoint == "/" || path == mountPoint || path.hasPrefix(mountPoint + "/")
            if covers && mountPoint.count >= (best?.length ?? -1) { best = (mountPoint.count, String(type)) }
        }
        return best?.type
    }

    /// Whether AppArmor is enabled in the kernel.
    public static func appArmorEnabled() -> Bool {
        ((try? Files.readString("/sys/module/apparmor/parameters/enabled")) ?? "").hasPrefix("Y")
    }

    /// Whether the kernel forwards IPv4 packets.
    public static func ipv4Forwarding() -> Bool {
        ((try? Files.readString("/proc/sys/net/ipv4/ip_forward")) ?? "").hasPrefix("1")
    }

    /// Open file descriptors and threads of this process.
    public static func processCounts() -> (fds: Int, threads: Int) {
        let fds = ((try? Files.list("/proc/self/fd")) ?? []).count
        var threads = 0
        if let status = try? Files.readString("/proc/self/status") {
            for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
                threads = Int(line.dropFirst(8).drop(while: { $0 == " " || $0 == "\t" })) ?? 0
            }
        }
        return (fds, threads)
    }

    /// A random version 4 UUID from /dev/urandom.
    public static func randomUUID() -> String {
        var bytes = (try? readRandom(16)) ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }

    private static func readRandom(_ count: Int) throws -> [UInt8] {
        let fd = OwnedFD(try FD.open("/dev/urandom", O_RDONLY))
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { read(fd.raw, $0.baseAddress, count) }
        guard n == count else { throw BerthError("short read from /dev/urandom") }
        return bytes
    }
}
