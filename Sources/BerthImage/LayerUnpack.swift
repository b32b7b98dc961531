#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// Layer tars in and out: unpacking a layer blob into a directory, and (in `LayerDiff`)
/// turning a container's upper directory back into a layer.
public enum LayerArchive {
    /// What to do with OCI whiteouts (`.wh.NAME`, `.wh..wh..opq`).
    public enum WhiteoutMode: Sendable {
        /// Unpack into an empty directory that becomes an overlayfs lower layer: `.wh.NAME`
        /// becomes a 0/0 character device NAME, `.wh..wh..opq` sets the directory's
        /// `trusted.overlay.opaque=y`. Needs root (mknod, trusted.* xattrs).
        case overlay
        /// Apply onto a directory holding the layers below (the copy fallback, `import`):
        /// `.wh.NAME` removes NAME, `.wh..wh..opq` removes what lower layers put in the directory.
        case apply
    }

    /// What unpacking found.
    public struct UnpackResult: Sendable, Equatable {
        /// sha256 of the uncompressed tar: the layer's DiffID.
        public var diffID: Digest
        /// Size of the uncompressed tar in bytes.
        public var uncompressedSize: Int64
        /// Number of tar entries.
        public var entries: Int
    }

    /// Unpacks the layer blob at `path` (tar, gzip, zstd, xz or bzip2, detected from its
    /// content) into the directory `dir`, which must exist.
    ///
    /// Entries are confined to `dir`: a name that climbs out (`../x`) or a hardlink to a
    /// target outside is refused with `LayerError`, and symlinks met along a path resolve
    /// inside `dir`, so nothing is ever written outside it.
    public static func unpack(path: String, into dir: String, mode: WhiteoutMode = .overlay) throws -> UnpackResult {
        let fd = OwnedFD(try FD.open(path, O_RDONLY))
        return try unpack(fd: fd.raw, into: dir, mode: mode)
    }

    /// Unpacks a layer read from `fd` (a file or a pipe) into `dir`; see `unpack(path:into:mode:)`.
    public static func unpack(fd: Int32, into dir: String, mode: WhiteoutMode = .overlay) throws -> UnpackResult {
        let stream = try DecompressedStream(fd: fd)
        let reader = try TarReader(stream: stream)
        var unpacker = try Unpacker(root: ConfinedRoot(path: dir), mode: mode)
        var count = 0
        while let entry = try reader.next() {
            try unpacker.apply(entry, reader: reader)
            count += 1
        }
        try unpacker.finish()
        try stream.drain()
        return UnpackResult(diffID: stream.hasher.finalize(), uncompressedSize: stream.hasher.count, entries: count)
    }
}

/// The per-layer state of one unpack.
struct Unpacker: ~Copyable {
    let root: ConfinedRoot
    let mode: LayerArchive.WhiteoutMode
    let privileged = geteuid() == 0
    /// Directories whose mode and times are set at the end: adding children changes a
    /// directory's mtime, and a read-only mode would stop an unprivileged unpack.
    var deferredDirectories: [[String]: TarEntry] = [:]
    /// Paths this layer created, for `.wh..wh..opq` in apply mode.
    var created: Set<[String]> = []
    /// `docker cp` (PathArchive) settings; a layer unpack keeps the defaults.
    var options = PathOptions()

    /// How a `docker cp` extraction differs from a layer unpack.
    struct PathOptions {
        /// Where inside the root the entries go (resolved, symlink-free).
        var prefix: [String] = []
        /// False: `.wh.*` names are ordinary files.
        var whiteouts = true
        /// Refuse to replace a directory with a non-directory or the reverse.
        var noOverwriteDirNonDir = false
        /// Owner of every entry, instead of the archive's (`copyUIDGID`).
        var owner: (uid: UInt32, gid: UInt32)?
        /// Renames the first path component `old` to `new` (Docker's `RebaseArchiveEntries`).
        var rebase: (old: String, new: String)?
    }

    init(root: consuming ConfinedRoot, mode: LayerArchive.WhiteoutMode) {
        self.root = root
        self.mode = mode
    }

    mutating func apply(_ original: TarEntry, reader: TarReader) throws {
        var e = original
        if let (old, new) = options.rebase {
            e.path = Self.rebased(e.path, old, new)
            e.hardlink = e.hardlink.map { Self.rebased($0, old, new) }
        }
        if let owner = options.owner { (e.uid, e.gid) = owner }
        if !options.prefix.isEmpty {
            // A cp archive's names are relative to the destination and may not climb out of it.
            guard e.path.hasPrefix("/") || ConfinedRoot.components(e.path) != nil else { throw LayerError.pathEscapes(entry: e.path) }
            e.path = (options.prefix + (ConfinedRoot.components(e.path) ?? [])).joined(separator: "/")
            if let link = e.hardlink {
                guard let linkRel = ConfinedRoot.components(link), !link.hasPrefix("/") else {
                    throw LayerError.linkEscapes(entry: original.path, target: link)
                }
                e.hardlink = (options.prefix + linkRel).joined(separator: "/")
            }
        }
        guard let rel = ConfinedRoot.components(e.path) else { throw LayerError.pathEscapes(entry: e.path) }
        guard let name = rel.last, rel.count > options.prefix.count else { return }   // the root itself: not ours to change
        let parentRel = Array(rel.dropLast())
        if options.whiteouts && name.hasPrefix(".wh.") { return try whiteout(name: name, in: parentRel, entry: e) }
        let parent = try root.makeDirectory(parentRel)
        let host = root.hostPath(rel)
        if mode == .apply { created.insert(rel) }

        if let st = ConfinedRoot.statAt(parent.raw, name),
           !(e.type == S_IFDIR && st.st_mode & S_IFMT == S_IFDIR) {
            let isDir = st.st_mode & S_IFMT == S_IFDIR
            if options.noOverwriteDirNonDir && (isDir || e.type == S_IFDIR) {
                throw PathArchive.PathError.wouldOverwrite(entry: "/" + rel.joined(separator: "/"), directory: isDir)
            }
            try remove(name, in: parent.raw, rel: rel)
        }
        if let target = e.hardlink { return try hardlink(name, in: parent.raw, host: host, target: target, entry: e) }

        switch e.type {
        case S_IFREG:
            try regularFile(name, in: parent.raw, host: host, entry: e, reader: reader)
        case S_IFDIR:
            if mkdirat(parent.raw, name, 0o700) != 0 && errno != EEXIST {
                throw SyscallError(syscall: "mkdirat", path: host, code: errno)
            }
            try setOwner(name, in: parent.raw, host: host, entry: e)
            try setXattrs(name, in: parent.raw, host: host, entry: e)
            deferredDirectories[rel] = e
        case S_IFLNK:
            try sys("symlinkat", path: host) { symlinkat(e.symlink ?? "", parent.raw, name) }
            try setOwner(name, in: parent.raw, host: host, entry: e)
            try setXattrs(name, in: parent.raw, host: host, entry: e)
            try setTimes(name, in: parent.raw, host: host, entry: e)
        case S_IFCHR, S_IFBLK, S_IFIFO:
            try sys("mknodat", path: host) { berth_mknodat(parent.raw, name, e.type | e.perm, e.devMajor, e.devMinor) }
            try setOwner(name, in: parent.raw, host: host, entry: e)
            try sys("fchmodat", path: host) { fchmodat(parent.raw, name, e.perm, 0) }
            try setXattrs(name, in: parent.raw, host: host, entry: e)
            try setTimes(name, in: parent.raw, host: host, entry: e)
        case S_IFSOCK:
            return                                          // sockets are not content; tar skips them too
        default:
            throw LayerError.unsupportedEntry(entry: e.path, type: UInt32(e.type))
        }
    }

    /// `old` or `old/…` renamed to `new` / `new/…`; anything else unchanged.
    static func rebased(_ path: String, _ old: String, _ new: String) -> String {
        var p = path
        while p.hasPrefix("./") && old != "." { p.removeFirst(2) }
        if p == old || p == old + "/" { return new + (p.hasSuffix("/") ? "/" : "") }
        if p.hasPrefix(old + "/") { return new + "/" + p.dropFirst(old.count + 1) }
        return path
    }

    private func regularFile(_ name: String, in dir: Int32, host: String, entry e: TarEntry, reader: TarReader) throws {
        let fd = OwnedFD(try sys("openat", path: host) {
            openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | BERTH_O_NOFOLLOW | BERTH_O_CLOEXEC, 0o600)
        })
        try reader.readData { offset, chunk in
            var done = 0
            while done < chunk.count {
                let n = try sys("pwrite", path: host) {
                    pwrite(fd.raw, chunk.baseAddress! + done, chunk.count - done, off_t(offset) + off_t(done))
                }
                done += n
            }
        }
        // Sets the size even when the file ends in a hole (sparse files).
        try sys("ftruncate", path: host) { ftruncate(fd.raw, off_t(e.size)) }
        if privileged || e.uid == geteuid() {
            try sys("fchown", path: host) { fchown(fd.raw, e.uid, e.gid) }
        }
        try sys("fchmod", path: host) { fchmod(fd.raw, e.perm) }
        for x in e.xattrs {
            let rc = x.value.withUnsafeBytes { berth_fsetxattr(fd.raw, x.name, $0.baseAddress, $0.count) }
            if rc != 0 { try xattrFailed(x.name, host: host) }
        }
        var times = [e.atime, e.mtime]
        try sys("futimens", path: host) { futimens(fd.raw, &times) }
    }

    private mutating func hardlink(_ name: String, in dir: Int32, host: String, target: String, entry e: TarEntry) throws {
        guard let targetRel = ConfinedRoot.components(target), let targetName = targetRel.last else {
            throw LayerError.linkEscapes(entry: e.path, target: target)
        }
        guard let targetDir = try root.openDirectory(Array(targetRel.dropLast())) else {
            throw SyscallError(syscall: "linkat", path: root.hostPath(targetRel), code: ENOENT)
        }
        try sys("linkat", path: host) { linkat(targetDir.raw, targetName, dir, name, 0) }
    }

    private mutating func whiteout(name: String, in parentRel: [String], entry e: TarEntry) throws {
        if name == ".wh..wh..opq" {
            switch mode {
            case .overlay:
                _ = try root.makeDirectory(parentRel)
                guard let dir = try root.openDirectory(parentRel, flags: O_RDONLY) else { return }
                if berth_fsetxattr(dir.raw, "trusted.overlay.opaque", "y", 1) != 0 {
                    throw SyscallError(syscall: "fsetxattr", path: root.hostPath(parentRel), code: errno)
                }
            case .apply:
                guard let dir = try root.openDirectory(parentRel, flags: O_RDONLY) else { return }
                for child in try ConfinedRoot.listAt(dir.raw, hostPath: root.hostPath(parentRel))
                where !created.contains(parentRel + [child]) {
                    try remove(child, in: dir.raw, rel: parentRel + [child])
                }
            }
            return
        }
        if name.hasPrefix(".wh..wh.") { return }             // aufs bookkeeping (.wh..wh.plnk), not content
        let target = String(name.dropFirst(4))
        guard !target.isEmpty, target != ".", target != ".." else { throw LayerError.pathEscapes(entry: e.path) }
        let host = root.hostPath(parentRel + [target])
        switch mode {
        case .overlay:
            let dir = try root.makeDirectory(parentRel)
            try remove(target, in: dir.raw, rel: parentRel + [target])
            try sys("mknodat", path: host) { berth_mknodat(dir.raw, target, S_IFCHR, 0, 0) }
            try setOwner(target, in: dir.raw, host: host, entry: e)
        case .apply:
            guard let dir = try root.openDirectory(parentRel) else { return }
            try remove(target, in: dir.raw, rel: parentRel + [target])
        }
    }

    /// Removes what is at `rel` (in `dir`, its parent), and forgets pending metadata under it.
    private mutating func remove(_ name: String, in dir: Int32, rel: [String]) throws {
        try ConfinedRoot.removeAt(dir, name, hostPath: root.hostPath(rel))
        deferredDirectories = deferredDirectories.filter { !$0.key.starts(with: rel) }
    }

    /// Sets directory modes and times, deepest first so a read-only parent comes last.
    mutating func finish() throws {
        for (rel, e) in deferredDirectories.sorted(by: { $0.key.count > $1.key.count }) {
            guard let dir = try root.openDirectory(rel, flags: O_RDONLY) else { continue }
            let host = root.hostPath(rel)
            try sys("fchmod", path: host) { fchmod(dir.raw, e.perm) }
            var times = [e.atime, e.mtime]
            try sys("futimens", path: host) { futimens(dir.raw, &times) }
        }
        deferredDirectories = [:]
    }

    private func setOwner(_ name: String, in dir: Int32, host: String, entry e: TarEntry) throws {
        guard privileged || e.uid == geteuid() else { return }
        try sys("fchownat", path: host) { fchownat(dir, name, e.uid, e.gid, AT_SYMLINK_NOFOLLOW) }
    }

    private func setTimes(_ name: String, in dir: Int32, host: String, entry e: TarEntry) throws {
        var times = [e.atime, e.mtime]
        try sys("utimensat", path: host) { utimensat(dir, name, &times, AT_SYMLINK_NOFOLLOW) }
    }

    private func setXattrs(_ name: String, in dir: Int32, host: String, entry e: TarEntry) throws {
        let path = procPath(dir, name)
        for x in e.xattrs {
            let rc = x.value.withUnsafeBytes { berth_lsetxattr(path, x.name, $0.baseAddress, $0.count) }
            if rc != 0 { try xattrFailed(x.name, host: host) }
        }
    }

    /// Like Docker: file systems without xattrs, and unprivileged unpacks of trusted.* or
    /// security.* names, lose the attribute rather than the layer.
    private func xattrFailed(_ name: String, host: String) throws {
        let code = errno
        if code == ENOTSUP || (code == EPERM && !privileged) { return }
        throw SyscallError(syscall: "setxattr \(name)", path: host, code: code)
    }
}
