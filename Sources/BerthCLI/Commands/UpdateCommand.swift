import BerthAPIModels
import BerthClient
import BerthFlags

extension Command {
    /// `berth update` = `berth container update`: `POST /containers/{id}/update` with the
    /// resources (and restart policy) given; prints each container as Docker does.
    static var update: Command {
        Command(
            name: "update", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Update configuration of one or more containers",
            flags: [
                FlagSpec("blkio-weight", kind: .int, usage: "Block IO (relative weight), between 10 and 1000, or 0 to disable", default: "0", valueName: "uint16"),
                .int("cpu-period", usage: "Limit CPU CFS (Completely Fair Scheduler) period"),
                .int("cpu-quota", usage: "Limit CPU CFS (Completely Fair Scheduler) quota"),
                .int("cpu-rt-period", usage: "Limit the CPU real-time period in microseconds"),
                .int("cpu-rt-runtime", usage: "Limit the CPU real-time runtime in microseconds"),
                .int("cpu-shares", short: "c", usage: "CPU shares (relative weight)"),
                FlagSpec("cpus", usage: "Number of CPUs", valueName: "decimal"),
                .string("cpuset-cpus", usage: "CPUs in which to allow execution (0-3, 0,1)"),
                .string("cpuset-mems", usage: "MEMs in which to allow execution (0-3, 0,1)"),
                FlagSpec("memory", short: "m", usage: "Memory limit", valueName: "bytes"),
                FlagSpec("memory-reservation", usage: "Memory soft limit", valueName: "bytes"),
                FlagSpec("memory-swap", usage: "Swap limit equal to memory plus swap: -1 to enable unlimited swap", valueName: "bytes"),
                .int("pids-limit", usage: "Tune container pids limit (set -1 for unlimited)"),
                .string("restart", usage: "Restart policy to apply when a container exits"),
            ],
            arguments: .atLeast(1),
            run: { invocation in try runUpdate(invocation) })
    }
}

private func runUpdate(_ invocation: Invocation) throws -> Int32 {
    let flags = invocation.flags
    let names = ["blkio-weight", "cpu-period", "cpu-quota", "cpu-rt-period", "cpu-rt-runtime", "cpu-shares", "cpus",
                 "cpuset-cpus", "cpuset-mems", "memory", "memory-reservation", "memory-swap", "pids-limit", "restart"]
    guard names.contains(where: flags.isSet) else {
        throw CLIError("you must provide one or more flags when using this command", status: 1)
    }
    func bytes(_ name: String) throws(CLIError) -> Int64 {
        guard let text = flags.string(name), !text.isEmpty else { return 0 }
        if text == "-1" && name == "memory-swap" { return -1 }
        guard let value = ByteAmount.parse(text) else {
            throw CLIError("invalid argument \"\(text)\" for \"--\(name)\" flag: invalid size: '\(text)'", status: 1)
        }
        return value
    }
    var body = JSONObject()
    body["BlkioWeight"] = .int(Int64(flags.int("blkio-weight") ?? 0))
    body["CpuShares"] = .int(Int64(flags.int("cpu-shares") ?? 0))
    body["Memory"] = .int(try bytes("memory"))
    var nano: Int64 = 0
    if let cpus = flags.string("cpus"), !cpus.isEmpty {
        guard let value = Double(cpus) else {
            throw CLIError("invalid argument \"\(cpus)\" for \"--cpus\" flag: failed to parse \(cpus) as a rational number", status: 1)
        }
        nano = Int64((value * 1e9).rounded())
    }
    body["NanoCpus"] = .int(nano)
    body["CpuPeriod"] = .int(Int64(flags.int("cpu-period") ?? 0))
    body["CpuQuota"] = .int(Int64(flags.int("cpu-quota") ?? 0))
    body["CpuRealtimePeriod"] = .int(Int64(flags.int("cpu-rt-period") ?? 0))
    body["CpuRealtimeRuntime"] = .int(Int64(flags.int("cpu-rt-runtime") ?? 0))
    body["CpusetCpus"] = .string(flags.string("cpuset-cpus") ?? "")
    body["CpusetMems"] = .string(flags.string("cpuset-mems") ?? "")
    body["MemoryReservation"] = .int(try bytes("memory-reservation"))
    body["MemorySwap"] = .int(try bytes("memory-swap"))
    if flags.isSet("pids-limit") { body["PidsLimit"] = .int(Int64(flags.int("pids-limit") ?? 0)) }
    if flags.isSet("restart") { body["RestartPolicy"] = try RestartPolicy.parse(flags.string("restart") ?? "") }
    let client = try invocation.client()
    let payload = Array(JSONValue.object(body).serialized().utf8)
    return invocation.forEach(invocation.arguments) { name in
        try client.call(ClientRequest("POST", "/containers/\(pathComponent(name))/update",
                                      headers: [("Content-Type", "application/json")], body: payload))
    }
}
