#if canImport(Glibc)
import Glibc
#endif
import BerthSystem

/// Fills a new, empty volume with what the image has at its mount path, as moby's
/// `copyExistingContents`: only into an empty volume; modes, owners, times, symlinks,
/// hard links and device nodes kept; the volume's root takes the directory's owner and mode.
enum CopyUp {
    static func copy(from source: String, into destination: String) throws {
        var st = stat()
        guard stat(source, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return }
        guard VolumeStore.isEmpty(destination) else { return }
        var links: [UInt64: String] = [:]
        for name in try Files.list(source) { try copyEntry(source + "/" + name, destination + "/" + name, &links) }
        try sys("chown", path: destination) { chown(destination, st.st_uid, st.st_gid) }
        try sys("chmod", path: destination) { chmod(destination, st.st_mode & 0o7777) }
    }

    /// `path` inside `root` with symlinks followed as if `root` were `/` (moby's
    /// `FollowSymlinkInScope`), so an image's `/data -> /etc` cannot make copy-up read the
    /// host's `/etc`. Nil past 40 links.
    static func resolveInScope(_ path: String, root: String) -> String? {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == "." || part.isEmpty { continue }
            if part == ".." { _ = resolved.popLast(); continue }
            let candidate = root + "/" + (resolved + [part]).joined(separator: "/")
            var st = stat()
            if lstat(candidate, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
                hops += 1
                guard hops <= 40, let target = Files.readlink(candidate) else { return nil }
                if target.hasPrefix("/") { resolved = [] }
                pending = target.split(separator: "/").map(String.init) + pending
                continue
            }
            resolved.append(part)
        }
        return root + "/" + resolved.joined(separator: "/")
    }

    private static func copyEntry(_ src: String, _ dst: String, _ links: inout [UInt64: String]) throws {
        var st = stat()
        try sys("lstat", path: src) { lstat(src, &st) }
        let kind = st.st_mode & S_IFMT
        if kind != S_IFDIR && st.st_nlink > 1 {
            let key = UInt64(st.st_ino)
            if let first = links[key] {
                try sys("link", path: dst) { link(first, dst) }
                return
            }
            links[key] = dst
        }
        switch kind {
        case S_IFDIR:
            try sys("mkdir", path: dst) { mkdir(dst, 0o700) }
            for name in try Files.list(src) { try copyEntry(src + "/" + name, dst + "/" + name, &links) }
        case S_IFREG:
            try copyFile(src, dst)
        case S_IFLNK:
            guard let target = Files.readlink(src) else { throw SyscallError(syscall: "readlink", path: src, code: errno) }
            try sys("symlink", path: dst) { symlink(target, dst) }
        case S_IFCHR, S_IFBLK, S_IFIFO:
            try sys("mknod", path: dst) { mknod(dst, st.st_mode, st.st_rdev) }
        default:
            return   // sockets are not copied
        }
        try sys("lchown", path: dst) { lchown(dst, st.st_uid, st.st_gid) }
        if kind != S_IFLNK { try sys("chmod", path: dst) { chmod(dst, st.st_mode & 0o7777) } }
        var times = [st.st_atim, st.st_mtim]
        _ = utimensat(AT_FDCWD, dst, &times, AT_SYMLINK_NOFOLLOW)
    }

    private static func copyFile(_ src: String, _ dst: String) throws {
        let input = OwnedFD(try FD.open(src, O_RDONLY))
        let output = OwnedFD(try FD.open(dst, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input.raw, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw SyscallError(syscall: "read", path: src, code: errno) }
            if n == 0 { break }
            try FD.writeAll(output.raw, Array(buffer[0..<n]), path: dst)
        }
    }
}
