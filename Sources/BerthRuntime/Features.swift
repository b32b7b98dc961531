import BerthOCI
import BerthSystem

/// What `berth-runtime features` reports (the runtime spec's features.md), as JSON.
public enum Features {
    public static func json() -> String {
        func list(_ items: [String]) -> String { "[" + items.map { Log.jsonString($0) }.joined(separator: ",") + "]" }
        let namespaces = ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"]
        let options = Array(MountOptions.setters.keys) + Array(MountOptions.clearers.keys)
            + Array(MountOptions.propagations.keys)
        let actions = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                       "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"]
        let ops = ["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
                   "SCMP_CMP_NE"]
        let archs = ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32"]
        let hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
        return """
        {
          "ociVersionMin": "1.0.0",
          "ociVersionMax": "1.2.0",
          "hooks": \(list(hooks)),
          "mountOptions": \(list(options.sorted())),
          "linux": {
            "namespaces": \(list(namespaces)),
            "capabilities": \(list(Capabilities.all)),
            "cgroup": {"v1": true, "v2": true, "systemd": false, "systemdUser": false, "rdma": false},
            "seccomp": {"enabled": true, "actions": \(list(actions)), "operators": \(list(ops)), "archs": \(list(archs))},
            "apparmor": {"enabled": false},
            "selinux": {"enabled": false},
            "intelRdt": {"enabled": false},
            "mountExtensions": {"idmap": {"enabled": false}}
          },
          "annotations": {"org.opencontainers.runc.version": "berth-runtime \(version)"}
        }
        """
    }

    /// The runtime's version, printed by `--version`.
    public static let version = "0.1.0"
}
