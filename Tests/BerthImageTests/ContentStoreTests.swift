import BerthImage
import BerthOCI
import BerthSystem
import Testing

@Suite struct ContentStoreTests {
    let dir = TempDir()

    @Test func writeReadListDelete() throws {
        let store = try ContentStores.local(root: dir.path)
        let info = try store.write(Array("hello".utf8))
        #expect(info.digest.description == "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(info.size == 5)
        #expect(Files.exists(dir.path + "/content/blobs/sha256/" + info.digest.encoded))
        #expect(try store.read(info.digest) == Array("hello".utf8))
        #expect(try store.info(info.digest)?.size == 5)
        #expect(try store.list() == [info])
        var streamed: [UInt8] = []
        try store.read(info.digest) { streamed.append(contentsOf: $0) }
        #expect(streamed == Array("hello".utf8))
        try store.delete(info.digest)
        #expect(try store.info(info.digest) == nil)
        #expect(throws: ContentError.notFound(info.digest)) { _ = try store.read(info.digest) }
    }

    @Test func streamingIngestCommitsOnMatch() throws {
        let store = try ContentStores.local(root: dir.path)
        let body = (0..<300_000).map { UInt8($0 % 251) }
        let expected = Digest.sha256(of: body)
        let w = try store.writer(expecting: expected, size: Int64(body.count))
        for start in stride(from: 0, to: body.count, by: 4096) {
            try w.write(Array(body[start..<min(start + 4096, body.count)]))
        }
        #expect(w.written == Int64(body.count))
        let info = try w.commit()
        #expect(info.digest == expected)
        #expect(try store.read(expected) == body)
        #expect(try Files.list(dir.path + "/content/ingest").isEmpty)
    }

    @Test func mismatchRemovesTempAndNamesBothDigests() throws {
        let store = try ContentStores.local(root: dir.path)
        let wrong = Digest.sha256(of: Array("other".utf8))
        let actual = Digest.sha256(of: Array("hello".utf8))
        let w = try store.writer(expecting: wrong, size: nil)
        try w.write(Array("hello".utf8))
        #expect {
            try w.commit()
        } throws: { error in
            let text = "\(error)"
            return text.contains(wrong.description) && text.contains(actual.description)
        }
        #expect(try Files.list(dir.path + "/content/ingest").isEmpty)
        #expect(try store.info(actual) == nil)
        #expect(try store.info(wrong) == nil)
    }

    @Test func sizeMismatchIsRefused() throws {
        let store = try ContentStores.local(root: dir.path)
        let w = try store.writer(expecting: nil, size: 3)
        try w.write(Array("hello".utf8))
        #expect(throws: ContentError.self) { try w.commit() }
        #expect(try store.list().isEmpty)
    }

    @Test func abandonedWriterCleansUp() throws {
        let store = try ContentStores.local(root: dir.path)
        do {
            let w = try store.writer()
            try w.write(Array("partial".utf8))
        }
        #expect(try Files.list(dir.path + "/content/ingest").isEmpty)
    }

    @Test func garbageCollectKeepsReferencedAndRunning() throws {
        let store = try ContentStores.local(root: dir.path)
        let keep = try store.write(Array("keep".utf8))
        let drop = try store.write(Array("drop!".utf8))
        try Files.write(dir.path + "/content/ingest/stale-1", "left by a crash")
        let running = try store.writer()
        try running.write(Array("in flight".utf8))
        let report = try store.garbageCollect(keeping: [keep.digest])
        #expect(report.removed == [drop.digest])
        #expect(report.staleIngests == 1)
        #expect(report.reclaimedBytes == 5 + 15)
        #expect(store.contains(keep.digest))
        #expect(!store.contains(drop.digest))
        let committed = try running.commit()
        #expect(try store.read(committed.digest) == Array("in flight".utf8))
    }

    @Test func rejectsUnsupportedAlgorithm() throws {
        let store = try ContentStores.local(root: dir.path)
        let sha512 = try Digest(parsing: "sha512:" + String(repeating: "a", count: 128))
        #expect(throws: ContentError.unsupportedAlgorithm("sha512")) { _ = try store.writer(expecting: sha512, size: nil) }
    }
}
