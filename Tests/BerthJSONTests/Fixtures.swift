import BerthJSON
import BerthOCI

/// A realistic OCI config built from BerthOCI's types: Docker's seccomp profile, the usual
/// mounts and namespaces, id mappings, hooks, resources and annotations (about 20 KB).
enum Fixture {
    static func spec() throws -> Spec {
        let caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
                    "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE",
                    "CAP_SETFCAP"]
        var linux = Spec.Linux()
        linux.namespaces = [.init(type: .pid), .init(type: .network, path: "/var/run/netns/c1"), .init(type: .ipc),
                            .init(type: .uts), .init(type: .mount), .init(type: .cgroup)]
        linux.uidMappings = [.init(containerID: 0, hostID: 100_000, size: 65536)]
        linux.gidMappings = [.init(containerID: 0, hostID: 100_000, size: 65536)]
        linux.sysctl = ["net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1"]
        var resources = Spec.Resources()
        resources.devices = [.init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm")]
        resources.memory = .init(limit: 536_870_912, reservation: 268_435_456, swap: -1)
        resources.cpu = .init(shares: 1024, quota: 50000, period: 100_000, cpus: "0-1")
        resources.pids = .init(limit: 4096)
        resources.unified = ["memory.high": "max"]
        linux.resources = resources
        linux.cgroupsPath = "/berth/c1"
        linux.devices = [.init(type: "c", path: "/dev/fuse", major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0)]
        linux.seccomp = try DockerSeccompProfile.dockerDefault().oci(capabilities: caps, arch: "amd64", kernel: (6, 1))
        linux.maskedPaths = ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"]
        linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
        var hooks = Spec.Hooks()
        hooks.prestart = [.init(path: "/usr/bin/berth-hook", args: ["berth-hook", "prestart"], env: ["A=1"], timeout: 5)]
        let process = Spec.Process(
            terminal: false, user: .init(uid: 1000, gid: 1000, umask: 0o022, additionalGids: [10, 20]),
            args: ["/bin/sh", "-c", "echo \"héllo/wörld\" \\ \u{1}done"],
            env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "EMOJI=😀"],
            cwd: "/", capabilities: .init(bounding: caps, effective: caps, permitted: caps),
            rlimits: [.init(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024),
                      .init(type: "RLIMIT_CORE", hard: UInt64.max, soft: UInt64.max)],
            noNewPrivileges: true, oomScoreAdj: -500)
        let mounts: [Spec.Mount] = [
            .init(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
            .init(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755"]),
            .init(destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "gid=5"]),
            .init(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
            .init(destination: "/etc/resolv.conf", type: "bind", source: "/var/lib/berth/c1/resolv.conf", options: ["rbind", "ro"]),
        ]
        return Spec(process: process, root: .init(path: "rootfs", readonly: true), hostname: "c1", mounts: mounts,
                    hooks: hooks, annotations: ["org.opencontainers.image.ref.name": "busybox:latest", "com.example/ü": "x"],
                    linux: linux)
    }

    static func specJSON(pretty: Bool = false) throws -> [UInt8] {
        try BerthJSONEncoder(sortedKeys: true, pretty: pretty).encode(try spec())
    }
}

/// SplitMix64: a small deterministic generator, so a failing fuzz case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
