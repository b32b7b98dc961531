#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem

/// The volumes under `<data-root>/volumes`: each a directory `<name>/` with the data in
/// `_data` and the record in `volume.json`, written atomically and fsync'd after `_data`
/// exists, so a volume is there whole or not at all. Kept by the engine actor.
struct VolumeStore {
    let root: String
    private(set) var records: [String: VolumeRecord] = [:]
    /// Containers that have a mounted volume mounted now: the device is unmounted when
    /// the last one stops (moby's local driver's active count).
    var active: [String: Set<String>] = [:]

    init(dataRoot: String) throws {
        root = dataRoot + "/volumes"
        try Files.mkdirAll(root, mode: 0o701)
        for name in (try? Files.list(root)) ?? [] where !name.hasPrefix(".") {
            let dir = root + "/" + name
            if let bytes = try? Files.read(dir + "/volume.json"), let r = try? OCIJSON.decode(VolumeRecord.self, from: bytes) {
                records[name] = r
            } else if !Self.isMountPoint(dir + "/_data") {
                // Half made (a crash between mkdir and the record) or half removed.
                try? Files.removeAll(dir)
            }
        }
    }

    func dataPath(_ name: String) -> String { root + "/" + name + "/_data" }

    func get(_ name: String) -> VolumeRecord? { records[name] }

    /// Makes `_data`, then records the volume durably.
    mutating func create(_ record: VolumeRecord) throws {
        let dir = root + "/" + record.name
        try Files.mkdirAll(dir, mode: 0o701)
        if mkdir(dir + "/_data", 0o755) != 0 && errno != EEXIST {
            throw SyscallError(syscall: "mkdir", path: dir + "/_data", code: errno)
        }
        try Files.writeAtomic(dir + "/volume.json", try OCIJSON.encode(record), mode: 0o600, durable: true)
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
        records[record.name] = record
    }

    /// Forgets the record first (so a crash leaves a directory the next start removes),
    /// then the data. A volume still mounted is unmounted; data on a mount never goes.
    mutating func remove(_ name: String) throws {
        let dir = root + "/" + name
        if let r = records[name], r.isMounted { LocalDriver.unmount(dir + "/_data") }
        if Self.isMountPoint(dir + "/_data") {
            throw BerthError("remove volume \(name): `\(dir)/_data` is still a mount point")
        }
        if unlink(dir + "/volume.json") != 0 && errno != ENOENT {
            throw SyscallError(syscall: "unlink", path: dir + "/volume.json", code: errno)
        }
        records[name] = nil
        active[name] = nil
        try Files.removeAll(dir)
    }

    /// Mounts a mounted volume for container `id` if it is the first user.
    mutating func use(_ name: String, by id: String) throws {
        guard let r = records[name], r.isMounted else { return }
        if active[name, default: []].isEmpty && !Self.isMountPoint(dataPath(name)) {
            try LocalDriver.mount(r.options, at: dataPath(name))
        }
        active[name, default: []].insert(id)
    }

    /// Container `id` no longer uses the volume: unmounted when it was the last user.
    mutating func release(_ name: String, by id: String) {
        guard let r = records[name], r.isMounted else { return }
        active[name]?.remove(id)
        if active[name]?.isEmpty ?? true {
            active[name] = nil
            LocalDriver.unmount(dataPath(name))
        }
    }

    /// Whether `path` is on another file system than its parent, or is its bind mount
    /// (mountinfo's mount points).
    static func isMountPoint(_ path: String) -> Bool {
        var a = stat(), b = stat()
        guard stat(path, &a) == 0, stat(Files.dirname(path), &b) == 0 else { return false }
        if a.st_dev != b.st_dev { return true }
        // mountinfo escapes spaces as \040.
        let escaped = path.split(separator: " ", omittingEmptySubsequences: false).joined(separator: "\\040")
        let info = (try? Files.readString("/proc/self/mountinfo")) ?? ""
        for line in info.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count > 4, f[4] == escaped { return true }
        }
        return false
    }

    /// Bytes of regular files under `path`, each inode once (as moby's `directory.Size`).
    static func size(_ path: String) -> Int64 {
        var seen = Set<UInt64>()
        func walk(_ p: String) -> Int64 {
            var st = stat()
            guard lstat(p, &st) == 0 else { return 0 }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                return ((try? Files.list(p)) ?? []).reduce(0) { $0 + walk(p + "/" + $1) }
            case S_IFREG:
                if st.st_nlink > 1 && !seen.insert(UInt64(st.st_ino)).inserted { return 0 }
                return Int64(st.st_size)
            default:
                return 0
            }
        }
        return walk(path)
    }

    /// Whether a directory has no entries (a missing one counts as empty).
    static func isEmpty(_ path: String) -> Bool { ((try? Files.list(path)) ?? []).isEmpty }
}
