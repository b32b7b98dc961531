#if canImport(Glibc)
import Glibc
#endif
@testable import BerthImage
import BerthOCI
import BerthSystem
import CBerth
import Testing

@Suite struct SnapshotStoreTests {
    let tmp = TempDir()

    @Test func chainIDsFollowTheSpec() throws {
        let ids = try ["1", "2", "3"].map { try Digest(parsing: "sha256:" + String(repeating: $0, count: 64)) }
        let chain = Digest.chainIDs(ids)
        #expect(chain.map(\.description) == [
            ids[0].description,
            "sha256:9932074217c35353d2e03a3f5a86549f7c67bfeb0ba53e23d69f4d4c8f7958f5",
            "sha256:50127c0d6b338be78246434b4bce23ecf75e505158ea0bbd15effeb162fbf3ec",
        ])
        #expect(Digest.chainIDs([]).isEmpty)
    }

    /// Three gzip layers: base files, a change with a whiteout, an opaque dir.
    func makeLayers() throws -> [LayerSource] {
        var out: [LayerSource] = []
        let bodies: [(TarWriter) throws -> Void] = [
            { w in try w.file("etc/os", "base"); try w.file("etc/gone", "g"); try w.file("d/old", "o") },
            { w in try w.file("etc/os", "second"); try w.file("etc/.wh.gone", "") },
            { w in try w.dir("d/"); try w.file("d/.wh..wh..opq", ""); try w.file("d/new", "n") },
        ]
        for (i, body) in bodies.enumerated() {
            let plain = try makeTar(tmp.sub("l\(i).tar"), .none, body)
            let blob = try makeTar(tmp.sub("l\(i).tgz"), .gzip, body)
            out.append(LayerSource(blobPath: blob, diffID: try sha256(ofFile: plain)))
        }
        return out
    }

    @Test(.requiresRoot) func unpacksLayersInParallelAtomically() async throws {
        let store = try SnapshotStores.overlay(root: tmp.sub("data"))
        let layers = try makeLayers()
        let chain = try await store.unpackLayers(layers, parallelism: 3)
        #expect(chain == Digest.chainIDs(layers.map(\.diffID)))
        for id in chain { #expect(store.hasLayer(id)) }
        #expect(try store.layers().sorted() == chain.sorted())
        #expect(try Files.readString(store.layerPath(chain[1]) + "/etc/os") == "second")
        #expect(fileType(store.layerPath(chain[1]) + "/etc/gone") == S_IFCHR)
        #expect(try Files.list(tmp.sub("data/snapshots")).allSatisfy { !$0.hasPrefix("tmp-") })
        // A second run finds everything present and unpacks nothing.
        #expect(try await store.unpackLayers(layers) == chain)
    }

    @Test func diffIDMismatchLeavesNothing() throws {
        let store = try SnapshotStores.overlay(root: tmp.sub("data"))
        let blob = try makeTar(tmp.sub("x.tgz"), .gzip) { try $0.file("a", "a") }
        let wrong = Digest.sha256(of: [1, 2, 3])
        #expect(throws: SnapshotError.self) { try store.unpackLayer(chainID: wrong, diffID: wrong, blobPath: blob) }
        #expect(!store.hasLayer(wrong))
        #expect(try Files.list(tmp.sub("data/snapshots")).isEmpty)
    }

    @Test func containerSnapshotsAndMountOptions() throws {
        let store = try SnapshotStores.overlay(root: tmp.sub("data"))
        let a = Digest.sha256(of: [1]), b = Digest.sha256(of: [2])
        try store.createLayer(chainID: a) { try Files.write($0 + "/f", "a") }
        try store.createLayer(chainID: b) { _ in }
        let id = String(repeating: "c", count: 64)
        let snap = try store.createContainer(id: id, lowers: [a, b])
        #expect(Files.isDirectory(snap.upperDir) && Files.isDirectory(snap.workDir))
        #expect(try store.container(id: id) == snap)
        #expect(try store.containers() == [snap])
        #expect(try store.layers().sorted() == [a, b].sorted())
        let m = try store.mount(for: snap)
        let snaps = tmp.sub("data/snapshots")
        #expect(m.options == "lowerdir=\(snaps)/\(b.encoded)/fs:\(snaps)/\(a.encoded)/fs,upperdir=\(snaps)/\(id)/fs,workdir=\(snaps)/\(id)/work")
        #expect(m.relativeOptions == "lowerdir=\(b.encoded)/fs:\(a.encoded)/fs,upperdir=\(id)/fs,workdir=\(id)/work")
        #expect(throws: SnapshotError.containerExists(id)) { _ = try store.createContainer(id: id, lowers: []) }
        #expect(throws: SnapshotError.layerMissing(Digest.sha256(of: [3]))) {
            _ = try store.createContainer(id: "other", lowers: [Digest.sha256(of: [3])])
        }
        #expect(throws: SnapshotError.invalidID("../x")) { _ = try store.createContainer(id: "../x", lowers: []) }
        try store.removeContainer(id: id)
        #expect(try store.container(id: id) == nil)
        try store.removeLayer(a)
        #expect(!store.hasLayer(a))
    }

    @Test func cleanupRemovesInterruptedWork() throws {
        let store = try SnapshotStores.overlay(root: tmp.sub("data"))
        try Files.mkdirAll(tmp.sub("data/snapshots/tmp-dead/fs"))
        try store.cleanupTemporaries()
        #expect(try Files.list(tmp.sub("data/snapshots")).isEmpty)
    }

    @Test(.requiresRoot) func overlayMountShowsMergedImage() async throws {
        let store = try SnapshotStores.overlay(root: tmp.sub("data"))
        let chain = try await store.unpackLayers(try makeLayers())
        let snap = try store.createContainer(id: "c1", lowers: chain)
        let m = try store.mount(for: snap)
        let target = tmp.sub("merged")
        try Files.mkdirAll(target)
        guard berth_mount("overlay", target, "overlay", 0, m.options) == 0 else {
            Issue.record("mount overlay: \(SyscallError(syscall: "mount", path: target, code: errno))")
            return
        }
        defer { _ = berth_umount2(target, 0) }
        #expect(try Files.readString(target + "/etc/os") == "second")
        #expect(!Files.exists(target + "/etc/gone"))
        #expect(tree(target + "/d") == ["new"])
    }
}
