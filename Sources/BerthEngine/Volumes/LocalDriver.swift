#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

/// The `local` volume driver's options, as moby's (`volume/local`): `type`, `device` and `o`
/// make the volume a mount made at first use (`type=tmpfs,device=tmpfs,o=size=10m`,
/// `type=none,device=/srv/x,o=bind`); without them it is a plain directory.
enum LocalDriver {
    static let name = "local"
    static let validOptions: Set<String> = ["type", "device", "o", "size"]
    /// moby's `mandatoryOpts`: each option needs the others listed.
    static let mandatory: [(String, [String])] = [("device", ["type"]), ("type", ["device"]), ("o", ["device", "type"])]

    /// Checks options as moby's `validateOpts`; the message is moby's.
    static func validate(_ opts: [String: String]) throws(EngineErrorLike) {
        for key in opts.keys.sorted() where !validOptions.contains(key) {
            throw .invalid("invalid option: \"\(key)\"")
        }
        if opts["size"] != nil { throw .invalid("quota size requested but no quota support") }
        for (opt, required) in mandatory where opts[opt] != nil {
            for r in required where opts[r] == nil { throw .invalid("missing required option: \"\(r)\"") }
        }
    }

    /// Mounts the volume's device on `path` (its `_data`), as moby's `localVolume.mount`.
    static func mount(_ opts: [String: String], at path: String) throws {
        let device = opts["device"] ?? "", type = opts["type"] ?? ""
        guard !device.isEmpty else { throw BerthError("missing device in volume options") }
        let (flags, data) = parseOptions(opts["o"] ?? "")
        // A bind without a type is `none`, as mount(8) takes it.
        let fstype = type == "none" ? "" : type
        let rc = berth_mount(device, path, fstype, flags, data)
        guard rc == 0 else {
            let code = errno
            let dataText = data.isEmpty ? "" : ", data: " + data
            throw BerthError("failed to mount local volume: mount \(device):\(path), flags: 0x\(String(flags, radix: 16))"
                             + "\(dataText): \(String(cString: strerror(code)))")
        }
        // A read-only bind needs a remount to take effect.
        if flags & UInt(MS_BIND) != 0 && flags & UInt(MS_RDONLY) != 0 {
            _ = berth_mount("", path, "", flags | UInt(MS_REMOUNT), "")
        }
    }

    /// Undoes `mount`: every layer mounted on `path`, lazily.
    static func unmount(_ path: String) {
        while berth_umount2(path, 2 /* MNT_DETACH */) == 0 {}
    }

    /// `o=` text as moby/sys/mount parses it: flag words become mount flags, the rest the
    /// file system's data.
    static func parseOptions(_ text: String) -> (UInt, String) {
        let set: [String: UInt] = [
            "ro": UInt(MS_RDONLY), "nosuid": UInt(MS_NOSUID), "nodev": UInt(MS_NODEV), "noexec": UInt(MS_NOEXEC),
            "sync": UInt(MS_SYNCHRONOUS), "dirsync": UInt(MS_DIRSYNC), "mand": UInt(MS_MANDLOCK),
            "noatime": UInt(MS_NOATIME), "nodiratime": UInt(MS_NODIRATIME), "bind": UInt(MS_BIND),
            "rbind": UInt(MS_BIND) | UInt(MS_REC), "relatime": UInt(MS_RELATIME), "strictatime": UInt(MS_STRICTATIME),
        ]
        let clear: Set<String> = ["rw", "suid", "dev", "exec", "async", "atime", "diratime", "defaults", "nomand"]
        var flags: UInt = 0
        var data: [Substring] = []
        for word in text.split(separator: ",") where !word.isEmpty {
            if let f = set[String(word)] { flags |= f } else if !clear.contains(String(word)) { data.append(word) }
        }
        return (flags, data.joined(separator: ","))
    }
}
