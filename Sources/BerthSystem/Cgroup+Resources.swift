#if canImport(Glibc)
import Glibc
#endif

extension Cgroup {
    /// Writes the limits into the controller files. A limit whose controller or file the
    /// host lacks is skipped when it is optional on real hosts (swap accounting, blkio
    /// weight), and is an error otherwise.
    public func apply(_ r: CgroupResources) throws {
        if version == .v2 { try applyV2(r) } else { try applyV1(r) }
    }

    private func write(_ controller: String, _ file: String, _ value: String, optional: Bool = false) throws {
        guard let dir = dirs[controller] else {
            if optional { return }
            throw BerthError("cgroup controller \(controller.isEmpty ? "(v2)" : controller) is not available")
        }
        let path = dir + "/" + file
        if optional && !Files.exists(path) { return }
        try Files.writeExisting(path, value)
    }

    private func applyV1(_ r: CgroupResources) throws {
        // memory: memsw must stay ≥ limit, so the order depends on the direction of change.
        if r.memoryLimit != nil || r.memorySwap != nil {
            let limit = r.memoryLimit.map { $0 <= 0 ? "-1" : String($0) }
            let swap = r.memorySwap.map { $0 < 0 ? "-1" : String($0) }
            do {
                if let limit { try write("memory", "memory.limit_in_bytes", limit) }
                if let swap { try write("memory", "memory.memsw.limit_in_bytes", swap, optional: true) }
            } catch {
                if let swap { try write("memory", "memory.memsw.limit_in_bytes", swap, optional: true) }
                if let limit { try write("memory", "memory.limit_in_bytes", limit) }
            }
        }
        if let v = r.memoryReservation { try write("memory", "memory.soft_limit_in_bytes", v <= 0 ? "-1" : String(v)) }
        if let v = r.memorySwappiness, v <= 100 { try write("memory", "memory.swappiness", String(v), optional: true) }
        if r.disableOOMKiller == true { try write("memory", "memory.oom_control", "1") }
        if let v = r.cpuShares, v > 0 { try write("cpu", "cpu.shares", String(v)) }
        if let v = r.cpuPeriod, v > 0 { try write("cpu", "cpu.cfs_period_us", String(v)) }
        if let v = r.cpuQuota, v != 0 { try write("cpu", "cpu.cfs_quota_us", String(v)) }
        if let v = r.cpusetCpus, !v.isEmpty { try write("cpuset", "cpuset.cpus", v) }
        if let v = r.cpusetMems, !v.isEmpty { try write("cpuset", "cpuset.mems", v) }
        if let v = r.pidsLimit { try write("pids", "pids.max", v <= 0 ? "max" : String(v)) }
        if let v = r.blkioWeight, v > 0 {
            if let dir = dirs["blkio"], Files.exists(dir + "/blkio.weight") {
                try write("blkio", "blkio.weight", String(v))
            } else {
                try write("blkio", "blkio.bfq.weight", String(v), optional: true)
            }
        }
        if !r.devices.isEmpty, dirs["devices"] != nil {
            for rule in r.devices {
                try write("devices", rule.allow ? "devices.allow" : "devices.deny", rule.v1String)
            }
        }
    }

    private func applyV2(_ r: CgroupResources) throws {
        if let v = r.memoryLimit { try write("", "memory.max", v <= 0 ? "max" : String(v)) }
        if let v = r.memoryReservation { try write("", "memory.low", v <= 0 ? "0" : String(v)) }
        if let swap = r.memorySwap {
            // OCI swap is memory+swap; v2's memory.swap.max is swap alone.
            let value: String
            if swap < 0 { value = "max" } else { value = String(max(0, swap - (r.memoryLimit ?? 0))) }
            try write("", "memory.swap.max", value, optional: true)
        }
        if r.disableOOMKiller == true { try write("", "memory.oom.group", "0", optional: true) }
        if let shares = r.cpuShares, shares > 0 {
            // runc's conversion from v1 shares [2, 262144] to v2 weight [1, 10000].
            let weight = 1 + ((max(2, min(shares, 262144)) - 2) * 9999) / 262142
            try write("", "cpu.weight", String(weight))
        }
        if r.cpuQuota != nil || r.cpuPeriod != nil {
            let quota = r.cpuQuota.map { $0 <= 0 ? "max" : String($0) } ?? "max"
            try write("", "cpu.max", "\(quota) \(r.cpuPeriod ?? 100000)")
        }
        if let v = r.cpusetCpus, !v.isEmpty { try write("", "cpuset.cpus", v) }
        if let v = r.cpusetMems, !v.isEmpty { try write("", "cpuset.mems", v) }
        if let v = r.pidsLimit { try write("", "pids.max", v <= 0 ? "max" : String(v)) }
        if let v = r.blkioWeight, v > 0 {
            let weight = 1 + (UInt64(max(10, min(v, 1000))) - 10) * 9999 / 990
            try write("", "io.weight", "default \(weight)", optional: true)
        }
        for (file, value) in r.unified.sorted(by: { $0.key < $1.key }) {
            guard !file.includes("/"), !file.includes("..") else { throw BerthError("invalid unified cgroup key \"\(file)\"") }
            try write("", file, value)
        }
        // Device rules on v2 need an eBPF program; not applied here (the device nodes a
        // container gets are still limited to the ones created in its /dev).
    }
}
