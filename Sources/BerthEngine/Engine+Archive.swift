#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthImage
import BerthSystem
import CBerth
import Synchronization

/// A container's root file system for `docker cp`: the running container's own root as it
/// sees it (`/proc/<pid>/root`, with its volumes and tmpfs mounts), or, for a container that
/// is not running, its overlay mounted under `<data-root>/tmp` until `release`.
final class ContainerRoot: @unchecked Sendable {
    let path: String
    private let mountPoint: String?
    private let id: String

    /// Containers whose layers a copy has mounted, with how many copies: `start` waits for
    /// none, as a second overlay on the same upper directory is undefined behaviour.
    private static let mounted = Mutex<[String: Int]>([:])

    /// True while a copy holds the container's overlay mounted.
    static func inUse(_ id: String) -> Bool { mounted.withLock { $0[id] != nil } }

    init(path: String, mountPoint: String?, id: String) {
        self.path = path; self.mountPoint = mountPoint; self.id = id
        if mountPoint != nil { Self.mounted.withLock { $0[id, default: 0] += 1 } }
    }

    /// Unmounts a temporary overlay and removes its mount point; nothing for a running container.
    func release() {
        guard let mountPoint else { return }
        _ = berth_umount2(mountPoint, 2 /* MNT_DETACH */)
        rmdir(mountPoint)
        Self.mounted.withLock { counts in
            counts[id, default: 1] -= 1
            if counts[id] == 0 { counts[id] = nil }
        }
    }
}

extension Engine {
    /// The root of `c` to read or write through; release it when done.
    func containerRoot(_ c: Container, writable: Bool) throws -> ContainerRoot {
        if c.state.running && c.state.pid > 0 {
            return ContainerRoot(path: "/proc/\(c.state.pid)/root", mountPoint: nil, id: c.id)
        }
        guard let snapshot = try snapshots.container(id: c.id) else {
            throw EngineError.internalError("container \(c.shortID) has no snapshot")
        }
        // An image with no layers: the upper directory is the whole tree.
        if snapshot.lowers.isEmpty { return ContainerRoot(path: snapshot.upperDir, mountPoint: nil, id: c.id) }
        let overlay = try snapshots.mount(for: snapshot)
        let mountPoint = dataRoot + "/tmp/cp-" + c.id + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        try Files.mkdirAll(mountPoint, mode: 0o700)
        // Read-only needs no upper directory (and leaves the work directory alone).
        let options = writable ? overlay.options : "lowerdir=" + ([snapshot.upperDir] + overlay.lowerDirs).joined(separator: ":")
        do {
            try sys("mount", path: mountPoint) { berth_mount("overlay", mountPoint, "overlay", writable ? 0 : 1 /* MS_RDONLY */, options) }
        } catch {
            rmdir(mountPoint)
            throw EngineError.internalError("mount container \(c.shortID) file system", cause: error)
        }
        let root = ContainerRoot(path: mountPoint, mountPoint: mountPoint, id: c.id)
        do { try Self.mountBinds(Self.copyMounts(c), under: mountPoint, writable: writable) } catch {
            root.release()
            throw EngineError.internalError("mount container \(c.shortID) binds", cause: error as? SyscallError)
        }
        return root
    }

    /// What a stopped container would have mounted from the host, as (source, destination,
    /// read-only), parents first: its bind mounts and volumes (a volume's `_data`, or the
    /// subpath in it). tmpfs mounts hold nothing while the container is stopped. A container
    /// recorded before volumes existed has only its `-v` strings.
    nonisolated static func copyMounts(_ c: Container) -> [(source: String, destination: String, readOnly: Bool)] {
        guard let points = c.volumes?.mountPoints else {
            return (c.hostConfig.binds ?? []).compactMap { bind in
                let parts = bind.split(separator: ":").map(String.init)
                guard parts.count >= 2, parts[0].hasPrefix("/") else { return nil }
                return (parts[0], parts[1], parts.count > 2 && parts[2].split(separator: ",").contains("ro"))
            }
        }
        return points.compactMap { p in
            guard p.type == "bind" || p.type == "volume", !p.source.isEmpty else { return nil }
            return (p.subpath.isEmpty ? p.source : p.source + "/" + p.subpath, p.destination, !p.rw)
        }
    }

    /// The container's binds and volumes under its temporary root, as Docker mounts a stopped
    /// container's volumes for `cp`: a copy to `/dst` reaches the host directory or the
    /// volume, as it would while the container runs. Each destination is resolved inside the
    /// root (never through a symlink out of it); a source that is gone or a destination that
    /// does not exist yet is skipped. The mounts go away with the root's detaching unmount.
    nonisolated static func mountBinds(_ mounts: [(source: String, destination: String, readOnly: Bool)], under root: String,
                                       writable: Bool) throws {
        for m in mounts {
            guard Files.exists(m.source) else { continue }
            guard let rel = PathArchive.resolveInside(root: root, path: m.destination), !rel.isEmpty else { continue }
            let target = root + "/" + rel.joined(separator: "/")
            guard Files.exists(target) else { continue }
            try sys("mount", path: target) { berth_mount(m.source, target, nil, 0x1000 | 0x4000 /* MS_BIND|MS_REC */, nil) }
            if !writable || m.readOnly {
                try sys("mount", path: target) {
                    berth_mount(nil, target, nil, 0x1000 | 0x20 | 1 /* MS_BIND|MS_REMOUNT|MS_RDONLY */, nil)
                }
            }
        }
    }

    /// `HEAD /containers/{id}/archive?path=`: `lstat` of a path in the container.
    public func containerPathStat(_ ref: String, path: String) async throws -> PathArchive.PathStat {
        let c = try lookup(ref)
        let root = try containerRoot(c, writable: false)
        defer { root.release() }
        return try Self.mapPathError(ref) { try PathArchive.stat(root: root.path, path: path) }
    }

    /// `GET /containers/{id}/archive?path=`: the path as a tar (named by its base name) and its stat.
    public func containerArchive(_ ref: String, path: String) throws -> (PathArchive.PathStat, BlockingByteStream) {
        let c = try lookup(ref)
        let root = try containerRoot(c, writable: false)
        let info: PathArchive.PathStat
        do {
            info = try Self.mapPathError(ref) { try PathArchive.stat(root: root.path, path: path) }
        } catch {
            root.release()
            throw error
        }
        let stream = BlockingByteStream { sink in
            defer { root.release() }
            try PathArchive.archive(root: root.path, path: path, sink: sink)
        }
        return (info, stream)
    }

    /// `PUT /containers/{id}/archive?path=`: extracts the tar at `archive` (the request body,
    /// on disk) into the directory `path` of the container. The archive is read through once
    /// before anything is written, so a broken or hostile one leaves the container untouched.
    public func extractToContainer(_ ref: String, path: String, archive: String, noOverwriteDirNonDir: Bool,
                                   copyUIDGID: Bool) async throws {
        let c = try lookup(ref)
        if c.hostConfig.readonlyRootfs == true && !Self.isUnderBind(path, c.hostConfig.binds ?? []) {
            throw EngineError(.forbidden, "container rootfs is marked read-only")
        }
        if Self.isUnderBind(path, (c.hostConfig.binds ?? []).filter { $0.split(separator: ":").count > 2 && $0.split(separator: ":")[2].split(separator: ",").contains("ro") }) {
            throw EngineError(.forbidden, "mounted volume is marked read-only")
        }
        try await Threads.run { try Self.mapPathError(ref) { try PathArchive.check(archive: archive) } }
        let root = try containerRoot(c, writable: true)
        defer { root.release() }
        let owner = copyUIDGID ? Self.containerOwner(c.config.user, root: root.path) : nil
        let options = PathArchive.ExtractOptions(noOverwriteDirNonDir: noOverwriteDirNonDir, owner: owner)
        let rootPath = root.path
        try await Threads.run {
            try Self.mapPathError(ref) {
                try PathArchive.extract(archive: archive, root: rootPath, directory: path, options: options)
            }
        }
    }

    /// Docker's texts and statuses for path failures.
    nonisolated static func mapPathError<T>(_ ref: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as PathArchive.PathError {
            switch e {
            case .notFound(let p): throw EngineError.notFound("Could not find the file \(p) in container \(ref)")
            default: throw EngineError.invalidArgument(e.description)
            }
        } catch let e as SyscallError where e.code == EROFS {
            throw EngineError(.forbidden, "container rootfs is marked read-only")
        } catch let e as SyscallError where e.code == ENOENT || e.code == ENOTDIR {
            throw EngineError.notFound("Could not find the file \(e.path ?? "") in container \(ref)")
        }
    }

    /// True when `path` is inside a bind mount's destination (`src:dst[:opts]`).
    nonisolated static func isUnderBind(_ path: String, _ binds: [String]) -> Bool {
        let p = "/" + path.split(separator: "/").joined(separator: "/")
        return binds.contains { bind in
            let parts = bind.split(separator: ":")
            guard parts.count >= 2 else { return false }
            let dst = "/" + parts[1].split(separator: "/").joined(separator: "/")
            return p == dst || p.hasPrefix(dst == "/" ? "/" : dst + "/")
        }
    }

    /// `copyUIDGID`: the container's user (`user[:group]`, names looked up in its own
    /// /etc/passwd and /etc/group) as numbers; no user is root.
    nonisolated static func containerOwner(_ user: String?, root: String) -> (uid: UInt32, gid: UInt32) {
        let parts = (user ?? "").split(separator: ":", maxSplits: 1).map(String.init)
        func entries(_ file: String) -> [[String]] {
            let text = String(decoding: PathArchive.readFile(root: root, path: file) ?? [], as: UTF8.self)
            return text.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
        }
        var uid: UInt32 = 0, gid: UInt32 = 0
        if let u = parts.first, !u.isEmpty {
            if let n = UInt32(u) {
                uid = n
                gid = entries("/etc/passwd").first { $0.count > 3 && $0[2] == u }.flatMap { UInt32($0[3]) } ?? n
            } else if let e = entries("/etc/passwd").first(where: { $0.count > 3 && $0[0] == u }) {
                uid = UInt32(e[2]) ?? 0
                gid = UInt32(e[3]) ?? 0
            }
        }
        if parts.count > 1 {
            let g = parts[1]
            gid = UInt32(g) ?? entries("/etc/group").first { $0.count > 2 && $0[0] == g }.flatMap { UInt32($0[2]) } ?? gid
        }
        return (uid, gid)
    }
}
