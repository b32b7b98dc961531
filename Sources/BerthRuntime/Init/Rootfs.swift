#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// Builds the container's file system view inside its new mount namespace: the rootfs as a
/// mount point, the spec's mounts, /dev, then pivot_root. Runs in the init process only.
struct Rootfs {
    let bundle: Bundle
    let cgroup: Cgroup
    let userNamespace: Bool
    let newCgroupNamespace: Bool
    var spec: Spec { bundle.spec }
    var root: String { bundle.rootfs }

    /// Everything before pivot_root.
    func prepare() throws {
        // Nothing we mount may propagate back to the host: make / a slave (runc's default)
        // or what rootfsPropagation asks for.
        let rootProp = MountOptions.propagation(spec.linux?.rootfsPropagation) ?? (MountFlag.slave | MountFlag.rec)
        try stage("make / \(rootProp & MountFlag.shared != 0 ? "shared" : "private")") {
            try Mounter.mount(nil, "/", nil, rootProp)
        }
        // pivot_root needs the new root to be a mount point.
        try stage("bind rootfs") { try Mounter.mount(root, root, nil, MountFlag.bind | MountFlag.rec) }
        for (i, m) in (spec.mounts ?? []).enumerated() {
            try stage("mounts[\(i)] \(m.destination)") { try mount(m) }
        }
        try stage("create devices") { try Devices(root: root, userNamespace: userNamespace).create(spec.linux?.devices ?? []) }
    }

    private func mount(_ m: Spec.Mount) throws {
        let dest = try SecureJoin.resolve(root: root, path: m.destination)
        let options = MountOptions(m.options ?? [])
        let type = m.type ?? (options.isBind ? "bind" : "none")
        if options.isBind || type == "bind" {
            guard let source = m.source else { throw BerthError("bind mount without a source") }
            let src = source.hasPrefix("/") ? source : Files.join(bundle.path, source)
            guard Files.exists(src) else { throw SyscallError(syscall: "stat", path: src, code: ENOENT) }
            try Mounter.makeMountPoint(dest, asFile: !Files.isDirectory(src))
            var opts = options
            opts.flags |= MountFlag.bind
            try Mounter.bind(src, dest, options: opts)
            return
        }
        if type == "cgroup" || type == "cgroup2" { return try mountCgroup(dest, options: options) }
        try Mounter.makeMountPoint(dest, asFile: false)
        var data = options.dataString
        if type == "mqueue" || type == "sysfs" || type == "proc" { data = "" }
        do {
            try Mounter.mount(m.source ?? type, dest, type, options.flags, data)
        } catch let e as SyscallError where e.code == EINVAL && type == "devpts" && data.includes("gid=") {
            // Without a group 5 in the user namespace the kernel refuses gid=5.
            let trimmed = options.data.filter { !$0.hasPrefix("gid=") }.joined(separator: ",")
            try Mounter.mount(m.source ?? type, dest, type, options.flags, trimmed)
        } catch let e as SyscallError where e.code == EPERM && type == "sysfs" {
            // A sysfs mount needs its own network namespace; bind the host's instead, as runc does.
            try Mounter.bind("/sys", dest, options: MountOptions(["rbind", "nosuid", "noexec", "nodev", "ro"]))
        }
        for p in options.propagation { try Mounter.mount(nil, dest, nil, p) }
    }

    /// cgroup v2 with its own namespace mounts cgroup2; otherwise the container's own cgroup
    /// directories are bound read-only under a tmpfs (v1) or directly (v2).
    private func mountCgroup(_ dest: String, options: MountOptions) throws {
        try Mounter.makeMountPoint(dest, asFile: false)
        let ro = options.flags & MountFlag.rdonly
        let base = options.flags & (MountFlag.nosuid | MountFlag.nodev | MountFlag.noexec)
        if cgroup.version == .v2 {
            if newCgroupNamespace {
                try Mounter.mount("cgroup2", dest, "cgroup2", options.flags)
            } else if let dir = cgroup.dirs[""] {
                try Mounter.bind(dir, dest, options: MountOptions(["rbind"] + (ro != 0 ? ["ro"] : [])))
            }
            return
        }
        try Mounter.mount("tmpfs", dest, "tmpfs", base, "mode=755")
        for (controller, dir) in cgroup.dirs.sorted(by: { $0.key < $1.key }) where Files.isDirectory(dir) {
            let target = dest + "/" + controller
            try Files.mkdirAll(target)
            try Mounter.mount(dir, target, nil, MountFlag.bind | MountFlag.rec)
            try Mounter.mount(nil, target, nil, MountFlag.bind | MountFlag.remount | base | ro)
        }
        if ro != 0 { try Mounter.mount(nil, dest, nil, MountFlag.remount | base | ro) }
    }

    /// pivot_root into the rootfs and detach the old root (runc's `pivot_root(".", ".")`:
    /// the old root ends up stacked under the new one and is unmounted at once).
    func pivot(noPivot: Bool) throws {
        try stage("chdir rootfs") { try sys("chdir", path: root) { chdir(root) } }
        if noPivot {
            try stage("move rootfs") { try Mounter.mount(root, "/", nil, MountFlag.move) }
            try stage("chroot") { try sys("chroot", path: root) { chroot(".") } }
        } else {
            try stage("pivot_root") { try sys("pivot_root", path: root) { berth_pivot_root(".", ".") } }
            try stage("detach old root") {
                try Mounter.mount(nil, ".", nil, MountFlag.slave | MountFlag.rec)
                try sys("umount2", path: "/") { berth_umount2(".", 2 /* MNT_DETACH */) }
            }
        }
        try stage("chdir /") { try sys("chdir", path: "/") { chdir("/") } }
    }

    /// Everything after pivot_root: sysctls, masked and read-only paths, a read-only root.
    func finish() throws {
        for (key, value) in (spec.linux?.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            try stage("sysctl \(key)") {
                guard !key.includes(".."), !key.hasPrefix("/") else {
                    throw BerthError("invalid sysctl key \"\(key)\"")
                }
                try Files.writeExisting("/proc/sys/" + key.replacingDots(), value)
            }
        }
        for path in spec.linux?.readonlyPaths ?? [] {
            try stage("readonly path \(path)") { try makeReadonly(path) }
        }
        for path in spec.linux?.maskedPaths ?? [] {
            try stage("masked path \(path)") { try mask(path) }
        }
        if spec.root?.readonly == true {
            try stage("remount / read-only") {
                try Mounter.mount(nil, "/", nil, MountFlag.bind | MountFlag.remount | MountFlag.rdonly)
            }
        }
        if let prop = MountOptions.propagation(spec.linux?.rootfsPropagation) {
            try stage("rootfs propagation") { try Mounter.mount(nil, "/", nil, prop) }
        }
    }

    /// Binds the path onto itself read-only (runc's `readonlyPath`). Missing paths are skipped.
    private func makeReadonly(_ path: String) throws {
        guard Files.exists(path) else { return }
        try Mounter.mount(path, path, nil, MountFlag.bind | MountFlag.rec)
        var st = statvfs()
        let keep = statvfs(path, &st) == 0 ? UInt(st.f_flag) & (MountFlag.nosuid | MountFlag.nodev | MountFlag.noexec) : 0
        try Mounter.mount(nil, path, nil, MountFlag.bind | MountFlag.remount | MountFlag.rdonly | MountFlag.rec | keep)
    }

    /// Hides the path: /dev/null over files, an empty read-only tmpfs over directories
    /// (runc's `maskPath`). Missing paths are skipped.
    private func mask(_ path: String) throws {
        guard Files.exists(path) else { return }
        if Files.isDirectory(path) {
            try Mounter.mount("tmpfs", path, "tmpfs", MountFlag.rdonly)
        } else {
            try Mounter.mount("/dev/null", path, nil, MountFlag.bind)
        }
    }
}

extension String {
    /// `net.ipv4.ip_forward` → `net/ipv4/ip_forward`.
    func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}
