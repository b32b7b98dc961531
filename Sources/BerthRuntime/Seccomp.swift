#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// Turns the spec's `linux.seccomp` into a libseccomp filter.
struct SeccompFilter {
    let config: Spec.Seccomp

    static func action(_ name: String, errno ret: UInt32?) throws -> UInt32 {
        switch name {
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return 0x0000_0000
        case "SCMP_ACT_KILL_PROCESS": return 0x8000_0000
        case "SCMP_ACT_TRAP": return 0x0003_0000
        case "SCMP_ACT_ERRNO": return berth_scmp_act_errno(ret ?? UInt32(EPERM))
        case "SCMP_ACT_TRACE": return berth_scmp_act_trace(ret ?? UInt32(EPERM))
        case "SCMP_ACT_LOG": return 0x7ffc_0000
        case "SCMP_ACT_ALLOW": return 0x7fff_0000
        case "SCMP_ACT_NOTIFY": return 0x7fc0_0000
        default: throw BerthError("linux.seccomp: unknown action \"\(name)\"")
        }
    }

    static func op(_ name: String) throws -> scmp_compare {
        switch name {
        case "SCMP_CMP_NE": return SCMP_CMP_NE
        case "SCMP_CMP_LT": return SCMP_CMP_LT
        case "SCMP_CMP_LE": return SCMP_CMP_LE
        case "SCMP_CMP_EQ": return SCMP_CMP_EQ
        case "SCMP_CMP_GE": return SCMP_CMP_GE
        case "SCMP_CMP_GT": return SCMP_CMP_GT
        case "SCMP_CMP_MASKED_EQ": return SCMP_CMP_MASKED_EQ
        default: throw BerthError("linux.seccomp: unknown operator \"\(name)\"")
        }
    }

    /// `SCMP_ARCH_X86_64` → libseccomp's token for "x86_64"; 0 when unknown.
    static func arch(_ name: String) -> UInt32 {
        var n = name.lowercased()
        if n.hasPrefix("scmp_arch_") { n = String(n.dropFirst(10)) }
        return seccomp_arch_resolve_name(n)
    }

    /// Builds and loads the filter into the calling thread.
    func load() throws {
        let ctx = try build()
        defer { seccomp_release(ctx) }
        let rc = seccomp_load(ctx)
        if rc != 0 { throw SyscallError(syscall: "seccomp_load", code: -rc) }
    }

    /// Whether the profile can be compiled ahead and loaded as plain BPF: not when a rule
    /// needs a user-space listener (SCMP_ACT_NOTIFY), whose descriptor only libseccomp's own
    /// load returns.
    var isPrecompilable: Bool {
        config.defaultAction != "SCMP_ACT_NOTIFY" && !(config.syscalls ?? []).contains { $0.action == "SCMP_ACT_NOTIFY" }
    }

    /// The seccomp(2) flags libseccomp's load would pass for this profile.
    func loadFlags() throws -> UInt32 {
        var flags: UInt32 = 0
        for flag in config.flags ?? [] {
            switch flag {
            case "SECCOMP_FILTER_FLAG_TSYNC": flags |= 1
            case "SECCOMP_FILTER_FLAG_LOG": flags |= 2
            case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": flags |= 4
            default: throw BerthError("linux.seccomp.flags: unknown flag \"\(flag)\"")
            }
        }
        return flags
    }

    /// The profile as a libseccomp filter context; the caller releases it.
    func build() throws -> scmp_filter_ctx {
        let defaultAction = try SeccompFilter.action(config.defaultAction, errno: config.defaultErrnoRet)
        guard let ctx = seccomp_init(defaultAction) else { throw BerthError("seccomp_init failed") }
        do {
            try configure(ctx, defaultAction: defaultAction)
            return ctx
        } catch {
            seccomp_release(ctx)
            throw error
        }
    }

    private func configure(_ ctx: scmp_filter_ctx, defaultAction: UInt32) throws {
        // libseccomp sets no_new_privs by default; only the spec may ask for that.
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)
        for flag in config.flags ?? [] {
            switch flag {
            case "SECCOMP_FILTER_FLAG_LOG": _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1)
            case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1)
            case "SECCOMP_FILTER_FLAG_TSYNC": _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)
            default: throw BerthError("linux.seccomp.flags: unknown flag \"\(flag)\"")
            }
        }
        for a in config.architectures ?? [] {
            let token = SeccompFilter.arch(a)
            guard token != 0 else { continue }
            let rc = seccomp_arch_add(ctx, token)
            if rc != 0 && rc != -EEXIST { throw SyscallError(syscall: "seccomp_arch_add", path: a, code: -rc) }
        }
        for rule in config.syscalls ?? [] {
            let action = try SeccompFilter.action(rule.action, errno: rule.errnoRet)
            if action == defaultAction { continue }
            let args = try (rule.args ?? []).map {
                scmp_arg_cmp(arg: $0.index, op: try SeccompFilter.op($0.op), datum_a: $0.value, datum_b: $0.valueTwo ?? 0)
            }
            // libseccomp refuses two conditions on one argument in a rule: split them, as runc does.
            let indexes = args.map(\.arg)
            let groups: [[scmp_arg_cmp]] = Set(indexes).count == indexes.count ? [args] : args.map { [$0] }
            for name in rule.names {
                let nr = seccomp_syscall_resolve_name(name)
                if nr == __NR_SCMP_ERROR { continue }   // unknown to this libseccomp or arch
                for group in groups {
                    let rc = group.withUnsafeBufferPointer {
                        seccomp_rule_add_array(ctx, action, nr, UInt32($0.count), $0.baseAddress)
                    }
                    if rc != 0 { throw SyscallError(syscall: "seccomp_rule_add", path: name, code: -rc) }
                }
            }
        }
    }
}
