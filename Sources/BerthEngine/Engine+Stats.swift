import BerthRuntime
import BerthSystem

/// One reading of a container's resource use with the host figures Docker's stats
/// carry beside it (`GET /containers/{id}/stats`).
public struct StatsSample: Sendable {
    /// When it was read, RFC 3339 with nanoseconds.
    public var read: String
    public var cgroup: CgroupStats
    /// The host's CPU time in nanoseconds (/proc/stat), the base of CPU %.
    public var systemCPU: UInt64
    public var onlineCPUs: Int
    /// The limit shown when the container has none: the host's memory.
    public var hostMemory: UInt64
    /// Interfaces of the container's network namespace (loopback aside); nil when it has
    /// none of its own.
    public var networks: [(name: String, counters: [UInt64])]?
}

/// What stats need to know about a container, read once per request.
public struct StatsTarget: Sendable {
    public var id: String
    public var name: String
    public var pid: Int32
    public var running: Bool
    /// The container has its own network namespace.
    public var ownNetwork: Bool
    /// The cgroup path inside the hierarchies, from the runtime's state.
    public var cgroupPath: String
}

extension Engine {
    /// The container stats are read for.
    public func statsTarget(_ ref: String) throws -> StatsTarget {
        let c = try lookup(ref)
        let path = (try? runtime(c.id).store.load(c.id).cgroupPath) ?? "/berth/\(c.id)"
        return StatsTarget(id: c.id, name: c.name, pid: c.state.pid, running: c.state.running,
                           ownNetwork: c.hostConfig.networkMode != "host", cgroupPath: path)
    }

    /// Reads the counters now (blocking file reads; cheap, so done inline).
    public nonisolated func statsSample(_ target: StatsTarget) -> StatsSample {
        let stats = Cgroup(path: target.cgroupPath).stats()
        return StatsSample(read: WallClock.rfc3339Nano(), cgroup: stats, systemCPU: HostStats.systemCPUUsage(),
                           onlineCPUs: HostStats.onlineCPUs, hostMemory: HostStats.memoryTotal(),
                           networks: target.ownNetwork ? HostStats.networks(pid: target.pid) : nil)
    }
}
