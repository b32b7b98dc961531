#if canImport(Glibc)
import Glibc
#endif

/// Resource limits for a cgroup, independent of the cgroup version. Values follow the OCI
/// runtime spec's `linux.resources` (bytes, microseconds, shares).
public struct CgroupResources: Sendable, Equatable {
    public var memoryLimit: Int64?
    public var memoryReservation: Int64?
    public var memorySwap: Int64?           // memory + swap, as in the OCI spec
    public var memorySwappiness: UInt64?
    public var disableOOMKiller: Bool?
    public var cpuShares: UInt64?
    public var cpuQuota: Int64?
    public var cpuPeriod: UInt64?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var pidsLimit: Int64?
    public var blkioWeight: UInt16?
    public var devices: [DeviceRule] = []
    public var unified: [String: String] = [:]

    public init() {}

    /// One device cgroup rule: `a *:* rwm` style.
    public struct DeviceRule: Sendable, Equatable {
        public var allow: Bool
        public var type: String          // "a", "b" or "c"
        public var major: Int64?         // nil = any
        public var minor: Int64?
        public var access: String
        public init(allow: Bool, type: String, major: Int64?, minor: Int64?, access: String) {
            self.allow = allow; self.type = type; self.major = major; self.minor = minor; self.access = access
        }
        /// `c 1:3 rwm` as the v1 devices controller reads it.
        public var v1String: String {
            let ma = major.map(String.init) ?? "*", mi = minor.map(String.init) ?? "*"
            return type == "a" ? "a *:* \(access)" : "\(type) \(ma):\(mi) \(access)"
        }
    }
}

public enum CgroupVersion: Sendable { case v1, v2 }

/// A container's cgroup: one directory per v1 controller, or one directory in the v2 tree.
public struct Cgroup: Sendable {
    /// The cgroup path inside the hierarchies, e.g. `/berth/<id>`.
    public let path: String
    public let version: CgroupVersion
    /// Directory per v1 controller name (`memory` → `/sys/fs/cgroup/memory/berth/<id>`); for
    /// v2 the single key "" holds the directory.
    public let dirs: [String: String]

    /// Detects the host's cgroup layout: pure v2 when `/sys/fs/cgroup` is cgroup2.
    public static var hostVersion: CgroupVersion {
        Files.exists("/sys/fs/cgroup/cgroup.controllers") ? .v2 : .v1
    }

    /// Resolves `cgroupsPath` (absolute, or relative to this process's own cgroup).
    public init(path cgroupsPath: String) {
        version = Cgroup.hostVersion
        var p = cgroupsPath
        if !p.hasPrefix("/") {
            let own = Cgroup.ownPaths()
            let base = (version == .v2 ? own[""] : own["memory"]) ?? "/"
            p = Files.join(base, p)
        }
        path = p
        var dirs: [String: String] = [:]
        if version == .v2 {
            dirs[""] = Files.join("/sys/fs/cgroup", p)
        } else {
            for (controller, mountpoint) in Cgroup.v1Mounts() { dirs[controller] = Files.join(mountpoint, p) }
        }
        self.dirs = dirs
    }

    /// v1 controller → mountpoint, from /proc/self/mountinfo (named hierarchies skipped).
    /// Read once per process: every `Cgroup(path:)` needs it, and a shim makes several.
    public static func v1Mounts() -> [String: String] { v1MountTable }

    private static let v1MountTable: [String: String] = readV1Mounts()

    private static func readV1Mounts() -> [String: String] {
        guard let info = try? Files.read("/proc/self/mountinfo") else { return [:] }
        var out: [String: String] = [:]
        // Only cgroup lines become Strings: with hundreds of containers running, mountinfo is
        // mostly their overlay mounts with long option strings, and each shim reads it.
        for raw in info.split(separator: 10) where contains(raw, cgroupMarker) {
            let line = String(decoding: raw, as: UTF8.self)
            guard let halves = line.splitOnce(" - ") else { continue }
            let left = halves.before.split(separator: " "), right = halves.after.split(separator: " ")
            guard left.count >= 5, right.count >= 3, right[0] == "cgroup" else { continue }
            let mountpoint = String(left[4])
            for opt in right[2].split(separator: ",") {
                let o = String(opt)
                if ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "pids", "blkio", "net_cls",
                    "net_prio", "perf_event", "hugetlb", "rdma", "misc"].contains(o) {
                    out[o] = mountpoint
                }
            }
        }
        return out
    }

    private static let cgroupMarker = Array(" - cgroup ".utf8)

    private static func contains(_ line: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard line.count >= needle.count else { return false }
        var i = line.startIndex
        let last = line.endIndex - needle.count
        while i <= last {
            if line[i] == needle[0] {
                var j = 1
                while j < needle.count && line[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// This process's cgroup per controller ("" for v2), from /proc/self/cgroup.
    public static func ownPaths(pid: String = "self") -> [String: String] {
        guard let text = try? Files.readString("/proc/\(pid)/cgroup") else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            for c in parts[1].split(separator: ",", omittingEmptySubsequences: false) { out[String(c)] = String(parts[2]) }
        }
        return out
    }

    /// Creates the directories (v2: enabling controllers in every ancestor first).
    public func create() throws {
        if version == .v2 {
            guard let dir = dirs[""] else { return }
            enableV2Controllers(below: dir)
            try Files.mkdirAll(dir)
            return
        }
        for (controller, dir) in dirs.sorted(by: { $0.key < $1.key }) {
            if controller == "cpuset" { try createCpuset(dir) } else { try Files.mkdirAll(dir) }
        }
    }

    /// cpuset cgroups start with empty cpus/mems; copy them down from the nearest parent
    /// that has them, or adding a task fails with ENOSPC.
    private func createCpuset(_ dir: String) throws {
        let parent = Files.dirname(dir)
        if !Files.isDirectory(parent) { try createCpuset(parent) }
        if !Files.isDirectory(dir) { try Files.mkdirAll(dir) }
        for file in ["cpuset.cpus", "cpuset.mems"] {
            let mine = (try? Files.readString(dir + "/" + file))?.trimmingSpaces ?? ""
            if mine.isEmpty, let p = try? Files.readString(parent + "/" + file), !p.trimmingSpaces.isEmpty {
                try Files.writeExisting(dir + "/" + file, p.trimmingSpaces)
            }
        }
    }

    private func enableV2Controllers(below dir: String) {
        var ancestors: [String] = []
        var d = Files.dirname(dir)
        while d.hasPrefix("/sys/fs/cgroup") {
            ancestors.insert(d, at: 0)
            if d == "/sys/fs/cgroup" { break }
            d = Files.dirname(d)
        }
        for a in ancestors {
            try? Files.mkdirAll(a)
            let available = ((try? Files.readString(a + "/cgroup.controllers")) ?? "").split(separator: " ")
            for c in available {
                let name = String(c).trimmingSpaces
                try? Files.writeExisting(a + "/cgroup.subtree_control", "+" + name)
            }
        }
    }

    /// Moves `pid` into the cgroup.
    public func add(pid: Int32) throws {
        for (_, dir) in dirs.sorted(by: { $0.key < $1.key }) where Files.isDirectory(dir) {
            try Files.writeExisting(dir + "/cgroup.procs", "\(pid)")
        }
    }

    /// Moves the calling thread, which must be its process's only thread, into the
    /// cgroup. On v1 this writes "0" to `tasks`: a single thread moving itself does not
    /// take the kernel's threadgroup lock, so it costs no RCU grace period (~10 ms here),
    /// unlike writing a pid to `cgroup.procs`.
    public func addSelf() throws {
        for (_, dir) in dirs.sorted(by: { $0.key < $1.key }) where Files.isDirectory(dir) {
            try Files.writeExisting(dir + (version == .v1 ? "/tasks" : "/cgroup.procs"), "0")
        }
    }

    /// The pids in the cgroup.
    public func pids() -> [Int32] {
        let dir = version == .v2 ? dirs[""] : (dirs["pids"] ?? dirs["memory"] ?? dirs.values.first)
        guard let dir, let text = try? Files.readString(dir + "/cgroup.procs") else { return [] }
        return text.split(separator: "\n").compactMap { Int32($0) }
    }

    /// Freezes or thaws every task (v1 freezer, v2 cgroup.freeze).
    public func setFrozen(_ frozen: Bool) throws {
        if version == .v2 {
            guard let dir = dirs[""] else { return }
            try Files.writeExisting(dir + "/cgroup.freeze", frozen ? "1" : "0")
            return
        }
        guard let dir = dirs["freezer"] else { throw BerthError("the freezer cgroup controller is not mounted") }
        try Files.writeExisting(dir + "/freezer.state", frozen ? "FROZEN" : "THAWED")
        // Wait for the transition, as runc does: FREEZING settles into FROZEN.
        for _ in 0..<1000 {
            let state = (try? Files.readString(dir + "/freezer.state"))?.trimmingSpaces ?? ""
            if state == (frozen ? "FROZEN" : "THAWED") { return }
            usleep(1000)
        }
    }

    public var isFrozen: Bool {
        if version == .v2, let dir = dirs[""] {
            let events = (try? Files.readString(dir + "/cgroup.events")) ?? ""
            return events.includes("frozen 1")
        }
        guard let dir = dirs["freezer"] else { return false }
        return (try? Files.readString(dir + "/freezer.state"))?.trimmingSpaces == "FROZEN"
    }

    /// Whether the kernel OOM-killed a task in this cgroup.
    public var oomKilled: Bool {
        if version == .v2, let dir = dirs[""] {
            let events = (try? Files.readString(dir + "/memory.events")) ?? ""
            return events.split(separator: "\n").contains { $0.hasPrefix("oom_kill ") && !$0.hasSuffix(" 0") }
        }
        guard let dir = dirs["memory"], let text = try? Files.readString(dir + "/memory.oom_control") else { return false }
        return text.split(separator: "\n").contains { $0.hasPrefix("oom_kill ") && !$0.hasSuffix(" 0") }
    }

    /// Removes the directories. Tasks must be gone; retries briefly while the kernel
    /// finishes reaping them.
    public func destroy() throws {
        for (_, dir) in dirs.sorted(by: { $0.key < $1.key }) {
            var tries = 0
            while Files.isDirectory(dir) {
                if rmdir(dir) == 0 || errno == ENOENT { break }
                let code = errno
                tries += 1
                if tries > 200 { throw SyscallError(syscall: "rmdir", path: dir, code: code) }
                usleep(5000)
            }
        }
    }

    /// True when any of the directories exists.
    public var exists: Bool { dirs.values.contains { Files.isDirectory($0) } }
}

extension String {
    /// The string without leading and trailing spaces and newlines.
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\n" || c == "\t" || c == "\r" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\t" || c == "\r" { s = s.dropLast() }
        return String(s)
    }
}

