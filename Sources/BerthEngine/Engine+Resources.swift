#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthOCI
import BerthRuntime
import BerthSystem

extension Engine {
    /// Docker's smallest memory limit and reservation (`linuxMinMemory`).
    static let minimumMemory: Int64 = 6 * 1024 * 1024

    /// The checks create makes on what this file owns — restart policy, health check and
    /// resource limits — before anything is made, so a refused request leaves nothing.
    static func validateOps(_ request: CreateRequest) throws(EngineError) {
        try validateRestart(request.hostConfig)
        try validateHealthcheck(request.config.healthcheck)
        try validateResources(request.hostConfig, update: false)
    }

    /// moby's `adaptContainerSettings` for resources: with a memory limit and no swap
    /// setting, memory+swap is twice the limit (inspect shows it so); what the host cannot
    /// apply is dropped, as `resourceWarnings` tells the client.
    static func adaptResources(_ host: HostConfig) -> HostConfig {
        var h = host
        if let m = h.memory, m > 0, (h.memorySwap ?? 0) == 0 { h.memorySwap = m > Int64.max / 2 ? -1 : m * 2 }
        if (h.blkioWeight ?? 0) > 0 && !hostHasBlkioWeight { h.blkioWeight = 0 }
        return h
    }

    /// The warnings moby gives in the create response (the docker CLI prints them) for
    /// settings this host cannot honour or that are risky.
    public static func resourceWarnings(_ h: HostConfig) -> [String] {
        var warnings: [String] = []
        if (h.blkioWeight ?? 0) > 0 && !hostHasBlkioWeight {
            warnings.append("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.")
        }
        if h.oomKillDisable == true && (h.memory ?? 0) == 0 {
            warnings.append("OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.")
        }
        return warnings
    }

    /// Whether the host's block I/O controller takes a weight (CFQ's or BFQ's on v1,
    /// `io.weight` on v2).
    static var hostHasBlkioWeight: Bool {
        if Cgroup.hostVersion == .v2 {
            return ((try? Files.readString("/sys/fs/cgroup/cgroup.controllers")) ?? "").split(separator: " ").contains("io")
        }
        guard let mount = Cgroup.v1Mounts()["blkio"] else { return false }
        return Files.exists(mount + "/blkio.weight") || Files.exists(mount + "/blkio.bfq.weight")
    }

    /// moby's `verifyPlatformContainerResources`, in its words, plus refusals of the
    /// negative values moby would pass on to the kernel.
    static func validateResources(_ h: HostConfig, update: Bool) throws(EngineError) {
        let memory = h.memory ?? 0, swap = h.memorySwap ?? 0, reservation = h.memoryReservation ?? 0
        if memory != 0 && memory < minimumMemory { throw .invalidArgument("Minimum memory limit allowed is 6MB") }
        if swap < -1 { throw .invalidArgument("invalid memory swap limit \(swap): use -1 for unlimited swap") }
        if memory > 0 && swap > 0 && swap < memory {
            throw .invalidArgument("Minimum memoryswap limit should be larger than memory limit, see usage")
        }
        if memory == 0 && swap > 0 && !update {
            throw .invalidArgument("You should always set the Memory limit when using Memoryswap limit, see usage")
        }
        if let s = h.memorySwappiness, s != -1, s < 0 || s > 100 {
            throw .invalidArgument("Invalid value: \(s), valid memory swappiness range is 0-100")
        }
        if reservation < 0 { throw .invalidArgument("Minimum memory reservation allowed is 6MB") }
        if reservation > 0 && reservation < minimumMemory { throw .invalidArgument("Minimum memory reservation allowed is 6MB") }
        if memory > 0 && reservation > 0 && memory < reservation {
            throw .invalidArgument("Minimum memory limit can not be less than memory reservation limit, see usage")
        }
        let nano = h.nanoCpus ?? 0, period = h.cpuPeriod ?? 0, quota = h.cpuQuota ?? 0
        if nano > 0 && period > 0 { throw .invalidArgument("Conflicting options: Nano CPUs and CPU Period cannot both be set") }
        if nano > 0 && quota > 0 { throw .invalidArgument("Conflicting options: Nano CPUs and CPU Quota cannot both be set") }
        if nano != 0 {
            let n = Int64(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
            if nano < 0 || nano > n * 1_000_000_000 {
                throw .invalidArgument("range of CPUs is from 0.01 to \(n).00, as there are only \(n) CPUs available")
            }
        }
        if (h.cpuShares ?? 0) < 0 { throw .invalidArgument("invalid CPU shares \(h.cpuShares!): the value must not be negative") }
        if period != 0 && (period < 1000 || period > 1_000_000) {
            throw .invalidArgument("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
        }
        if quota > 0 && quota < 1000 { throw .invalidArgument("CPU cfs quota can not be less than 1ms (i.e. 1000)") }
        if let cpus = h.cpusetCpus, !cpus.isEmpty {
            guard let wanted = parseCPUList(cpus) else { throw .invalidArgument("Invalid value \(cpus) for cpuset cpus") }
            let online = (try? Files.readString("/sys/devices/system/cpu/online"))?.trimmingSpaces ?? "0"
            if let available = parseCPUList(online), !wanted.isSubset(of: available) {
                throw .invalidArgument("Requested CPUs are not available - requested \(cpus), available: \(online)")
            }
        }
        if let mems = h.cpusetMems, !mems.isEmpty, parseCPUList(mems) == nil {
            throw .invalidArgument("Invalid value \(mems) for cpuset mems")
        }
        if let w = h.blkioWeight, w != 0, w < 10 || w > 1000 { throw .invalidArgument("Range of blkio weight is from 10 to 1000") }
    }

    /// `0-3,5`: the set of numbers, or nil when malformed.
    static func parseCPUList(_ text: String) -> Set<Int>? {
        var out = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let lo = Int(bounds[0]), lo >= 0 else { return nil }
            let hi = bounds.count == 2 ? Int(bounds[1]) : lo
            guard let hi, hi >= lo, hi - lo < 65536 else { return nil }
            out.formUnion(lo...hi)
        }
        return out
    }

    /// HostConfig's limits as the OCI spec's `linux.resources`, as moby's
    /// `WithResources` builds them: CPUs as CFS quota over a 100 ms period, memory+swap,
    /// pids (unlimited below 1), and all devices denied (the runtime adds the defaults).
    static func specResources(_ h: HostConfig, forUpdate: Bool = false) -> Spec.Resources {
        var r = Spec.Resources()
        if !forUpdate { r.devices = [Spec.DeviceCgroup(allow: false, access: "rwm")] }
        var m = Spec.Memory()
        if let v = h.memory, v > 0 { m.limit = v } else if forUpdate, h.memory != nil { m.limit = -1 }
        if let v = h.memorySwap, v != 0 { m.swap = v } else if let l = m.limit, l > 0 { m.swap = l > Int64.max / 2 ? -1 : l * 2 }
        if let v = h.memoryReservation, v > 0 { m.reservation = v }
        if let v = h.memorySwappiness, v >= 0, v <= 100 { m.swappiness = UInt64(v) }
        if h.oomKillDisable == true { m.disableOOMKiller = true }
        if m != Spec.Memory() { r.memory = m }
        var cpu = Spec.CPU()
        if let n = h.nanoCpus, n > 0 {
            cpu.period = 100_000
            cpu.quota = n * 100_000 / 1_000_000_000
        } else {
            if let p = h.cpuPeriod, p > 0 { cpu.period = UInt64(p) }
            if let q = h.cpuQuota, q != 0 { cpu.quota = q }
            if forUpdate, cpu.quota == nil, h.nanoCpus != nil || h.cpuQuota != nil { cpu.quota = -1 }
        }
        if let s = h.cpuShares, s > 0 { cpu.shares = UInt64(s) }
        if let c = h.cpusetCpus, !c.isEmpty { cpu.cpus = c }
        if let c = h.cpusetMems, !c.isEmpty { cpu.mems = c }
        if cpu != Spec.CPU() { r.cpu = cpu }
        if let p = h.pidsLimit, p > 0 { r.pids = Spec.Pids(limit: p) } else if forUpdate, h.pidsLimit != nil { r.pids = Spec.Pids(limit: -1) }
        if let w = h.blkioWeight, w > 0 { r.blockIO = Spec.BlockIO(weight: UInt16(clamping: w)) }
        return r
    }

    /// `POST /containers/{id}/update`: new limits (and restart policy) for a container;
    /// a running one gets them in its cgroup at once. Returns Docker's warnings.
    public func update(_ ref: String, _ request: HostConfig) throws -> [String] {
        var c = try lookup(ref)
        var h = c.hostConfig
        if let policy = request.restartPolicy, !(policy.name ?? "").isEmpty {
            try policy.validate()
            if h.autoRemove == true && policy.mode != "no" {
                throw EngineError.invalidArgument("Restart policy cannot be updated because AutoRemove is enabled for the container")
            }
            h.restartPolicy = policy
        }
        if let m = request.memory, m != 0 {
            if (request.memorySwap ?? 0) == 0, let swap = h.memorySwap, swap > 0, m > swap {
                throw EngineError.conflict("Cannot update container \(c.id): Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time")
            }
            h.memory = m
        }
        func take<T: Equatable>(_ new: T?, _ zero: T, _ field: WritableKeyPath<HostConfig, T?>) {
            if let new, new != zero { h[keyPath: field] = new }
        }
        take(request.memorySwap, 0, \.memorySwap)
        take(request.memoryReservation, 0, \.memoryReservation)
        take(request.cpuShares, 0, \.cpuShares)
        take(request.cpuPeriod, 0, \.cpuPeriod)
        take(request.cpuQuota, 0, \.cpuQuota)
        take(request.cpusetCpus, "", \.cpusetCpus)
        take(request.cpusetMems, "", \.cpusetMems)
        take(request.blkioWeight, 0, \.blkioWeight)
        if let n = request.nanoCpus, n != 0 {
            h.nanoCpus = n
            h.cpuPeriod = nil
            h.cpuQuota = nil
        }
        if let p = request.pidsLimit { h.pidsLimit = p }
        if let o = request.oomKillDisable { h.oomKillDisable = o }
        try Self.validateResources(h, update: true)
        if c.state.running {
            do {
                try runtime(c.id).update(c.id, resources: Self.specResources(h, forUpdate: true))
            } catch {
                throw EngineError.internalError("Cannot update container \(c.id)", cause: BerthError("\(error)"))
            }
        }
        c.hostConfig = h
        try save(c)
        publish(c, "update")
        return []
    }
}
