#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import Synchronization

/// `ContentStore` on local disk. Safe to share between tasks: the only shared state is the
/// set of running ingests, which garbage collection must not remove.
final class LocalContentStore: ContentStore {
    let root: String
    let blobDir: String
    let ingestDir: String
    private let active = Mutex<Set<String>>([])

    init(root: String) throws {
        self.root = root
        blobDir = root + "/content/blobs/sha256"
        ingestDir = root + "/content/ingest"
        try Files.mkdirAll(blobDir)
        try Files.mkdirAll(ingestDir)
    }

    func path(of digest: Digest) -> String { blobDir + "/" + digest.encoded }

    func info(_ digest: Digest) throws -> ContentInfo? {
        guard digest.algorithm == "sha256" else { return nil }
        var st = stat()
        let p = path(of: digest)
        if stat(p, &st) != 0 {
            if errno == ENOENT { return nil }
            throw SyscallError(syscall: "stat", path: p, code: errno)
        }
        return ContentInfo(digest: digest, size: Int64(st.st_size))
    }

    func read(_ digest: Digest) throws -> [UInt8] {
        let fd = try openBlob(digest)
        return try FD.readAll(fd.raw, path: path(of: digest))
    }

    func read(_ digest: Digest, chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = try openBlob(digest)
        let p = path(of: digest)
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buf.deallocate() }
        while true {
            let n = try sys("read", path: p) { Glibc.read(fd.raw, buf.baseAddress, buf.count) }
            if n == 0 { return }
            try chunk(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
        }
    }

    private func openBlob(_ digest: Digest) throws -> OwnedFD {
        let p = path(of: digest)
        let fd = Glibc.open(p, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw ContentError.notFound(digest) }
            throw SyscallError(syscall: "open", path: p, code: errno)
        }
        return OwnedFD(fd)
    }

    func writer(expecting: Digest?, size: Int64?) throws -> any ContentWriter {
        if let e = expecting, e.algorithm != "sha256" { throw ContentError.unsupportedAlgorithm(e.algorithm) }
        let name = String(UInt64.random(in: 0...UInt64.max), radix: 16) + "-" + String(getpid())
        active.withLock { _ = $0.insert(name) }
        do {
            return try LocalContentWriter(store: self, name: name, expecting: expecting, size: size)
        } catch {
            ingestEnded(name)
            throw error
        }
    }

    func ingestEnded(_ name: String) { active.withLock { _ = $0.remove(name) } }

    @discardableResult
    func write(_ bytes: [UInt8], expecting: Digest?) throws -> ContentInfo {
        let digest = Digest.sha256(of: bytes)
        if let e = expecting, e != digest { throw ContentError.digestMismatch(expected: e, actual: digest) }
        if let info = try info(digest), info.size == Int64(bytes.count) { return info }
        let w = try writer(expecting: digest, size: Int64(bytes.count))
        try w.write(bytes)
        return try w.commit()
    }

    func list() throws -> [ContentInfo] {
        try Files.list(blobDir).sorted().compactMap { name in
            guard let d = try? Digest(parsing: "sha256:" + name) else { return nil }
            return try info(d)
        }
    }

    func delete(_ digest: Digest) throws {
        let p = path(of: digest)
        if unlink(p) != 0 && errno != ENOENT { throw SyscallError(syscall: "unlink", path: p, code: errno) }
    }

    func garbageCollect(keeping: Set<Digest>) throws -> GarbageReport {
        var report = GarbageReport()
        for info in try list() where !keeping.contains(info.digest) {
            try delete(info.digest)
            report.removed.append(info.digest)
            report.reclaimedBytes += info.size
        }
        let running = active.withLock { $0 }
        for name in try Files.list(ingestDir) where !running.contains(name) {
            let p = ingestDir + "/" + name
            var st = stat()
            if lstat(p, &st) == 0 { report.reclaimedBytes += Int64(st.st_size) }
            try Files.removeAll(p)
            report.staleIngests += 1
        }
        return report
    }

    /// fsync of a directory, so a rename in it survives a crash.
    static func syncDirectory(_ path: String) throws {
        let fd = OwnedFD(try FD.open(path, O_RDONLY | O_DIRECTORY))
        try sys("fsync", path: path) { fsync(fd.raw) }
    }
}

/// One ingest: a temp file being hashed as it is written.
final class LocalContentWriter: ContentWriter {
    private let store: LocalContentStore
    private let name: String
    private let tempPath: String
    private let expecting: Digest?
    private let expectedSize: Int64?
    private var fd: Int32
    private var hasher = DigestHasher()

    init(store: LocalContentStore, name: String, expecting: Digest?, size: Int64?) throws {
        self.store = store; self.name = name; self.expecting = expecting; expectedSize = size
        tempPath = store.ingestDir + "/" + name
        fd = try FD.open(tempPath, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
    }

    deinit { abort() }

    var written: Int64 { hasher.count }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw ContentError.closed }
        var offset = 0
        while offset < chunk.count {
            let n = try sys("write", path: tempPath) { Glibc.write(fd, chunk.baseAddress! + offset, chunk.count - offset) }
            offset += n
        }
        hasher.update(chunk)
    }

    @discardableResult
    func commit() throws -> ContentInfo {
        guard fd >= 0 else { throw ContentError.closed }
        defer { abort() }
        let digest = hasher.finalize()
        if let e = expecting, e != digest { throw ContentError.digestMismatch(expected: e, actual: digest) }
        if let s = expectedSize, s != hasher.count {
            throw ContentError.sizeMismatch(digest: digest, expected: s, actual: hasher.count)
        }
        try sys("fsync", path: tempPath) { fsync(fd) }
        let target = store.path(of: digest)
        try sys("rename", path: target) { rename(tempPath, target) }
        try LocalContentStore.syncDirectory(store.blobDir)
        return ContentInfo(digest: digest, size: hasher.count)
    }

    func abort() {
        guard fd >= 0 else { return }
        _ = close(fd)
        fd = -1
        _ = unlink(tempPath)
        store.ingestEnded(name)
    }
}
