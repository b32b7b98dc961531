#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// The device nodes every container gets, and the /dev symlinks, as runc makes them.
struct Devices {
    let root: String
    let userNamespace: Bool

    /// null, zero, full, random, urandom, tty: runc's `AllowedDevices` minus the pty ones.
    static let defaults: [Spec.Device] = [
        .init(type: "c", path: "/dev/null", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/zero", major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/full", major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/random", major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/urandom", major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/tty", major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0),
    ]

    /// The cgroup rules that let the container use its devices: the defaults plus the
    /// pty master and slaves.
    static var defaultRules: [CgroupResources.DeviceRule] {
        defaults.map { .init(allow: true, type: "c", major: $0.major, minor: $0.minor, access: "rwm") } + [
            .init(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),    // /dev/ptmx
            .init(allow: true, type: "c", major: 136, minor: nil, access: "rwm"), // /dev/pts/*
            .init(allow: true, type: "c", major: 5, minor: 1, access: "rwm"),    // /dev/console
        ]
    }

    func create(_ extra: [Spec.Device]) throws {
        // Only when /dev is the container's own (a tmpfs in the spec): a bound host /dev
        // already has its nodes.
        let dev = try SecureJoin.resolve(root: root, path: "/dev")
        guard Files.isDirectory(dev) else { return }
        var paths = Set<String>()
        for d in extra { paths.insert(d.path) }
        for d in Devices.defaults where !paths.contains(d.path) { try make(d) }
        for d in extra { try make(d) }
        let links = [("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
                     ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx")]
        for (target, name) in links {
            let path = dev + "/" + name
            if Files.exists(path) {
                if name == "ptmx" { _ = unlink(path) } else { continue }
            }
            try sys("symlink", path: path) { symlink(target, path) }
        }
        if Files.exists("/proc/kcore") && !Files.exists(dev + "/core") {
            try sys("symlink", path: dev + "/core") { symlink("/proc/kcore", dev + "/core") }
        }
    }

    private func make(_ d: Spec.Device) throws {
        let path = try SecureJoin.resolve(root: root, path: d.path)
        try Files.mkdirAll(Files.dirname(path))
        if Files.exists(path) { _ = unlink(path) }
        if userNamespace {
            // mknod is not allowed in a user namespace; bind the host's node instead.
            try Mounter.makeMountPoint(path, asFile: true)
            try Mounter.mount(d.path, path, nil, MountFlag.bind)
            return
        }
        let kind: mode_t
        switch d.type {
        case "c", "u": kind = S_IFCHR
        case "b": kind = S_IFBLK
        case "p": kind = S_IFIFO
        default: throw BerthError("device \(d.path): unknown type \"\(d.type)\"")
        }
        let mode = kind | mode_t(d.fileMode ?? 0o666) & 0o7777
        try sys("mknod", path: path) {
            berth_mknod(path, mode, UInt32(d.major ?? 0), UInt32(d.minor ?? 0))
        }
        // mknod applies the umask; set the mode the spec asked for.
        try sys("chmod", path: path) { chmod(path, mode & 0o7777) }
        try sys("chown", path: path) { chown(path, d.uid ?? 0, d.gid ?? 0) }
    }
}
