#if canImport(Glibc)
import Glibc
#endif
@testable import BerthImage
import BerthOCI
import BerthSystem
import Testing

/// `docker load` of hostile or broken archives: refused with the entry named, nothing left.
@Suite struct ImageArchiveLoadSafetyTests {
    let tmp = TempDir()

    @Test func entryCheckRefusesEscapes() throws {
        #expect(try ArchiveEntryCheck.check(path: "./blobs//sha256/x") == ["blobs", "sha256", "x"])
        #expect(try ArchiveEntryCheck.check(path: "bbb/layer.tar", symlink: "../aaa/layer.tar") == ["bbb", "layer.tar"])
        #expect(try ArchiveEntryCheck.check(path: "a/../b") == ["b"])
        let refused: [(String, String?, String?, String)] = [
            ("../x", nil, nil, "invalid archive entry `../x`: path escapes the archive"),
            ("/etc/x", nil, nil, "invalid archive entry `/etc/x`: absolute path"),
            ("a/b", "../../x", nil, "invalid archive entry `a/b`: symlink `../../x` escapes the archive"),
            ("a", "/etc/passwd", nil, "invalid archive entry `a`: symlink to absolute path `/etc/passwd`"),
            ("a", nil, "../../x", "invalid archive entry `a`: hardlink `../../x` escapes the archive"),
        ]
        for (path, symlink, hardlink, text) in refused {
            #expect(throws: ArchiveEntryCheck.UnsafeEntry.self) { try ArchiveEntryCheck.check(path: path, symlink: symlink, hardlink: hardlink) }
            do { try ArchiveEntryCheck.check(path: path, symlink: symlink, hardlink: hardlink) } catch { #expect(error.description == text) }
        }
    }

    @Test func hostileArchiveLeavesNoBlobOrImage() throws {
        let content = try ContentStores.local(root: tmp.sub("s"))
        let images = try ImageStores.local(root: tmp.sub("s"))
        let kept = try content.write(Array("already here".utf8))
        let goodBlob = Array("a blob before the bad entry".utf8)
        let archive = try makeTar(tmp.sub("evil.tar")) { w in
            try w.file("blobs/sha256/" + Digest.sha256(of: goodBlob).encoded, String(decoding: goodBlob, as: UTF8.self))
            try w.file("blobs/sha256/" + kept.digest.encoded, "already here")
            try w.file("../escape", "x")
            try w.file("index.json", #"{"schemaVersion":2,"manifests":[]}"#)
        }
        #expect(throws: ArchiveEntryCheck.UnsafeEntry.self) {
            _ = try ImageArchive.loadOrNothing(archive: archive, content: content, images: images)
        }
        #expect(try content.list().map(\.digest) == [kept.digest])   // what was there before stays
        #expect(try images.images().isEmpty)
        #expect(!Files.exists(tmp.sub("escape")))
    }

    @Test func missingBlobLeavesNothingBehind() throws {
        let content = try ContentStores.local(root: tmp.sub("s"))
        let images = try ImageStores.local(root: tmp.sub("s"))
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let manifest = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: Digest.sha256(of: config), size: Int64(config.count)),
                                     layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: Digest.sha256(of: [9]), size: 1)])
        let manifestBytes = try OCIJSON.encode(manifest)
        let index = ImageIndex(manifests: [Descriptor(mediaType: MediaType.ociManifest, digest: Digest.sha256(of: manifestBytes), size: Int64(manifestBytes.count))])
        let archive = try makeTar(tmp.sub("partial.tar")) { w in
            try w.appendFile("blobs/sha256/" + Digest.sha256(of: config).encoded, config)
            try w.appendFile("blobs/sha256/" + Digest.sha256(of: manifestBytes).encoded, manifestBytes)
            try w.appendFile("index.json", try OCIJSON.encode(index))
        }
        #expect(throws: ImageArchive.ArchiveError.self) {
            _ = try ImageArchive.loadOrNothing(archive: archive, content: content, images: images)
        }
        #expect(try content.list().isEmpty)
        #expect(try images.images().isEmpty)
    }
}
