import BerthAPIModels
import BerthEngine
import BerthOCI

/// The inspect members restart policies, health checks and resource limits add, laid
/// over `ContainerJSON.inspect`'s object so that file keeps one shape.
enum OpsJSON {
    /// ` (healthy)`, ` (unhealthy)` or ` (health: starting)` after `Up …`, as Docker's
    /// `Health.String()`.
    static func healthSuffix(_ c: Container) -> String {
        guard let h = c.state.health else { return "" }
        return h.status == "starting" ? " (health: starting)" : " (\(h.status))"
    }

    static func decorate(_ c: Container, _ inspect: JSONValue) -> JSONValue {
        guard case .object(var out) = inspect else { return inspect }
        let s = c.state
        update(&out, "State") { state in
            state["Running"] = .bool(s.status == "running" || s.status == "restarting")
            state["Restarting"] = .bool(s.status == "restarting")
            if let health = s.health { state["Health"] = Self.health(health) }
        }
        out["RestartCount"] = .int(Int64(c.restartCount ?? 0))
        update(&out, "HostConfig") { host in
            for member in hostConfig(c.hostConfig) { host[member.key] = member.value }
        }
        if let h = c.config.healthcheck {
            update(&out, "Config") { config in config["Healthcheck"] = healthcheck(h) }
        }
        return .object(out)
    }

    private static func update(_ object: inout JSONObject, _ key: String, _ body: (inout JSONObject) -> Void) {
        guard case .object(var inner)? = object[key] else { return }
        body(&inner)
        object[key] = .object(inner)
    }

    /// `State.Health`.
    static func health(_ h: ContainerHealth) -> JSONValue {
        [
            "Status": .string(h.status), "FailingStreak": .int(Int64(h.failingStreak)),
            "Log": .array(h.log.map { r in
                ["Start": .string(r.start), "End": .string(r.end), "ExitCode": .int(Int64(r.exitCode)), "Output": .string(r.output)]
            }),
        ]
    }

    /// `Config.Healthcheck`, durations in nanoseconds.
    static func healthcheck(_ h: ImageConfig.Healthcheck) -> JSONValue {
        var out: JSONObject = ["Test": .array((h.test ?? []).map { .string($0) })]
        if let v = h.interval, v != 0 { out["Interval"] = .int(v) }
        if let v = h.timeout, v != 0 { out["Timeout"] = .int(v) }
        if let v = h.startPeriod, v != 0 { out["StartPeriod"] = .int(v) }
        if let v = h.startInterval, v != 0 { out["StartInterval"] = .int(v) }
        if let v = h.retries, v != 0 { out["Retries"] = .int(Int64(v)) }
        return .object(out)
    }

    /// HostConfig's restart policy and resources, with Go's zero values.
    static func hostConfig(_ h: HostConfig) -> [JSONMember] {
        let policy = h.restartPolicy ?? RestartPolicy()
        return [
            JSONMember("RestartPolicy", ["Name": .string((policy.name ?? "").isEmpty ? "no" : policy.name!),
                                         "MaximumRetryCount": .int(Int64(policy.maximumRetryCount ?? 0))]),
            JSONMember("CpuShares", .int(h.cpuShares ?? 0)),
            JSONMember("Memory", .int(h.memory ?? 0)),
            JSONMember("NanoCpus", .int(h.nanoCpus ?? 0)),
            JSONMember("BlkioWeight", .int(h.blkioWeight ?? 0)),
            JSONMember("CpuPeriod", .int(h.cpuPeriod ?? 0)),
            JSONMember("CpuQuota", .int(h.cpuQuota ?? 0)),
            JSONMember("CpusetCpus", .string(h.cpusetCpus ?? "")),
            JSONMember("CpusetMems", .string(h.cpusetMems ?? "")),
            JSONMember("MemoryReservation", .int(h.memoryReservation ?? 0)),
            JSONMember("MemorySwap", .int(h.memorySwap ?? 0)),
            JSONMember("MemorySwappiness", h.memorySwappiness.map { .int($0) } ?? .null),
            JSONMember("OomKillDisable", .bool(h.oomKillDisable ?? false)),
            JSONMember("PidsLimit", h.pidsLimit.map { .int($0) } ?? .null),
        ]
    }
}
