/// Docker's seccomp profile format (moby/profiles `seccomp/default.json`): the OCI form plus
/// an arch map and per-rule conditions on capabilities, architectures and kernel version.
public struct DockerSeccompProfile: Codable, Sendable {
    public var defaultAction: String
    public var defaultErrnoRet: UInt32?
    public var archMap: [ArchMap]?
    public var architectures: [String]?
    public var flags: [String]?
    public var syscalls: [Rule]?

    public struct ArchMap: Codable, Sendable {
        public var architecture: String
        public var subArchitectures: [String]?
    }

    public struct Rule: Codable, Sendable {
        public var names: [String]?
        public var name: String?
        public var action: String
        public var errnoRet: UInt32?
        public var args: [Spec.SyscallArg]?
        public var includes: Filter?
        public var excludes: Filter?
    }

    public struct Filter: Codable, Sendable {
        public var caps: [String]?
        public var arches: [String]?
        public var minKernel: String?
    }

    /// The OCI `linux.seccomp` for a container with `capabilities` (its bounding set) on
    /// `arch` (Go's name: "amd64", "arm64") and a kernel of version `kernel` (major, minor),
    /// following moby's `setupSeccomp`.
    public func oci(capabilities: [String], arch: String = "amd64", kernel: (Int, Int) = (6, 0)) -> Spec.Seccomp {
        let scmpArch = DockerSeccompProfile.scmpArch(arch)
        var arches: [String] = architectures ?? []
        for m in archMap ?? [] where m.architecture == scmpArch {
            arches = [m.architecture] + (m.subArchitectures ?? [])
        }
        let caps = Set(capabilities.map { $0.uppercased().hasPrefix("CAP_") ? $0.uppercased() : "CAP_" + $0.uppercased() })
        var rules: [Spec.Syscall] = []
        for rule in syscalls ?? [] {
            if let inc = rule.includes {
                if let c = inc.caps, !c.allSatisfy(caps.contains) { continue }
                if let a = inc.arches, !a.contains(arch) { continue }
                if let k = inc.minKernel, !DockerSeccompProfile.atLeast(kernel, k) { continue }
            }
            if let exc = rule.excludes {
                if let c = exc.caps, c.contains(where: caps.contains) { continue }
                if let a = exc.arches, a.contains(arch) { continue }
            }
            let names = rule.names ?? rule.name.map { [$0] } ?? []
            rules.append(Spec.Syscall(names: names, action: rule.action, errnoRet: rule.errnoRet, args: rule.args))
        }
        return Spec.Seccomp(defaultAction: defaultAction, defaultErrnoRet: defaultErrnoRet, architectures: arches,
                            flags: flags, syscalls: rules)
    }

    static func scmpArch(_ goArch: String) -> String {
        switch goArch {
        case "amd64": "SCMP_ARCH_X86_64"
        case "arm64": "SCMP_ARCH_AARCH64"
        case "386": "SCMP_ARCH_X86"
        case "arm": "SCMP_ARCH_ARM"
        case "ppc64le": "SCMP_ARCH_PPC64LE"
        case "s390x": "SCMP_ARCH_S390X"
        case "riscv64": "SCMP_ARCH_RISCV64"
        default: "SCMP_ARCH_" + goArch.uppercased()
        }
    }

    static func atLeast(_ kernel: (Int, Int), _ min: String) -> Bool {
        let parts = min.split(separator: ".").compactMap { Int($0) }
        let major = parts.first ?? 0, minor = parts.count > 1 ? parts[1] : 0
        return kernel.0 > major || (kernel.0 == major && kernel.1 >= minor)
    }
}

extension DockerSeccompProfile {
    /// Docker's default profile, parsed once per process (berthd builds a spec per start).
    public static func dockerDefault() throws -> DockerSeccompProfile { try parsedDefault.get() }

    private static let parsedDefault = Result {
        try OCIJSON.decode(DockerSeccompProfile.self, from: Array(defaultJSON.utf8))
    }
}
