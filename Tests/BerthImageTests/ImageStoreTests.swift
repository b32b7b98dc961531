import BerthImage
import BerthOCI
import BerthSystem
import Testing

@Suite struct ImageStoreTests {
    let tmp = TempDir()
    let a = Digest.sha256(of: Array("config a".utf8))
    let b = Digest.sha256(of: Array("config b".utf8))

    func ref(_ s: String) throws -> Reference { try Reference(parsing: s) }

    @Test func tagResolveUntagAndPersist() throws {
        do {
            let store = try ImageStores.local(root: tmp.path)
            try store.put(ImageRecord(id: a))
            try store.put(ImageRecord(id: b, manifest: Descriptor(mediaType: MediaType.ociManifest, digest: b, size: 1)))
            #expect(try store.tag(ref("ubuntu"), image: a) == nil)
            #expect(try store.tag(ref("localhost:5000/x:1"), image: a) == nil)
            #expect(try store.tag(ref("ubuntu:latest"), image: b) == a)      // retagging moves the name
            #expect(try store.tag(ref("ubuntu@sha256:" + b.encoded), image: b) == nil)
            #expect(try store.names(of: a).map(\.familiarString) == ["localhost:5000/x:1"])
            #expect(try store.names(of: b).map(\.description) == [
                "docker.io/library/ubuntu:latest", "docker.io/library/ubuntu@\(b)",
            ])
        }
        // A new store over the same directory sees the same state.
        let store = try ImageStores.local(root: tmp.path)
        #expect(try store.images().map(\.id) == [a, b].sorted())
        #expect(try store.resolve("ubuntu").id == b)
        #expect(try store.resolve("docker.io/library/ubuntu:latest").id == b)
        #expect(try store.resolve("ubuntu@sha256:" + b.encoded).id == b)
        #expect(try store.resolve("localhost:5000/x:1").id == a)
        #expect(try store.resolve(a.encoded).id == a)
        #expect(try store.resolve(a.description).id == a)
        #expect(try store.resolve(String(a.encoded.prefix(12))).id == a)
        #expect(try store.resolve("sha256:" + String(b.encoded.prefix(5))).id == b)
        #expect(throws: ImageStoreError.notFound("nope")) { _ = try store.resolve("nope") }
        #expect(throws: ImageStoreError.notFound("ubuntu:old")) { _ = try store.resolve("ubuntu:old") }
        #expect(throws: ImageStoreError.self) { _ = try store.resolve("UPPER") }
        #expect(try store.untag(ref("ubuntu")) == b)
        #expect(try store.untag(ref("ubuntu")) == nil)
        #expect(throws: ImageStoreError.notFound("ubuntu")) { _ = try store.resolve("ubuntu") }
    }

    @Test func errorsUseDockerWords() {
        #expect(ImageStoreError.notFound("x:1").description == "No such image: x:1")
        let e = ImageStoreError.invalidReference(.remoteNameNotLowercase("library/UPPER"))
        #expect(e.description == "invalid reference format: repository name (library/UPPER) must be lowercase")
    }

    @Test func ambiguousPrefix() throws {
        let store = try ImageStores.local(root: tmp.path)
        // Two IDs sharing their first hex digit: find a pair.
        var ids: [Digest] = []
        var i = 0
        while ids.count < 2 {
            let d = Digest.sha256(of: Array("c\(i)".utf8))
            if d.encoded.hasPrefix("a") { ids.append(d) }
            i += 1
        }
        for id in ids { try store.put(ImageRecord(id: id)) }
        #expect(throws: ImageStoreError.ambiguous("a")) { _ = try store.resolve("a") }
    }

    @Test func deleteRemovesNamesAndTagNeedsImage() throws {
        let store = try ImageStores.local(root: tmp.path)
        #expect(throws: ImageStoreError.self) { try store.tag(ref("x"), image: a) }
        try store.put(ImageRecord(id: a))
        try store.tag(ref("x"), image: a)
        try store.tag(ref("y:2"), image: a)
        try store.delete(id: a)
        #expect(try store.names().isEmpty)
        #expect(try store.image(id: a) == nil)
        #expect(try Files.list(tmp.path + "/images/names").isEmpty)
        #expect(try Files.list(tmp.path + "/images/by-id").isEmpty)
    }
}
