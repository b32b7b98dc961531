#if canImport(Glibc)
import Glibc
#endif
import CBerth

/// Linux capabilities by name (`CAP_CHOWN` …) and the operations on the five sets.
public enum Capabilities {
    /// Capability numbers from linux/capability.h, in order.
    public static let names: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
        "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ]

    /// The highest capability the running kernel knows.
    public static let lastCap: Int = Int(berth_cap_last_cap())

    /// Docker's default capability set, which `berth` and `berthd` give containers.
    public static let dockerDefault: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ]

    /// The number of a capability name, accepting `CAP_X` and `X`, any case.
    public static func number(_ name: String) -> Int? {
        var upper = name.uppercased()
        if !upper.hasPrefix("CAP_") { upper = "CAP_" + upper }
        return names.firstIndex(of: upper)
    }

    /// A bit mask from names; names this kernel lacks are skipped, as runc does.
    public static func mask(_ list: [String]?) throws -> UInt64 {
        var mask: UInt64 = 0
        for name in list ?? [] {
            guard let n = number(name) else { throw BerthError("unknown capability \"\(name)\"") }
            if n <= lastCap { mask |= 1 << UInt64(n) }
        }
        return mask
    }

    /// Drops every capability not in `keep` from the bounding set.
    public static func applyBounding(_ keep: UInt64) throws {
        for cap in 0...lastCap where keep & (1 << UInt64(cap)) == 0 {
            // PR_CAPBSET_DROP = 24
            try sys("prctl(PR_CAPBSET_DROP)") { berth_prctl(24, UInt(cap), 0, 0, 0) }
        }
    }

    /// Sets effective, permitted and inheritable sets, then raises the ambient ones.
    public static func apply(effective: UInt64, permitted: UInt64, inheritable: UInt64, ambient: UInt64) throws {
        try sys("capset") { berth_capset(effective, permitted, inheritable) }
        // PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_CLEAR_ALL = 4
        _ = berth_prctl(47, 4, 0, 0, 0)
        // An ambient capability must also be permitted and inheritable; like runc, skip the
        // ones the kernel refuses rather than failing the container.
        for cap in 0...lastCap where ambient & (1 << UInt64(cap)) != 0 {
            _ = berth_prctl(47, 2, UInt(cap), 0, 0)
        }
    }

    /// Every capability the kernel knows (for privileged containers).
    public static var all: [String] { Array(names.prefix(lastCap + 1)) }

    /// Every capability this process may pass on: those of `all` in its bounding set. What
    /// privileged containers get, as moby's `GetAllCapabilities`, so they still start where
    /// berthd itself runs with fewer (a container without CAP_SYS_RESOURCE, say).
    public static var available: [String] {
        // PR_CAPBSET_READ = 23
        all.enumerated().filter { berth_prctl(23, UInt($0.offset), 0, 0, 0) == 1 }.map(\.element)
    }
}
