#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthClient

extension Command {
    /// `berth stats` = `berth container stats`: `GET /containers/{id}/stats`, as Docker's
    /// table (CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS).
    static var stats: Command {
        Command(
            name: "stats", usage: "[OPTIONS] [CONTAINER...]", summary: "Display a live stream of container(s) resource usage statistics",
            flags: [
                .bool("all", short: "a", usage: "Show all containers (default shows just running)"),
                listFormatFlag,
                .bool("no-stream", usage: "Disable streaming stats and only pull the first result"),
                .bool("no-trunc", usage: "Do not truncate output"),
            ],
            run: { invocation in try runStats(invocation) })
    }
}

private func runStats(_ invocation: Invocation) throws -> Int32 {
    let flags = invocation.flags
    let client = try invocation.client()
    var names = invocation.arguments
    if names.isEmpty {
        let query: [(String, String)] = flags.bool("all") ? [("all", "1")] : []
        names = (try client.getJSON("/containers/json", query: query).arrayValue ?? []).compactMap { $0["Id"]?.stringValue }
    }
    let truncate = !flags.bool("no-trunc")
    if flags.bool("no-stream") {
        var rows: [JSONValue] = []
        var failed = false
        for name in names {
            do {
                let s = try client.getJSON("/containers/\(pathComponent(name))/stats", query: [("stream", "0")])
                rows.append(StatsRows.row(s, container: name, previous: nil, truncate: truncate))
            } catch {
                invocation.err.line(errorText(error))
                failed = true
            }
        }
        invocation.out.write(try renderRows(rows, format: invocation.format, defaultTable: StatsRows.defaultTable,
                                            headers: StatsRows.headers))
        return failed ? 1 : 0
    }
    // Streaming: one reading a second per container, redrawn in place as Docker does.
    var previous: [String: JSONValue] = [:]
    while true {
        var rows: [JSONValue] = []
        for name in names {
            guard let s = try? client.getJSON("/containers/\(pathComponent(name))/stats",
                                              query: [("stream", "0"), ("one-shot", "1")]) else { continue }
            rows.append(StatsRows.row(s, container: name, previous: previous[name], truncate: truncate))
            previous[name] = s
        }
        invocation.out.write("\u{1B}[2J\u{1B}[H")
        invocation.out.write(try renderRows(rows, format: invocation.format, defaultTable: StatsRows.defaultTable,
                                            headers: StatsRows.headers))
        sleep(1)
    }
}

/// Docker's stats formatter (cli/command/container/formatter_stats.go and stats_helpers.go).
enum StatsRows {
    static let defaultTable = "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

    static let headers: [String: String] = [
        "ID": "CONTAINER ID", "Name": "NAME", "Container": "CONTAINER", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT",
        "MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS",
    ]

    static func number(_ v: JSONValue?) -> Double { v?.intValue.map(Double.init) ?? 0 }

    /// CPU % of one CPU: the container's CPU time over the host's, times the CPUs. The
    /// previous reading is the response's precpu_stats unless one is given.
    static func cpuPercent(_ s: JSONValue, previous: JSONValue?) -> Double {
        let pre = previous?["cpu_stats"] ?? s["precpu_stats"]
        let cpuDelta = number(s["cpu_stats"]?["cpu_usage"]?["total_usage"]) - number(pre?["cpu_usage"]?["total_usage"])
        let systemDelta = number(s["cpu_stats"]?["system_cpu_usage"]) - number(pre?["system_cpu_usage"])
        var cpus = number(s["cpu_stats"]?["online_cpus"])
        if cpus == 0 { cpus = Double(s["cpu_stats"]?["cpu_usage"]?["percpu_usage"]?.arrayValue?.count ?? 0) }
        guard systemDelta > 0, cpuDelta > 0 else { return 0 }
        return cpuDelta / systemDelta * cpus * 100
    }

    /// Memory in use without the page cache: `total_inactive_file` (v1) or
    /// `inactive_file` (v2) taken off the usage.
    static func memoryUsed(_ m: JSONValue?) -> Double {
        let usage = number(m?["usage"])
        for key in ["total_inactive_file", "inactive_file"] {
            if let v = m?["stats"]?[key]?.intValue, Double(v) < usage { return usage - Double(v) }
        }
        return usage
    }

    static func row(_ s: JSONValue, container: String, previous: JSONValue?, truncate: Bool) -> JSONValue {
        let id = s["id"]?.stringValue ?? ""
        var name = s["name"]?.stringValue ?? ""
        if name.hasPrefix("/") { name.removeFirst() }
        let memory = s["memory_stats"]
        let used = memoryUsed(memory), limit = number(memory?["limit"])
        var rx = 0.0, tx = 0.0
        for (_, n) in (s["networks"]?.objectValue?.members ?? []).map({ ($0.key, $0.value) }) {
            rx += number(n["rx_bytes"])
            tx += number(n["tx_bytes"])
        }
        var read = 0.0, write = 0.0
        for entry in s["blkio_stats"]?["io_service_bytes_recursive"]?.arrayValue ?? [] {
            switch (entry["op"]?.stringValue ?? "").lowercased() {
            case "read": read += number(entry["value"])
            case "write": write += number(entry["value"])
            default: break
            }
        }
        let running = s["read"]?.stringValue != "0001-01-01T00:00:00Z"
        var row = JSONObject()
        row["BlockIO"] = .string(HumanUnits.size(read, precision: 3) + " / " + HumanUnits.size(write, precision: 3))
        row["CPUPerc"] = .string(running ? HumanUnits.fixed(cpuPercent(s, previous: previous), 2) + "%" : "0.00%")
        row["Container"] = .string(container)
        row["ID"] = .string(truncate ? String(id.prefix(12)) : id)
        row["MemPerc"] = .string(HumanUnits.fixed(limit > 0 ? used / limit * 100 : 0, 2) + "%")
        row["MemUsage"] = .string(HumanUnits.binarySize(used) + " / " + HumanUnits.binarySize(limit))
        row["Name"] = .string(name.isEmpty ? "--" : name)
        row["NetIO"] = .string(HumanUnits.size(rx, precision: 3) + " / " + HumanUnits.size(tx, precision: 3))
        row["PIDs"] = .string(String(s["pids_stats"]?["current"]?.intValue ?? 0))
        return .object(row)
    }
}
