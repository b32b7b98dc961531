#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

/// `docker cp`'s archives: one path of a tree (a container's root, or the client's file
/// system) as a tar, and a tar extracted into a directory of a tree. Every path is resolved
/// inside the tree's root, as Docker's `FollowSymlinkInScope` does: `..` stops at the root
/// and symlinks resolve as if the root were `/`, so nothing outside it is read or written.
public enum PathArchive {
    /// What `HEAD /containers/{id}/archive` reports (`X-Docker-Container-Path-Stat`).
    public struct PathStat: Sendable {
        /// The base name of the path as asked for.
        public var name: String
        /// Size in bytes.
        public var size: Int64
        /// Go's `os.FileMode` bits: permissions plus type flags (dir = 1<<31, symlink = 1<<27…).
        public var mode: UInt32
        /// Modification time.
        public var mtime: timespec
        /// For a symlink, its target resolved inside the root, as an absolute path.
        public var linkTarget: String

        /// True for a directory.
        public var isDirectory: Bool { mode & PathArchive.goModeDir != 0 }
        /// True for a symlink.
        public var isSymlink: Bool { mode & PathArchive.goModeSymlink != 0 }
    }

    /// Why a path operation failed in a way the caller reports as Docker does.
    public enum PathError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The path does not exist (inside the root).
        case notFound(String)
        /// The extraction point exists but is not a directory.
        case notDirectory(String)
        /// An entry would replace a directory with a non-directory or the reverse.
        case wouldOverwrite(entry: String, directory: Bool)
        /// The archive is not a usable tar, or an entry leaves the destination.
        case badArchive(String)

        public var description: String {
            switch self {
            case .notFound(let p): "no such file or directory: \(p)"
            case .notDirectory: "extraction point is not a directory"
            case .wouldOverwrite(let e, true): "cannot overwrite directory \"\(e)\" with non-directory"
            case .wouldOverwrite(let e, false): "cannot overwrite non-directory \"\(e)\" with directory"
            case .badArchive(let m): m
            }
        }
    }

    /// Go's `os.ModeDir`.
    public static let goModeDir: UInt32 = 1 << 31
    /// Go's `os.ModeSymlink`.
    public static let goModeSymlink: UInt32 = 1 << 27

    /// Go's `os.FileMode` for a `stat` mode, as `os.Lstat` reports it.
    public static func goMode(_ m: mode_t) -> UInt32 {
        var out = UInt32(m & 0o777)
        switch m & S_IFMT {
        case S_IFDIR: out |= 1 << 31
        case S_IFLNK: out |= 1 << 27
        case S_IFBLK: out |= 1 << 26
        case S_IFCHR: out |= 1 << 26 | 1 << 21
        case S_IFIFO: out |= 1 << 25
        case S_IFSOCK: out |= 1 << 24
        default: break
        }
        if m & S_ISUID != 0 { out |= 1 << 23 }
        if m & S_ISGID != 0 { out |= 1 << 22 }
        if m & S_ISVTX != 0 { out |= 1 << 20 }
        return out
    }

    /// Splits `path` as Docker's `SplitPathDirEntry`: `/a/b/` → (`/a`, `b`), `/a/.` → (`/a`, `.`).
    public static func splitDirEntry(_ path: String) -> (dir: String, base: String) {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return (".", p) }
        let dir = String(p[..<slash])
        return (dir.isEmpty ? "/" : dir, String(p[p.index(after: slash)...]))
    }

    /// The parent (resolved, symlink-free) and the last component of `path` in `root`, as
    /// Docker's `ResolvePath`: the directory part follows symlinks, the last part does not.
    /// `/` and `/.` name the root's `.`.
    static func locate(_ root: borrowing ConfinedRoot, _ path: String) throws -> (parent: [String], name: String) {
        let (dir, base) = splitDirEntry(path.hasPrefix("/") ? path : "/" + path)
        if base.isEmpty || base == "/" { return ([], ".") }
        let parent = try root.resolve(dir, followFinal: true)
        return (parent, base == ".." ? "." : base)
    }

    /// `lstat` of `path` inside the tree at `root`.
    public static func stat(root rootPath: String, path: String) throws -> PathStat {
        let root = try ConfinedRoot(path: rootPath)
        let (parent, name) = try locate(root, path)
        guard let dir = try root.openDirectory(parent), let st = ConfinedRoot.statAt(dir.raw, name) else {
            throw PathError.notFound(path)
        }
        var linkTarget = ""
        if st.st_mode & S_IFMT == S_IFLNK {
            linkTarget = "/" + (try root.resolve((parent + [name]).joined(separator: "/"), followFinal: true)).joined(separator: "/")
        }
        let shown = splitDirEntry(path.hasPrefix("/") ? path : "/" + path).base
        return PathStat(name: shown.isEmpty ? "/" : shown, size: Int64(st.st_size), mode: goMode(st.st_mode),
                        mtime: st.st_mtim, linkTarget: linkTarget)
    }

    /// Writes `path` of the tree at `root` (not following a final symlink) as a tar into
    /// `sink`, its entries named under `name` (by default its own base name), as Docker's
    /// `TarResourceRebase`. Returns its stat.
    @discardableResult
    public static func archive(root rootPath: String, path: String, as name: String? = nil,
                               sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> PathStat {
        let info = try stat(root: rootPath, path: path)
        let root = try ConfinedRoot(path: rootPath)
        let (parent, entryName) = try locate(root, path)
        guard let dir = try root.openDirectory(parent, flags: O_RDONLY) else { throw PathError.notFound(path) }
        let tar = try TarWriter(compression: .none, sink: sink)
        var walker = TreeWalker(tar: tar, overlayWhiteouts: false, root: root.hostPath(parent))
        try walker.entry(dir.raw, name: entryName, rel: name ?? (entryName == "." ? "." : entryName))
        try tar.finish()
        return info
    }
}

extension PathArchive {
    /// The content of the regular file `path` of the tree at `root` (symlinks resolved
    /// inside it), or nil when it is not there. For small files such as `/etc/passwd`.
    public static func readFile(root rootPath: String, path: String, limit: Int = 1 << 20) -> [UInt8]? {
        guard let root = try? ConfinedRoot(path: rootPath), let rel = try? root.resolve(path, followFinal: true),
              let name = rel.last, let dir = try? root.openDirectory(Array(rel.dropLast())) else { return nil }
        let fd = openat(dir.raw, name, O_RDONLY | BERTH_O_NOFOLLOW | BERTH_O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while out.count < limit {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }
}

extension PathArchive {
    /// `path` resolved inside the tree at `root` (symlinks followed as if `root` were `/`),
    /// as clean components; nil when the root cannot be opened.
    public static func resolveInside(root: String, path: String) -> [String]? {
        guard let r = try? ConfinedRoot(path: root) else { return nil }
        return try? r.resolve(path, followFinal: true)
    }
}
