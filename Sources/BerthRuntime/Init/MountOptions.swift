/// Mount flags from linux/mount.h, named as in mount(8).
enum MountFlag {
    static let rdonly: UInt = 1, nosuid: UInt = 2, nodev: UInt = 4, noexec: UInt = 8
    static let synchronous: UInt = 16, remount: UInt = 32, mandlock: UInt = 64, dirsync: UInt = 128
    static let noatime: UInt = 1024, nodiratime: UInt = 2048, bind: UInt = 4096, move: UInt = 8192
    static let rec: UInt = 16384, unbindable: UInt = 1 << 17, `private`: UInt = 1 << 18
    static let slave: UInt = 1 << 19, shared: UInt = 1 << 20, relatime: UInt = 1 << 21
    static let strictatime: UInt = 1 << 24
}

/// A spec mount's `options` split into mount(2) flags, propagation changes and the
/// file-system data string, as runc's `parseMountOptions` does.
struct MountOptions: Equatable {
    var flags: UInt = 0
    var propagation: [UInt] = []
    var data: [String] = []

    var isBind: Bool { flags & MountFlag.bind != 0 }
    var dataString: String { data.joined(separator: ",") }

    static let setters: [String: UInt] = [
        "ro": MountFlag.rdonly, "nosuid": MountFlag.nosuid, "nodev": MountFlag.nodev, "noexec": MountFlag.noexec,
        "sync": MountFlag.synchronous, "remount": MountFlag.remount, "mand": MountFlag.mandlock,
        "dirsync": MountFlag.dirsync, "noatime": MountFlag.noatime, "nodiratime": MountFlag.nodiratime,
        "bind": MountFlag.bind, "rbind": MountFlag.bind | MountFlag.rec, "relatime": MountFlag.relatime,
        "strictatime": MountFlag.strictatime,
    ]
    static let clearers: [String: UInt] = [
        "rw": MountFlag.rdonly, "suid": MountFlag.nosuid, "dev": MountFlag.nodev, "exec": MountFlag.noexec,
        "async": MountFlag.synchronous, "nomand": MountFlag.mandlock, "atime": MountFlag.noatime,
        "diratime": MountFlag.nodiratime, "norelatime": MountFlag.relatime, "nostrictatime": MountFlag.strictatime,
    ]
    static let propagations: [String: UInt] = [
        "private": MountFlag.private, "rprivate": MountFlag.private | MountFlag.rec,
        "shared": MountFlag.shared, "rshared": MountFlag.shared | MountFlag.rec,
        "slave": MountFlag.slave, "rslave": MountFlag.slave | MountFlag.rec,
        "unbindable": MountFlag.unbindable, "runbindable": MountFlag.unbindable | MountFlag.rec,
    ]
    /// Options that only matter to other tools and must not reach the kernel.
    static let ignored: Set<String> = ["tmpcopyup", "notmpcopyup", "copy-symlink", "z", "Z", "U", "idmap", "ridmap",
                                       "defaults", "nocopy", "rro"]

    init(_ options: [String]) {
        for opt in options {
            if let f = MountOptions.setters[opt] { flags |= f }
            else if let f = MountOptions.clearers[opt] { flags &= ~f }
            else if let p = MountOptions.propagations[opt] { propagation.append(p) }
            else if !MountOptions.ignored.contains(opt) { data.append(opt) }
        }
    }

    /// Parses `rootfsPropagation`.
    static func propagation(_ name: String?) -> UInt? {
        guard let name, !name.isEmpty else { return nil }
        return propagations[name]
    }
}
