#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

extension LayerArchive {
    /// What writing a layer produced.
    public struct DiffResult: Sendable, Equatable {
        /// sha256 of the uncompressed tar: the layer's DiffID.
        public var diffID: Digest
        /// Size of the uncompressed tar.
        public var uncompressedSize: Int64
    }

    /// Writes the tree at `dir` as a layer tar into `sink`, compressed as asked, and returns
    /// its DiffID. With `overlayWhiteouts` (a container's upper dir), a 0/0 character device
    /// becomes a `.wh.NAME` entry and a directory with `trusted.overlay.opaque=y` gets a
    /// `.wh..wh..opq` entry; other `trusted.overlay.*` attributes are overlayfs bookkeeping
    /// and are left out. Without it (`docker export` of a merged rootfs) the tree is written as is.
    ///
    /// Entries are sorted by name and files sharing an inode become hardlinks. Nothing is
    /// followed: the tree is read through directory fds with O_NOFOLLOW.
    public static func diff(directory dir: String, overlayWhiteouts: Bool = true, compression: LayerCompression = .gzip,
                            sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> DiffResult {
        var hasher = DigestHasher()
        let compressor: ArchiveOutput? = compression == .none ? nil : try ArchiveOutput(raw: true, compression: compression, sink: sink)
        let tar = try TarWriter(compression: .none) { chunk in
            hasher.update(chunk)
            if let compressor { try compressor.writeData(chunk) } else { try sink(chunk) }
        }
        let rootFD = OwnedFD(try FD.open(dir, O_RDONLY | O_DIRECTORY))
        var walker = TreeWalker(tar: tar, overlayWhiteouts: overlayWhiteouts, root: dir)
        try walker.walk(rootFD.raw, prefix: "")
        try tar.finish()
        try compressor?.finish()
        return DiffResult(diffID: hasher.finalize(), uncompressedSize: hasher.count)
    }

    /// Writes the tree at `dir` as a layer into `store` and returns its descriptor (OCI
    /// layer media type for the compression) and DiffID.
    public static func diff(directory dir: String, into store: any ContentStore, overlayWhiteouts: Bool = true,
                            compression: LayerCompression = .gzip) throws -> (descriptor: Descriptor, diffID: Digest) {
        let writer = try store.writer()
        let result = try diff(directory: dir, overlayWhiteouts: overlayWhiteouts, compression: compression) { try writer.write($0) }
        let info = try writer.commit()
        let type = switch compression {
        case .none: MediaType.ociLayer
        case .gzip: MediaType.ociLayerGzip
        case .zstd: MediaType.ociLayerZstd
        }
        return (Descriptor(mediaType: type, digest: info.digest, size: info.size), result.diffID)
    }
}

/// Walks a directory tree through fds and writes each entry.
struct TreeWalker {
    let tar: TarWriter
    let overlayWhiteouts: Bool
    let root: String
    /// (device, inode) → first path written, for hardlinks.
    var seen: [String: String] = [:]

    mutating func walk(_ dirFD: Int32, prefix: String) throws {
        let host = prefix.isEmpty ? root : root + "/" + prefix
        for name in try ConfinedRoot.listAt(dirFD, hostPath: host).sorted() {
            try entry(dirFD, name: name, rel: prefix.isEmpty ? name : prefix + "/" + name)
        }
    }

    /// Writes the entry `name` of `dirFD` as `rel` (and, for a directory, everything under it).
    mutating func entry(_ dirFD: Int32, name: String, rel: String) throws {
        let prefix = rel.split(separator: "/").dropLast().joined(separator: "/")
        do {
            let path = root + "/" + rel
            var st = stat()
            try sys("fstatat", path: path) { fstatat(dirFD, name, &st, AT_SYMLINK_NOFOLLOW) }
            var h = TarHeader(path: rel, type: st.st_mode & S_IFMT, perm: st.st_mode & 0o7777, uid: st.st_uid,
                              gid: st.st_gid, mtime: st.st_mtim)
            h.xattrs = try Self.xattrs(procPath(dirFD, name), host: path).filter {
                !(overlayWhiteouts && $0.name.hasPrefix("trusted.overlay."))
            }
            switch h.type {
            case S_IFCHR where overlayWhiteouts && st.st_rdev == 0:
                let parent = prefix.isEmpty ? "" : prefix + "/"
                try tar.append(TarHeader(path: parent + ".wh." + name, perm: 0o600, mtime: st.st_mtim))
            case S_IFDIR:
                h.path += "/"
                try tar.append(h)
                let opaque = overlayWhiteouts && Self.xattr(procPath(dirFD, name), "trusted.overlay.opaque") == [UInt8(ascii: "y")]
                if opaque { try tar.append(TarHeader(path: rel + "/.wh..wh..opq", perm: 0o600, mtime: st.st_mtim)) }
                let child = OwnedFD(try sys("openat", path: path) {
                    openat(dirFD, name, O_RDONLY | O_DIRECTORY | BERTH_O_NOFOLLOW | BERTH_O_CLOEXEC)
                })
                try walk(child.raw, prefix: rel)
            case S_IFREG:
                let key = "\(st.st_dev):\(st.st_ino)"
                if st.st_nlink > 1, let first = seen[key] {
                    try tar.append(TarHeader(path: rel, hardlink: first))
                    return
                }
                if st.st_nlink > 1 { seen[key] = rel }
                h.size = Int64(st.st_size)
                try tar.append(h)
                let fd = OwnedFD(try sys("openat", path: path) {
                    openat(dirFD, name, O_RDONLY | BERTH_O_NOFOLLOW | BERTH_O_CLOEXEC)
                })
                try tar.writeData(fromFD: fd.raw, path: path)
            case S_IFLNK:
                var buf = [CChar](repeating: 0, count: 4097)
                let n = try sys("readlinkat", path: path) { readlinkat(dirFD, name, &buf, 4096) }
                h.symlink = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                try tar.append(h)
            case S_IFCHR, S_IFBLK:
                h.devMajor = berth_major(st.st_rdev)
                h.devMinor = berth_minor(st.st_rdev)
                try tar.append(h)
            case S_IFIFO:
                try tar.append(h)
            default:
                return                                      // sockets are not content
            }
        }
    }

    /// All extended attributes of `path` (not following a final symlink).
    static func xattrs(_ path: String, host: String) throws -> [(name: String, value: [UInt8])] {
        let size = berth_llistxattr(path, nil, 0)
        if size < 0 {
            if errno == ENOTSUP { return [] }
            throw SyscallError(syscall: "llistxattr", path: host, code: errno)
        }
        if size == 0 { return [] }
        var list = [CChar](repeating: 0, count: size)
        let n = berth_llistxattr(path, &list, size)
        guard n >= 0 else { throw SyscallError(syscall: "llistxattr", path: host, code: errno) }
        let names = list[0..<n].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return names.sorted().compactMap { name in xattr(path, name).map { (name, $0) } }
    }

    static func xattr(_ path: String, _ name: String) -> [UInt8]? {
        let size = berth_lgetxattr(path, name, nil, 0)
        guard size >= 0 else { return nil }
        var value = [UInt8](repeating: 0, count: size)
        let n = berth_lgetxattr(path, name, &value, size)
        return n < 0 ? nil : Array(value[0..<n])
    }
}
