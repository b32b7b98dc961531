import BerthAPIModels
import BerthEngine
import BerthSystem

extension Router {
    /// `GET /containers/{id}/stats` and `POST /containers/{id}/update`.
    public mutating func addStatsRoutes(_ engine: Engine) {
        get("/containers/{id}/stats") { req in
            let target = try await engine.statsTarget(req.parameter("id"))
            // Docker: stream unless stream=false; stream=false waits one interval so that
            // precpu_stats is filled (CPU % needs two readings) unless one-shot=true.
            let stream = req.query["stream"].map { _ in req.query.bool("stream") } ?? true
            let oneShot = req.query.bool("one-shot")
            return .stream { w in
                guard target.running else {
                    try await w.writeJSON(StatsJSON.empty(target))
                    return
                }
                var previous: StatsSample? = nil
                if !stream && !oneShot {
                    previous = engine.statsSample(target)
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                }
                while true {
                    let now = engine.statsSample(target)
                    try await w.writeJSON(StatsJSON.response(target, now, previous: previous))
                    if !stream { return }
                    previous = now
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                    if !(await engine.isRunning(target.id)) { return }
                }
            }
        }
        post("/containers/{id}/update") { req in
            let body = try await req.body.decode(HostConfig.self)
            let warnings = try await engine.update(req.parameter("id"), body)
            return .json(["Warnings": .array(warnings.map { .string($0) })] as JSONValue)
        }
    }
}

/// Docker's `ContainerStatsResponse` (api/types/container/stats.go), members in its order.
enum StatsJSON {
    static let zeroTime = "0001-01-01T00:00:00Z"

    static func u(_ v: UInt64) -> JSONValue { .int(Int64(clamping: v)) }

    /// A stopped container: zeros, as moby answers.
    static func empty(_ t: StatsTarget) -> JSONValue {
        [
            "name": .string("/" + t.name), "id": .string(t.id),
            "read": .string(zeroTime), "preread": .string(zeroTime),
            "pids_stats": [:], "blkio_stats": blkio(nil), "num_procs": 0, "storage_stats": [:],
            "cpu_stats": cpu(nil), "precpu_stats": cpu(nil), "memory_stats": [:],
        ]
    }

    static func response(_ t: StatsTarget, _ s: StatsSample, previous: StatsSample?) -> JSONValue {
        let g = s.cgroup
        var pids: JSONObject = ["current": u(g.pidsCurrent)]
        if let limit = g.pidsLimit { pids["limit"] = u(limit) }
        var memory: JSONObject = ["usage": u(g.memoryUsage)]
        if let max = g.memoryMaxUsage { memory["max_usage"] = u(max) }
        memory["stats"] = .object(JSONObject(g.memoryStat.map { JSONMember($0.key, u($0.value)) }))
        if let failcnt = g.memoryFailcnt { memory["failcnt"] = u(failcnt) }
        // moby: no limit, or one above the host's memory, shows the host's memory.
        memory["limit"] = u(min(g.memoryLimit ?? s.hostMemory, s.hostMemory > 0 ? s.hostMemory : UInt64.max))
        var out: JSONObject = [
            "name": .string("/" + t.name), "id": .string(t.id),
            "read": .string(s.read), "preread": .string(previous?.read ?? zeroTime),
            "pids_stats": .object(pids), "blkio_stats": blkio(g), "num_procs": 0, "storage_stats": [:],
            "cpu_stats": cpu(s), "precpu_stats": cpu(previous), "memory_stats": .object(memory),
        ]
        if let networks = s.networks, !networks.isEmpty {
            out["networks"] = .object(JSONObject(networks.map { n in
                let c = n.counters
                return JSONMember(n.name, [
                    "rx_bytes": u(c[0]), "rx_packets": u(c[1]), "rx_errors": u(c[2]), "rx_dropped": u(c[3]),
                    "tx_bytes": u(c[8]), "tx_packets": u(c[9]), "tx_errors": u(c[10]), "tx_dropped": u(c[11]),
                ])
            }))
        }
        return .object(out)
    }

    static func cpu(_ s: StatsSample?) -> JSONValue {
        guard let s else {
            return ["cpu_usage": ["total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0],
                    "throttling_data": ["periods": 0, "throttled_periods": 0, "throttled_time": 0]]
        }
        let g = s.cgroup
        var usage: JSONObject = ["total_usage": u(g.cpuTotal)]
        if let per = g.cpuPerCPU, !per.isEmpty { usage["percpu_usage"] = .array(per.map(u)) }
        usage["usage_in_kernelmode"] = u(g.cpuKernel)
        usage["usage_in_usermode"] = u(g.cpuUser)
        return [
            "cpu_usage": .object(usage), "system_cpu_usage": u(s.systemCPU), "online_cpus": .int(Int64(s.onlineCPUs)),
            "throttling_data": ["periods": u(g.throttlePeriods), "throttled_periods": u(g.throttledPeriods),
                                "throttled_time": u(g.throttledTime)],
        ]
    }

    static func blkio(_ g: CgroupStats?) -> JSONValue {
        func rows(_ list: [CgroupStats.BlkioEntry]?) -> JSONValue {
            guard let list, !list.isEmpty else { return .null }
            return .array(list.map { ["major": u($0.major), "minor": u($0.minor), "op": .string($0.op), "value": u($0.value)] })
        }
        return [
            "io_service_bytes_recursive": rows(g?.ioServiceBytes), "io_serviced_recursive": rows(g?.ioServiced),
            "io_queue_recursive": .null, "io_service_time_recursive": .null, "io_wait_time_recursive": .null,
            "io_merged_recursive": .null, "io_time_recursive": .null, "sectors_recursive": .null,
        ]
    }
}
