#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthRuntime
import BerthSystem

/// `exec`: a process from `--process FILE` or from arguments over the container's defaults.
enum ExecCommand {
    static let flags = [
        FlagSpec(names: ["process", "p"], takesValue: true),
        FlagSpec(names: ["tty", "t"], takesValue: false),
        FlagSpec(names: ["detach", "d"], takesValue: false),
        FlagSpec(names: ["pid-file"], takesValue: true),
        FlagSpec(names: ["console-socket"], takesValue: true),
        FlagSpec(names: ["cwd"], takesValue: true),
        FlagSpec(names: ["env", "e"], takesValue: true),
        FlagSpec(names: ["user", "u"], takesValue: true),
        FlagSpec(names: ["additional-gids", "g"], takesValue: true),
        FlagSpec(names: ["cap", "c"], takesValue: true),
        FlagSpec(names: ["no-new-privs"], takesValue: false),
        FlagSpec(names: ["preserve-fds"], takesValue: true),
        FlagSpec(names: ["process-label"], takesValue: true),
        FlagSpec(names: ["apparmor"], takesValue: true),
        FlagSpec(names: ["cgroup"], takesValue: true),
        FlagSpec(names: ["ignore-paused"], takesValue: false),
    ]

    static func run(_ args: ArraySlice<String>, runtime: Runtime) throws -> Int32 {
        let f = try parseFlags(args, flags)
        guard let id = f.positional.first else { throw UsageError("exec: container id required") }
        var process: Spec.Process
        if let file = f.string("process") {
            do {
                process = try OCIJSON.decode(Spec.Process.self, from: try Files.read(file))
            } catch {
                throw UsageError("--process \(file): \(OCIJSON.describe(error))")
            }
        } else {
            let command = Array(f.positional.dropFirst())
            guard !command.isEmpty else { throw UsageError("exec: command required") }
            process = try runtime.defaultProcess(id)
            process.args = command
            process.terminal = f.bool("tty")
            if let cwd = f.string("cwd") { process.cwd = cwd }
            process.env = (process.env ?? []) + f.strings("env")
            if let user = f.string("user") {
                let parts = user.split(separator: ":")
                guard let uid = parts.first.flatMap({ UInt32($0) }) else { throw UsageError("invalid --user \"\(user)\"") }
                process.user.uid = uid
                process.user.gid = parts.count > 1 ? UInt32(parts[1]) ?? 0 : 0
            }
            let gids = f.strings("additional-gids").compactMap { UInt32($0) }
            if !gids.isEmpty { process.user.additionalGids = gids }
            if f.bool("no-new-privs") { process.noNewPrivileges = true }
            let extra = f.strings("cap")
            if !extra.isEmpty {
                var caps = process.capabilities ?? Spec.Capabilities()
                caps.bounding = (caps.bounding ?? []) + extra
                caps.effective = (caps.effective ?? []) + extra
                caps.permitted = (caps.permitted ?? []) + extra
                process.capabilities = caps
            }
        }
        var options = ExecOptions(process: process)
        options.detach = f.bool("detach")
        options.pidFile = f.string("pid-file")
        options.consoleSocket = f.string("console-socket")
        options.preserveFDs = try f.int("preserve-fds") ?? 0
        return try runtime.exec(id, options: options)
    }
}

/// `update`: new cgroup limits from flags or `--resources FILE|-` (linux.resources JSON).
enum UpdateCommand {
    static let flags = [
        FlagSpec(names: ["resources", "r"], takesValue: true),
        FlagSpec(names: ["memory"], takesValue: true),
        FlagSpec(names: ["memory-reservation"], takesValue: true),
        FlagSpec(names: ["memory-swap"], takesValue: true),
        FlagSpec(names: ["cpu-shares"], takesValue: true),
        FlagSpec(names: ["cpu-period"], takesValue: true),
        FlagSpec(names: ["cpu-quota"], takesValue: true),
        FlagSpec(names: ["cpuset-cpus"], takesValue: true),
        FlagSpec(names: ["cpuset-mems"], takesValue: true),
        FlagSpec(names: ["pids-limit"], takesValue: true),
        FlagSpec(names: ["blkio-weight"], takesValue: true),
        FlagSpec(names: ["kernel-memory"], takesValue: true),
        FlagSpec(names: ["kernel-memory-tcp"], takesValue: true),
    ]

    static func run(_ args: ArraySlice<String>, runtime: Runtime) throws {
        let f = try parseFlags(args, flags)
        guard let id = f.positional.first else { throw UsageError("update: container id required") }
        var r = Spec.Resources()
        if let file = f.string("resources") {
            let bytes = file == "-" ? try FD.readAll(0) : try Files.read(file)
            do { r = try OCIJSON.decode(Spec.Resources.self, from: bytes) } catch {
                throw UsageError("--resources: \(OCIJSON.describe(error))")
            }
        }
        func bytes(_ name: String) throws -> Int64? {
            guard let v = f.string(name) else { return nil }
            guard let n = parseBytes(v) else { throw UsageError("invalid value \"\(v)\" for --\(name)") }
            return n
        }
        func number<T: FixedWidthInteger>(_ name: String) throws -> T? {
            guard let v = f.string(name) else { return nil }
            guard let n = T(v) else { throw UsageError("invalid value \"\(v)\" for --\(name)") }
            return n
        }
        if let m = try bytes("memory") { r.memory = r.memory ?? Spec.Memory(); r.memory?.limit = m }
        if let m = try bytes("memory-reservation") { r.memory = r.memory ?? Spec.Memory(); r.memory?.reservation = m }
        if let m = try bytes("memory-swap") { r.memory = r.memory ?? Spec.Memory(); r.memory?.swap = m }
        let shares: UInt64? = try number("cpu-shares"), period: UInt64? = try number("cpu-period")
        let quota: Int64? = try number("cpu-quota")
        if shares != nil || period != nil || quota != nil || f.string("cpuset-cpus") != nil || f.string("cpuset-mems") != nil {
            r.cpu = Spec.CPU(shares: shares, quota: quota, period: period, cpus: f.string("cpuset-cpus"),
                             mems: f.string("cpuset-mems"))
        }
        if let p: Int64 = try number("pids-limit") { r.pids = Spec.Pids(limit: p) }
        if let w: UInt16 = try number("blkio-weight") { r.blockIO = Spec.BlockIO(weight: w) }
        try runtime.update(id, resources: r)
    }

    /// `512m`, `1g`, `1024` → bytes; `-1` stays unlimited.
    static func parseBytes(_ s: String) -> Int64? {
        if let n = Int64(s) { return n }
        let units: [Character: Int64] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40]
        var body = s.lowercased()
        if body.hasSuffix("b") { body.removeLast() }
        guard let u = body.last, let mult = units[u], let n = Int64(body.dropLast()) else { return nil }
        return n * mult
    }
}
