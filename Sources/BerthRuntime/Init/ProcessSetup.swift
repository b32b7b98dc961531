#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// The last steps before the user program, shared by a container's init and `exec`:
/// rlimits, no_new_privs, seccomp, capabilities, user and groups, umask, PATH lookup.
struct ProcessSetup {
    let process: Spec.Process
    let seccomp: Spec.Seccomp?
    /// `seccomp` compiled before the clone (see `SeccompProgram`); nil: built here with libseccomp.
    var program: SeccompProgram? = nil

    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The environment, with HOME added from the container's /etc/passwd when missing.
    var environment: [String] {
        var env = process.env ?? []
        if !env.contains(where: { $0.hasPrefix("HOME=") }) {
            env.append("HOME=" + ProcessSetup.home(uid: process.user.uid))
        }
        return env
    }

    static func home(uid: UInt32) -> String {
        guard let passwd = try? Files.readString("/etc/passwd") else { return "/" }
        for line in passwd.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            if f.count >= 6, UInt32(f[2]) == uid { return String(f[5]) }
        }
        return "/"
    }

    /// Finds the program like execvp, with the container's PATH; runc's wording on failure.
    func lookPath() throws -> String {
        let name = process.args?.first ?? ""
        if name.contains("/") {
            guard access(name, X_OK) == 0 else {
                throw ChildFailure(stage: "exec", message: "exec: \"\(name)\": \(String(cString: strerror(errno)))")
            }
            return name
        }
        let pathVar = (process.env ?? []).last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? ProcessSetup.defaultPath
        for dir in pathVar.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw ChildFailure(stage: "exec", message: "exec: \"\(name)\": executable file not found in $PATH")
    }

    func applyRlimits() throws {
        for r in process.rlimits ?? [] {
            try stage("setrlimit") { try Rlimits.set(r.type, soft: r.soft, hard: r.hard) }
        }
    }

    /// Capabilities and user, in runc's order: seccomp first when it still needs
    /// CAP_SYS_ADMIN, bounding set, keep caps across setuid, switch user, set the sets.
    func finalize() throws {
        // Before the capabilities go: writing /proc/self/attr needs them.
        try SecurityLabels.applyOnExec(process)
        let caps = process.capabilities
        let nnp = process.noNewPrivileges == true
        if nnp { try stage("no_new_privs") { try sys("prctl(PR_SET_NO_NEW_PRIVS)") { berth_prctl(38, 1, 0, 0, 0) } } }
        if !nnp, let seccomp { try stage("seccomp") { try loadSeccomp(seccomp) } }
        try stage("apply capabilities") {
            try Capabilities.applyBounding(try Capabilities.mask(caps?.bounding))
            try sys("prctl(PR_SET_KEEPCAPS)") { berth_prctl(8, 1, 0, 0, 0) }
        }
        try stage("set user") { try switchUser() }
        try stage("apply capabilities") {
            _ = berth_prctl(8, 0, 0, 0, 0)
            try Capabilities.apply(effective: try Capabilities.mask(caps?.effective),
                                   permitted: try Capabilities.mask(caps?.permitted),
                                   inheritable: try Capabilities.mask(caps?.inheritable),
                                   ambient: try Capabilities.mask(caps?.ambient))
        }
        if let umask = process.user.umask { _ = Glibc.umask(mode_t(umask)) }
    }

    /// Loaded last, right before exec, when no_new_privs lets an unprivileged process load it.
    func lateSeccomp() throws {
        if process.noNewPrivileges == true, let seccomp {
            try stage("seccomp") { try loadSeccomp(seccomp) }
        }
    }

    private func loadSeccomp(_ seccomp: Spec.Seccomp) throws {
        if let program { try program.load() } else { try SeccompFilter(config: seccomp).load() }
    }

    private func switchUser() throws {
        let user = process.user
        let groups = (user.additionalGids ?? []).map { gid_t($0) }
        try sys("setgroups") { groups.withUnsafeBufferPointer { setgroups($0.count, $0.baseAddress) } }
        try sys("setresgid") { berth_setresgid(user.gid, user.gid, user.gid) }
        try sys("setresuid") { berth_setresuid(user.uid, user.uid, user.uid) }
    }

    /// Marks every fd from `3 + preserve` on close-on-exec, then execs. Never returns:
    /// on failure prints runc's message to stderr and exits 127 (nobody else is listening).
    func exec(_ path: String, preserveFDs: Int) -> Never {
        _ = berth_close_range_from(Int32(3 + preserveFDs), 1)
        // The caller (berth-shim, a foreground `run`) may block or catch signals; the
        // program starts with none blocked and default handlers.
        berth_reset_signals()
        execCStrings(path, process.args ?? [], environment)
        let msg = "berth-runtime: exec \(path): \(String(cString: strerror(errno)))\n"
        _ = msg.withCString { write(2, $0, strlen($0)) }
        _exit(127)
    }
}
