#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

/// A directory tree that unpacking writes into. Every path is resolved with
/// `openat2(RESOLVE_IN_ROOT)`, so a symlink in the tree, even one pointing at `/etc` or
/// `../../..`, resolves inside it, as if the tree were chrooted (Docker unpacks in a chroot
/// for the same reason). The last component is never followed: entries are created with
/// the `*at` calls relative to their parent directory.
struct ConfinedRoot: ~Copyable {
    let fd: OwnedFD
    let path: String

    init(path: String) throws {
        self.path = path
        fd = OwnedFD(try FD.open(path, O_RDONLY | O_DIRECTORY))
    }

    /// Splits an entry name into clean components, as Go's `filepath.Clean` after joining it
    /// to the root: `./a//b/` → [a, b]; an absolute name stays inside (`/../a` → [a]); a
    /// relative name that climbs above the root is nil.
    static func components(_ name: String) -> [String]? {
        var out: [String] = []
        let absolute = name.hasPrefix("/")
        for part in name.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if out.isEmpty {
                    if absolute { continue }
                    return nil
                }
                out.removeLast()
            default: out.append(String(part))
            }
        }
        return out
    }

    /// Full host path of a relative path, for error messages.
    func hostPath(_ rel: [String]) -> String { rel.isEmpty ? path : path + "/" + rel.joined(separator: "/") }

    /// Opens a directory inside the root; nil when it does not exist.
    func openDirectory(_ rel: [String], flags: Int32 = BERTH_O_PATH) throws -> OwnedFD? {
        let relPath = rel.isEmpty ? "." : rel.joined(separator: "/")
        let fd = berth_openat2_in_root(self.fd.raw, relPath, flags | O_DIRECTORY | BERTH_O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SyscallError(syscall: "openat2", path: hostPath(rel), code: errno)
        }
        return OwnedFD(fd)
    }

    /// Opens a directory inside the root, creating it and its missing parents (0755, owned by
    /// the caller, as tar does for directories the archive does not list).
    func makeDirectory(_ rel: [String]) throws -> OwnedFD {
        if let fd = try openDirectory(rel) { return fd }
        let parent = try makeDirectory(Array(rel.dropLast()))
        let name = rel.last!
        if mkdirat(parent.raw, name, 0o755) != 0 && errno != EEXIST {
            throw SyscallError(syscall: "mkdirat", path: hostPath(rel), code: errno)
        }
        guard let fd = try openDirectory(rel) else { throw SyscallError(syscall: "openat2", path: hostPath(rel), code: ENOENT) }
        return fd
    }

    /// `lstat` of `name` in `dir`; nil when absent.
    static func statAt(_ dir: Int32, _ name: String) -> stat? {
        var st = stat()
        return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st : nil
    }

    /// Removes `name` in `dir`, recursively for directories, never following symlinks.
    static func removeAt(_ dir: Int32, _ name: String, hostPath: String) throws {
        guard let st = statAt(dir, name) else { return }
        if st.st_mode & S_IFMT == S_IFDIR {
            let child = OwnedFD(try sys("openat", path: hostPath) {
                openat(dir, name, O_RDONLY | O_DIRECTORY | BERTH_O_NOFOLLOW | BERTH_O_CLOEXEC)
            })
            for entry in try listAt(child.raw, hostPath: hostPath) {
                try removeAt(child.raw, entry, hostPath: hostPath + "/" + entry)
            }
            try sys("unlinkat", path: hostPath) { unlinkat(dir, name, AT_REMOVEDIR) }
        } else {
            try sys("unlinkat", path: hostPath) { unlinkat(dir, name, 0) }
        }
    }

    /// The names in a directory opened for reading (not O_PATH), without `.` and `..`.
    static func listAt(_ dirfd: Int32, hostPath: String) throws -> [String] {
        let dup = try sys("dup", path: hostPath) { fcntl(dirfd, F_DUPFD_CLOEXEC, 0) }
        guard let d = fdopendir(dup) else {
            let code = errno
            close(dup)
            throw SyscallError(syscall: "fdopendir", path: hostPath, code: code)
        }
        defer { closedir(d) }
        rewinddir(d)
        var names: [String] = []
        while true {
            errno = 0
            guard let ent = readdir(d) else {
                if errno != 0 { throw SyscallError(syscall: "readdir", path: hostPath, code: errno) }
                return names
            }
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }
}

/// `/proc/self/fd/N/name`: a path for calls that have no `*at` form (lsetxattr), resolved
/// through the already-confined directory fd.
func procPath(_ dir: Int32, _ name: String) -> String { "/proc/self/fd/\(dir)/\(name)" }
