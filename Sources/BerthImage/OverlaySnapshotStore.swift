#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// `SnapshotStore` with overlayfs directories on local disk.
final class OverlaySnapshotStore: SnapshotStore {
    let root: String
    let dir: String

    init(root: String) throws {
        self.root = root
        dir = root + "/snapshots"
        try Files.mkdirAll(dir, mode: 0o700)
    }

    func layerPath(_ chainID: Digest) -> String { dir + "/" + chainID.encoded + "/fs" }

    func hasLayer(_ chainID: Digest) -> Bool { Files.isDirectory(layerPath(chainID)) }

    @discardableResult
    func unpackLayer(chainID: Digest, diffID: Digest, blobPath: String) throws -> String {
        try createLayer(chainID: chainID) { fs in
            let result = try LayerArchive.unpack(path: blobPath, into: fs, mode: .overlay)
            if result.diffID != diffID { throw SnapshotError.diffIDMismatch(expected: diffID, actual: result.diffID) }
        }
    }

    @discardableResult
    func createLayer(chainID: Digest, fill: (String) throws -> Void) throws -> String {
        let final = dir + "/" + chainID.encoded
        if hasLayer(chainID) { return final + "/fs" }
        let tmp = try makeTemporary()
        do {
            try sys("mkdir", path: tmp + "/fs") { mkdir(tmp + "/fs", 0o755) }
            try fill(tmp + "/fs")
            try Self.syncFilesystem(tmp)
            if rename(tmp, final) != 0 {
                let code = errno
                // Another unpack of the same layer won the race: its result is as good as ours.
                guard code == EEXIST || code == ENOTEMPTY else { throw SyscallError(syscall: "rename", path: final, code: code) }
                try? Files.removeAll(tmp)
            }
            try LocalContentStore.syncDirectory(dir)
        } catch {
            try? Files.removeAll(tmp)
            throw error
        }
        return final + "/fs"
    }

    func unpackLayers(_ layers: [LayerSource], parallelism: Int) async throws -> [Digest] {
        let chain = Digest.chainIDs(layers.map(\.diffID))
        let work = zip(layers, chain).filter { !hasLayer($0.1) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = work.makeIterator()
            func start() {
                guard let (layer, chainID) = next.next() else { return }
                group.addTask {
                    try self.unpackLayer(chainID: chainID, diffID: layer.diffID, blobPath: layer.blobPath)
                }
            }
            for _ in 0..<max(1, parallelism) { start() }
            while try await group.next() != nil { start() }
        }
        return chain
    }

    func layers() throws -> [Digest] {
        try Files.list(dir).sorted().compactMap { name in
            guard let d = try? Digest(parsing: "sha256:" + name), !Files.exists(dir + "/" + name + "/work") else { return nil }
            return d
        }
    }

    func removeLayer(_ chainID: Digest) throws { try removeSnapshot(chainID.encoded) }

    func createContainer(id: String, lowers: [Digest], durable: Bool) throws -> ContainerSnapshot {
        try Self.validate(id)
        for l in lowers where !hasLayer(l) { throw SnapshotError.layerMissing(l) }
        let final = dir + "/" + id
        if Files.exists(final) { throw SnapshotError.containerExists(id) }
        let tmp = try makeTemporary()
        do {
            for sub in ["fs", "work"] { try sys("mkdir", path: tmp + "/" + sub) { mkdir(tmp + "/" + sub, 0o755) } }
            try Files.writeAtomic(tmp + "/lowers", Array(lowers.map { "\($0)\n" }.joined().utf8), durable: durable)
            try sys("rename", path: final) { rename(tmp, final) }
            if durable { try LocalContentStore.syncDirectory(dir) }
        } catch {
            try? Files.removeAll(tmp)
            if let e = error as? SyscallError, e.code == EEXIST || e.code == ENOTEMPTY { throw SnapshotError.containerExists(id) }
            throw error
        }
        return ContainerSnapshot(id: id, upperDir: final + "/fs", workDir: final + "/work", lowers: lowers)
    }

    func container(id: String) throws -> ContainerSnapshot? {
        try Self.validate(id)
        let base = dir + "/" + id
        guard Files.isDirectory(base + "/work") else { return nil }
        let lowers = try Files.readString(base + "/lowers").split(separator: "\n").map { try Digest(parsing: String($0)) }
        return ContainerSnapshot(id: id, upperDir: base + "/fs", workDir: base + "/work", lowers: lowers)
    }

    func containers() throws -> [ContainerSnapshot] {
        try Files.list(dir).sorted().filter { !$0.hasPrefix("tmp-") && Files.isDirectory(dir + "/" + $0 + "/work") }
            .compactMap { try container(id: $0) }
    }

    func removeContainer(id: String) throws {
        try Self.validate(id)
        try removeSnapshot(id)
    }

    func mount(for snapshot: ContainerSnapshot) throws -> OverlayMount {
        for l in snapshot.lowers where !hasLayer(l) { throw SnapshotError.layerMissing(l) }
        var lowerDirs = snapshot.lowers.reversed().map(layerPath)
        if lowerDirs.isEmpty {
            // overlayfs needs a lower directory; an image with no layers gets an empty one.
            let empty = dir + "/" + snapshot.id + "/empty"
            if !Files.exists(empty) { try sys("mkdir", path: empty) { mkdir(empty, 0o755) } }
            lowerDirs = [empty]
        }
        return OverlayMount(lowerDirs: lowerDirs, upperDir: snapshot.upperDir, workDir: snapshot.workDir, relativeBase: dir)
    }

    func cleanupTemporaries() throws {
        for name in try Files.list(dir) where name.hasPrefix("tmp-") { try Files.removeAll(dir + "/" + name) }
    }

    /// Renames the snapshot away first, so a crash mid-removal leaves a `tmp-*` to clean up
    /// rather than a half-deleted layer that looks whole.
    private func removeSnapshot(_ name: String) throws {
        let path = dir + "/" + name
        guard Files.exists(path) else { return }
        let tmp = dir + "/tmp-" + Self.randomName()
        try sys("rename", path: path) { rename(path, tmp) }
        try Files.removeAll(tmp)
    }

    private func makeTemporary() throws -> String {
        let tmp = dir + "/tmp-" + Self.randomName()
        try sys("mkdir", path: tmp) { mkdir(tmp, 0o700) }
        return tmp
    }

    static func randomName() -> String { String(UInt64.random(in: 0...UInt64.max), radix: 16) }

    /// A container ID must be a plain name (Docker's are 64 hex characters).
    static func validate(_ id: String) throws {
        guard !id.isEmpty, !id.hasPrefix("tmp-"), id != ".", id != "..", !id.contains("/" as Character), id.utf8.count <= 128 else {
            throw SnapshotError.invalidID(id)
        }
    }

    /// Flushes the unpacked files before the rename publishes them (containerd and Docker
    /// sync too): after a crash a snapshot that exists is complete.
    static func syncFilesystem(_ path: String) throws {
        let fd = OwnedFD(try FD.open(path, O_RDONLY | O_DIRECTORY))
        try sys("syncfs", path: path) { berth_syncfs(fd.raw) }
    }
}
