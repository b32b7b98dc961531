// berth-runtime: an OCI runtime with runc's command line, so podman (--runtime),
// containerd (runc shim BinaryName) and crictl/Kubernetes can run containers with Berth.
#if canImport(Glibc)
import Glibc
#endif
import BerthRuntime

let globalFlags = [
    FlagSpec(names: ["root"], takesValue: true),
    FlagSpec(names: ["log"], takesValue: true),
    FlagSpec(names: ["log-format"], takesValue: true),
    FlagSpec(names: ["log-level"], takesValue: true),
    FlagSpec(names: ["debug"], takesValue: false),
    FlagSpec(names: ["systemd-cgroup"], takesValue: false),
    FlagSpec(names: ["rootless"], takesValue: true),
    FlagSpec(names: ["criu"], takesValue: true),
    FlagSpec(names: ["version", "v"], takesValue: false),
    FlagSpec(names: ["help", "h"], takesValue: false),
]

func main() -> Int32 {
    let args = CommandLine.arguments.dropFirst()
    do {
        let global = try parseFlags(args, globalFlags)
        Log.path = global.string("log")
        Log.json = global.string("log-format") == "json"
        Log.debugEnabled = global.bool("debug")
        if global.bool("version") {
            print("berth-runtime version \(Features.version)\nspec: 1.2.0")
            return 0
        }
        guard let command = global.positional.first, !global.bool("help") else {
            print(Commands.usage)
            return global.bool("help") ? 0 : 1
        }
        if global.bool("systemd-cgroup") {
            throw UsageError("--systemd-cgroup is not supported: berth-runtime manages cgroupfs paths only")
        }
        let runtime = Runtime(root: global.string("root") ?? "/run/berth-runtime")
        return try Commands.run(command, global.positional.dropFirst(), runtime: runtime)
    } catch {
        let message = "\(error)"
        Log.error(message)
        if Log.path != nil { _ = "berth-runtime: \(message)\n".withCString { write(2, $0, strlen($0)) } }
        return 1
    }
}

exit(main())
