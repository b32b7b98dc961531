import BerthOCI
import BerthSystem

extension Spec {
    /// The paths runc and Docker mask in every container.
    public static let defaultMaskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ]
    /// The paths runc and Docker make read-only in every container.
    public static let defaultReadonlyPaths = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]

    /// The standard mounts: /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, cgroups.
    public static let defaultMounts: [Mount] = [
        Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
              options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
    ]

    /// A default config like `runc spec` writes: a read-only busybox-style `sh` with a
    /// terminal, few capabilities, and the usual namespaces, mounts and masks.
    public static func runtimeDefault(args: [String] = ["sh"], terminal: Bool = true) -> Spec {
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        var linux = Linux()
        var resources = Resources()
        resources.devices = [DeviceCgroup(allow: false, access: "rwm")]
        linux.resources = resources
        linux.namespaces = [.init(type: .pid), .init(type: .network), .init(type: .ipc), .init(type: .uts),
                            .init(type: .mount), .init(type: .cgroup)]
        linux.maskedPaths = defaultMaskedPaths
        linux.readonlyPaths = defaultReadonlyPaths
        let process = Process(terminal: terminal, user: User(), args: args,
                              env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                              cwd: "/",
                              capabilities: Capabilities(bounding: caps, effective: caps, permitted: caps),
                              rlimits: [Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)],
                              noNewPrivileges: true)
        return Spec(ociVersion: "1.2.0", process: process, root: Root(path: "rootfs", readonly: true),
                    hostname: "berth", mounts: defaultMounts, linux: linux)
    }

    /// What Docker gives a container by default: its capability set, its seccomp profile,
    /// the masked and read-only paths, and no_new_privs off.
    public static func dockerDefault(args: [String], terminal: Bool = false) throws -> Spec {
        var spec = runtimeDefault(args: args, terminal: terminal)
        let caps = BerthSystem.Capabilities.dockerDefault
        spec.process?.capabilities = Capabilities(bounding: caps, effective: caps, permitted: caps)
        spec.process?.noNewPrivileges = false
        spec.process?.env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        spec.root?.readonly = false
        spec.linux?.seccomp = try DockerSeccompProfile.dockerDefault().oci(capabilities: caps, arch: hostArch,
                                                                           kernel: kernelVersion)
        return spec
    }

    public static var hostArch: String {
        #if arch(arm64)
        return "arm64"
        #else
        return "amd64"
        #endif
    }

    public static var kernelVersion: (Int, Int) {
        let release = (try? Files.readString("/proc/sys/kernel/osrelease")) ?? "0.0"
        let parts = release.split(whereSeparator: { $0 == "." || $0 == "-" }).prefix(2).compactMap { Int($0) }
        return (parts.first ?? 0, parts.count > 1 ? parts[1] : 0)
    }
}
