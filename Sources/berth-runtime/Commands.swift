#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthRuntime
import BerthSystem

/// One function per runc verb.
enum Commands {
    static let usage = """
    berth-runtime: an OCI runtime (runc command line)

    USAGE: berth-runtime [global options] command [options] <container-id>

    COMMANDS: create, start, run, state, kill, delete, exec, list, ps, pause, resume,
              update, features, spec

    GLOBAL OPTIONS: --root DIR, --log FILE, --log-format text|json, --debug,
                    --systemd-cgroup (unsupported), --version
    """

    static let createFlags = [
        FlagSpec(names: ["bundle", "b"], takesValue: true),
        FlagSpec(names: ["console-socket"], takesValue: true),
        FlagSpec(names: ["pid-file"], takesValue: true),
        FlagSpec(names: ["no-pivot"], takesValue: false),
        FlagSpec(names: ["no-new-keyring"], takesValue: false),
        FlagSpec(names: ["preserve-fds"], takesValue: true),
        FlagSpec(names: ["detach", "d"], takesValue: false),
        FlagSpec(names: ["keep"], takesValue: false),
    ]

    static func run(_ command: String, _ args: ArraySlice<String>, runtime: Runtime) throws -> Int32 {
        switch command {
        case "create", "run":
            let f = try parseFlags(args, createFlags)
            let id = try oneID(f, command)
            var o = CreateOptions()
            o.bundle = f.string("bundle") ?? "."
            o.consoleSocket = f.string("console-socket")
            o.pidFile = f.string("pid-file")
            o.noPivot = f.bool("no-pivot")
            o.preserveFDs = try f.int("preserve-fds") ?? 0
            if command == "create" { try runtime.create(id: id, options: o); return 0 }
            return try runtime.run(id: id, options: o, detach: f.bool("detach"))
        case "start":
            try runtime.start(try oneID(try parseFlags(args, []), command))
        case "state":
            let state = try runtime.state(try oneID(try parseFlags(args, []), command))
            print(String(decoding: try OCIJSON.encode(state, pretty: true), as: UTF8.self))
        case "kill":
            let f = try parseFlags(args, [FlagSpec(names: ["all", "a"], takesValue: false)])
            guard let id = f.positional.first else { throw UsageError("kill: container id required") }
            let name = f.positional.dropFirst().first ?? "SIGTERM"
            guard let sig = Signals.parse(name) else { throw UsageError("unknown signal \"\(name)\"") }
            try runtime.kill(id, signal: sig, all: f.bool("all"))
        case "delete":
            let f = try parseFlags(args, [FlagSpec(names: ["force", "f"], takesValue: false)])
            try runtime.delete(try oneID(f, command), force: f.bool("force"))
        case "pause":
            try runtime.pause(try oneID(try parseFlags(args, []), command))
        case "resume":
            try runtime.resume(try oneID(try parseFlags(args, []), command))
        case "list":
            try list(args, runtime: runtime)
        case "ps":
            try ps(args, runtime: runtime)
        case "exec":
            return try ExecCommand.run(args, runtime: runtime)
        case "update":
            try UpdateCommand.run(args, runtime: runtime)
        case "features":
            print(Features.json())
        case "spec":
            let f = try parseFlags(args, [FlagSpec(names: ["bundle", "b"], takesValue: true),
                                          FlagSpec(names: ["rootless"], takesValue: false),
                                          FlagSpec(names: ["docker-defaults"], takesValue: false)])
            let path = Files.join(f.string("bundle") ?? ".", "config.json")
            if Files.exists(path) { throw UsageError("File \(path) exists. Remove it first") }
            // --docker-defaults (Berth's own): Docker's capabilities, seccomp profile and masks.
            let spec = f.bool("docker-defaults") ? try Spec.dockerDefault(args: ["sh"]) : Spec.runtimeDefault()
            try Files.write(path, try OCIJSON.encode(spec, pretty: true) + [10])
        default:
            throw UsageError("no such command: \(command)")
        }
        return 0
    }

    static func oneID(_ f: ParsedFlags, _ command: String) throws -> String {
        guard f.positional.count == 1, let id = f.positional.first else {
            throw UsageError("\(command): exactly one container id required")
        }
        return id
    }

    static func list(_ args: ArraySlice<String>, runtime: Runtime) throws {
        let f = try parseFlags(args, [FlagSpec(names: ["format", "f"], takesValue: true),
                                      FlagSpec(names: ["quiet", "q"], takesValue: false)])
        let records = runtime.store.ids().compactMap { try? runtime.store.load($0) }
        if f.bool("quiet") { records.forEach { print($0.id) }; return }
        if f.string("format") == "json" {
            let items = records.map { r in
                let status = runtime.status(of: r)
                return "{\"ociVersion\":\"1.2.0\",\"id\":\(Log.jsonString(r.id)),\"pid\":\(status == "stopped" ? 0 : r.pid ?? 0),"
                    + "\"status\":\"\(status)\",\"bundle\":\(Log.jsonString(r.bundle)),\"rootfs\":\(Log.jsonString(r.rootfs)),"
                    + "\"created\":\"\(r.created)\",\"owner\":\"\(r.owner)\"}"
            }
            print("[" + items.joined(separator: ",") + "]")
            return
        }
        var rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
        for r in records {
            let status = runtime.status(of: r)
            rows.append([r.id, String(status == "stopped" ? 0 : r.pid ?? 0), status, r.bundle, r.created, r.owner])
        }
        printTable(rows)
    }

    static func ps(_ args: ArraySlice<String>, runtime: Runtime) throws {
        let f = try parseFlags(args, [FlagSpec(names: ["format", "f"], takesValue: true)])
        guard let id = f.positional.first else { throw UsageError("ps: container id required") }
        let pids = try runtime.pids(id)
        if f.string("format") == "json" {
            print("[" + pids.map(String.init).joined(separator: ",") + "]")
            return
        }
        var rows = [["PID", "CMD"]]
        for pid in pids {
            let cmd = (try? Files.read("/proc/\(pid)/cmdline")).map { bytes in
                String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).trimmingSpaces
            } ?? ""
            rows.append([String(pid), cmd])
        }
        printTable(rows)
    }

    static func printTable(_ rows: [[String]]) {
        guard let width = rows.first?.count else { return }
        let widths = (0..<width).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            var line = ""
            for (c, cell) in row.enumerated() {
                line += c == width - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count + 3)
            }
            print(line)
        }
    }
}
