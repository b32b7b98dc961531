#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthRuntime
import BerthSystem

extension Engine {
    /// The runtime state the container's shim keeps (berthd reads it; the shim owns it).
    nonisolated func runtime(_ id: String) -> Runtime { Runtime(root: shimDir(id) + "/runtime") }

    /// `POST /containers/{id}/restart`: stop (if running), then start.
    public func restart(_ ref: String, timeout: Int?, signal: String?) async throws {
        let c = try lookup(ref)
        _ = try await stop(c.id, timeout: timeout, signal: signal)
        _ = try await start(c.id)
        publish(c.id, "restart")
    }

    /// `POST /containers/{id}/pause` and `/unpause`: the cgroup freezer.
    public func setPaused(_ ref: String, _ paused: Bool) throws {
        var c = try lookup(ref)
        if paused {
            guard c.state.status == "running" else {
                throw EngineError.conflict(c.state.status == "paused" ? "Container \(c.id) is already paused"
                                                                      : "Container \(c.id) is not running")
            }
        } else {
            guard c.state.status == "paused" else { throw EngineError.conflict("Container \(c.id) is not paused") }
        }
        do {
            if paused { try runtime(c.id).pause(c.id) } else { try runtime(c.id).resume(c.id) }
        } catch {
            throw EngineError.internalError(paused ? "pause" : "unpause", cause: BerthError("\(error)"))
        }
        c.state.status = paused ? "paused" : "running"
        try save(c)
        publish(c, paused ? "pause" : "unpause")
    }

    /// `POST /containers/{id}/rename`.
    public func rename(_ ref: String, to newName: String) throws {
        var c = try lookup(ref)
        let name = newName.hasPrefix("/") ? String(newName.dropFirst()) : newName
        guard Names.isValid(name) else {
            throw EngineError.invalidArgument("Invalid container name (\(newName)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        if let other = containers.values.first(where: { $0.name == name && $0.id != c.id }) {
            throw EngineError.conflict("Conflict. The container name \"/\(name)\" is already in use by container \"\(other.id)\". You have to remove (or rename) that container to be able to reuse that name.")
        }
        let oldName = c.name
        c.name = name
        try save(c)
        publish(c, "rename", ["oldName": "/" + oldName])
    }

    /// `GET /containers/{id}/top`: the container's processes, as `ps -ef` columns.
    public func top(_ ref: String) throws -> (titles: [String], processes: [[String]]) {
        let c = try lookup(ref)
        guard c.state.running else { throw EngineError.conflict("Container \(c.id) is not running") }
        let pids = (try? runtime(c.id).pids(c.id)) ?? []
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let rows: [[String]] = pids.compactMap { pid in
            guard let stat = try? Files.readString("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
            let f = stat[stat.index(after: close)...].split(separator: " ")
            guard f.count > 20 else { return nil }
            let ppid = String(f[1])
            let cpu = (Double(f[11]) ?? 0) + (Double(f[12]) ?? 0)
            let secs = Int(cpu / ticks)
            let time = String(format2(secs / 3600)) + ":" + format2(secs / 60 % 60) + ":" + format2(secs % 60)
            let uid = ((try? Files.readString("/proc/\(pid)/status")) ?? "").split(separator: "\n")
                .first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst().first.map(String.init) ?? "0"
            let cmd = ((try? Files.read("/proc/\(pid)/cmdline")) ?? []).map { $0 == 0 ? 32 : $0 }
            return [uid == "0" ? "root" : uid, String(pid), ppid, "0", "-", "?", time,
                    String(decoding: cmd, as: UTF8.self).trimmingSpaces]
        }
        return (["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], rows)
    }
}

private func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
