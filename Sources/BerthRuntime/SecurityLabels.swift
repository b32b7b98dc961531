import BerthOCI
import BerthSystem

/// AppArmor profiles and SELinux labels: applied where the host has the LSM, otherwise
/// ignored with a warning (the spec's process.apparmorProfile and process.selinuxLabel).
enum SecurityLabels {
    static var hostHasAppArmor: Bool { Files.exists("/sys/kernel/security/apparmor") }
    static var hostHasSELinux: Bool { Files.exists("/sys/fs/selinux/enforce") }

    /// Warns (in the runtime's log) about labels this host cannot apply.
    static func warnUnsupported(_ process: Spec.Process?) {
        if let p = process?.apparmorProfile, !p.isEmpty, !hostHasAppArmor {
            Log.warn("apparmor profile \"\(p)\" ignored: this host has no AppArmor")
        }
        if let l = process?.selinuxLabel, !l.isEmpty, !hostHasSELinux {
            Log.warn("selinux label \"\(l)\" ignored: this host has no SELinux")
        }
    }

    /// In the container process, right before exec: the labels take effect at execve.
    static func applyOnExec(_ process: Spec.Process) throws {
        if let p = process.apparmorProfile, !p.isEmpty, hostHasAppArmor {
            let path = Files.exists("/proc/self/attr/apparmor/exec") ? "/proc/self/attr/apparmor/exec" : "/proc/self/attr/exec"
            try stage("apparmor") { try Files.writeExisting(path, "exec \(p)") }
        }
        if let l = process.selinuxLabel, !l.isEmpty, hostHasSELinux {
            try stage("selinux") { try Files.writeExisting("/proc/self/attr/exec", l) }
        }
    }
}
