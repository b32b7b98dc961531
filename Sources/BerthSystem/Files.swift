#if canImport(Glibc)
import Glibc
#endif
import CBerth

/// Small file helpers over plain syscalls: no Foundation, so helper processes stay light.
public enum Files {
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = OwnedFD(try FD.open(path, O_RDONLY))
        return try FD.readAll(fd.raw, path: path)
    }

    public static func readString(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// Writes `bytes` to `path`, truncating (or creating with `mode`).
    public static func write(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let fd = OwnedFD(try FD.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: mode))
        try FD.writeAll(fd.raw, bytes, path: path)
    }

    public static func write(_ path: String, _ string: String, mode: mode_t = 0o644) throws {
        try write(path, Array(string.utf8), mode: mode)
    }

    /// Writes to an existing file without O_CREAT or O_TRUNC (cgroup and /proc files).
    public static func writeExisting(_ path: String, _ string: String) throws {
        let fd = OwnedFD(try FD.open(path, O_WRONLY))
        try FD.writeAll(fd.raw, Array(string.utf8), path: path)
    }

    /// Writes atomically: a temporary file in the same directory, then rename. With
    /// `durable` (the default) the data is fsync'd first, so a crash leaves the old or the
    /// new file whole; runtime state on tmpfs (/run) skips that.
    public static func writeAtomic(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = true) throws {
        let tmp = path + ".tmp-\(getpid())"
        do {
            let fd = OwnedFD(try FD.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode: mode))
            try FD.writeAll(fd.raw, bytes, path: tmp)
            if durable { try sys("fsync", path: tmp) { fsync(fd.raw) } }
        }
        try sys("rename", path: path) { rename(tmp, path) }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// mkdir -p.
    public static func mkdirAll(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let parent = dirname(path)
        if parent != path && !parent.isEmpty { try mkdirAll(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw SyscallError(syscall: "mkdir", path: path, code: errno) }
    }

    /// rm -rf, not crossing into mounted file systems' contents beyond what unlink allows.
    public static func removeAll(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try list(path) { try removeAll(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT { throw SyscallError(syscall: "rmdir", path: path, code: errno) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw SyscallError(syscall: "unlink", path: path, code: errno)
        }
    }

    /// The names in a directory, without "." and "..".
    public static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw SyscallError(syscall: "opendir", path: path, code: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    public static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Joins path components with single slashes.
    public static func join(_ base: String, _ rest: String) -> String {
        if rest.isEmpty { return base }
        if base.hasSuffix("/") { return base + (rest.hasPrefix("/") ? String(rest.dropFirst()) : rest) }
        return base + (rest.hasPrefix("/") ? rest : "/" + rest)
    }

    public static func readlink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = Glibc.readlink(path, &buf, 4096)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func cwd() -> String {
        var buf = [CChar](repeating: 0, count: 4097)
        guard getcwd(&buf, 4096) != nil else { return "/" }
        return String(cString: buf)
    }

    /// Makes `path` absolute against the current directory.
    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : join(cwd(), path)
    }
}
