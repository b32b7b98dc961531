#if canImport(Glibc)
import Glibc
#endif
@testable import BerthImage
import BerthOCI
import BerthSystem
import Testing

@Suite struct ImageArchiveTests {
    let tmp = TempDir()

    struct Stores {
        let content: any ContentStore
        let images: any ImageStore
        init(_ root: String) throws {
            content = try ContentStores.local(root: root)
            images = try ImageStores.local(root: root)
        }
    }

    /// A one-layer image made the way a commit would: diff a directory, write config and manifest.
    func makeImage(_ s: Stores, text: String, platform: Platform = .current) throws -> (ImageRecord, Descriptor) {
        let src = tmp.sub("src-\(text)")
        try Files.mkdirAll(src + "/etc")
        try Files.write(src + "/etc/message", text)
        let (layer, diffID) = try LayerArchive.diff(directory: src, into: s.content, overlayWhiteouts: false)
        let config = ImageConfig(platform: platform, config: .init(cmd: ["sh"]), diffIDs: [diffID])
        let cfg = try s.content.write(try OCIJSON.encode(config))
        let manifest = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: cfg.digest, size: cfg.size),
                                     layers: [layer])
        let m = try s.content.write(try OCIJSON.encode(manifest))
        let desc = Descriptor(mediaType: MediaType.ociManifest, digest: m.digest, size: m.size)
        let record = ImageRecord(id: cfg.digest, manifest: desc)
        try s.images.put(record)
        return (record, layer)
    }

    @Test func saveThenLoadRoundTrips() throws {
        let a = try Stores(tmp.sub("a"))
        let (img, layer) = try makeImage(a, text: "one")
        let names = [try Reference.parseDocker("busybox:1"), try Reference.parseDocker("localhost:5000/x/y:2")]
        for n in names { try a.images.tag(n, image: img.id) }
        let (other, _) = try makeImage(a, text: "two")
        let archive = tmp.sub("save.tar")
        try ImageArchive.save([ImageArchive.SaveItem(id: img.id, manifest: img.manifest!, names: names),
                               ImageArchive.SaveItem(id: other.id, manifest: other.manifest!, names: [])],
                              content: a.content, toFile: archive)

        let listing = try entries(ofLayer: archive)
        for f in ["f index.json", "f manifest.json", "f oci-layout", "f repositories", "f blobs/sha256/" + layer.digest.encoded] {
            #expect(listing.contains(f))
        }
        let b = try Stores(tmp.sub("b"))
        let loaded = try ImageArchive.load(archive: archive, content: b.content, images: b.images)
        #expect(loaded.map(\.id) == [img.id, other.id])
        #expect(Set(loaded[0].names) == Set(names))
        #expect(loaded[1].names.isEmpty)
        #expect(try b.images.resolve("busybox:1").id == img.id)
        #expect(try b.images.resolve("localhost:5000/x/y:2").manifest == img.manifest)
        #expect(b.content.contains(layer.digest))
        #expect(try b.content.read(img.id) == (try a.content.read(img.id)))
    }

    @Test func savedManifestJSONMatchesDocker() throws {
        let a = try Stores(tmp.sub("a"))
        let (img, layer) = try makeImage(a, text: "one")
        let archive = tmp.sub("save.tar")
        try ImageArchive.save([.init(id: img.id, manifest: img.manifest!, names: [try Reference.parseDocker("busybox")])],
                              content: a.content, toFile: archive)
        let unpacked = tmp.sub("unpacked")
        try Files.mkdirAll(unpacked)
        _ = try LayerArchive.unpack(path: archive, into: unpacked, mode: .apply)
        #expect(try Files.readString(unpacked + "/manifest.json") ==
            #"[{"Config":"blobs/sha256/\#(img.id.encoded)","Layers":["blobs/sha256/\#(layer.digest.encoded)"],"RepoTags":["busybox:latest"]}]"#)
        #expect(try Files.readString(unpacked + "/oci-layout") == #"{"imageLayoutVersion":"1.0.0"}"#)
        #expect(try Files.readString(unpacked + "/repositories") == #"{"busybox":{"latest":"\#(layer.digest.encoded)"}}"#)
        let index = try OCIJSON.decode(ImageIndex.self, from: try Files.read(unpacked + "/index.json"))
        #expect(index.manifests.first?.annotations == [
            Annotation.containerdImageName: "docker.io/library/busybox:latest", Annotation.refName: "latest",
        ])
        // The unpacked save is an OCI image layout directory, which loads too.
        let c = try Stores(tmp.sub("c"))
        let loaded = try ImageArchive.load(layout: unpacked, content: c.content, images: c.images)
        #expect(loaded == [ImageArchive.LoadedImage(id: img.id, names: [try Reference.parseDocker("busybox")])])
    }

    @Test func loadsThePreOCIDockerFormat() throws {
        let layerTar = try makeTar(tmp.sub("layer.tar")) { try $0.file("hello", "world") }
        let layerBytes = try Files.read(layerTar)
        let diffID = Digest.sha256(of: layerBytes)
        let config = ImageConfig(platform: .current, diffIDs: [diffID, diffID])
        let configBytes = try OCIJSON.encode(config)
        let configName = Digest.sha256(of: configBytes).encoded + ".json"
        let manifest = #"[{"Config":"\#(configName)","RepoTags":["old:v1"],"Layers":["aaa/layer.tar","bbb/layer.tar"]}]"#
        let archive = try makeTar(tmp.sub("old.tar"), .gzip) { w in
            try w.appendFile(configName, configBytes)
            try w.dir("aaa/")
            try w.appendFile("aaa/layer.tar", layerBytes)
            try w.file("aaa/json", "{}")
            try w.file("aaa/VERSION", "1.0")
            try w.symlink("bbb/layer.tar", to: "../aaa/layer.tar")
            try w.file("manifest.json", manifest)
        }
        let s = try Stores(tmp.sub("s"))
        let loaded = try ImageArchive.load(archive: archive, content: s.content, images: s.images)
        #expect(loaded.count == 1)
        #expect(loaded[0].id == Digest.sha256(of: configBytes))
        #expect(loaded[0].names.map(\.familiarString) == ["old:v1"])
        let record = try s.images.resolve("old:v1")
        let m = try OCIJSON.decode(ImageManifest.self, from: try s.content.read(record.manifest!.digest))
        #expect(m.layers.map(\.digest) == [diffID, diffID])
        #expect(m.layers[0].mediaType == MediaType.ociLayer)
    }

    @Test func ociArchiveWithIndexPicksPlatform() throws {
        let a = try Stores(tmp.sub("a"))
        let (amd, _) = try makeImage(a, text: "amd", platform: Platform(architecture: "amd64"))
        let (arm, _) = try makeImage(a, text: "arm", platform: Platform(architecture: "arm64"))
        var amdDesc = amd.manifest!, armDesc = arm.manifest!
        amdDesc.platform = Platform(architecture: "amd64")
        armDesc.platform = Platform(architecture: "arm64", variant: "v8")
        let index = ImageIndex(manifests: [amdDesc, armDesc])
        let indexInfo = try a.content.write(try OCIJSON.encode(index))
        let top = Descriptor(mediaType: MediaType.ociIndex, digest: indexInfo.digest, size: indexInfo.size,
                             annotations: [Annotation.refName: "example.com/multi:3"])
        let archive = try makeTar(tmp.sub("oci.tar")) { w in
            try w.file("oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
            try w.appendFile("index.json", try OCIJSON.encode(ImageIndex(manifests: [top])))
            for d in try a.content.list() { try w.appendFile("blobs/sha256/" + d.digest.encoded, try a.content.read(d.digest)) }
        }
        for (platform, want) in [(Platform(architecture: "arm64"), arm.id), (Platform(architecture: "amd64"), amd.id)] {
            let s = try Stores(tmp.sub("s-\(platform.architecture)"))
            let loaded = try ImageArchive.load(archive: archive, content: s.content, images: s.images, platform: platform)
            #expect(loaded.map(\.id) == [want])
            #expect(loaded[0].names.map(\.description) == ["example.com/multi:3"])
            #expect(try s.images.image(id: want)?.index?.digest == indexInfo.digest)
        }
        let s = try Stores(tmp.sub("s390"))
        #expect(throws: ImageArchive.ArchiveError.noMatchingManifest(Platform(architecture: "s390x"))) {
            _ = try ImageArchive.load(archive: archive, content: s.content, images: s.images, platform: Platform(architecture: "s390x"))
        }
    }

    @Test func tamperedBlobIsRefused() throws {
        let archive = try makeTar(tmp.sub("bad.tar")) { w in
            try w.file("blobs/sha256/" + Digest.sha256(of: [1]).encoded, "not that content")
            try w.file("index.json", #"{"schemaVersion":2,"manifests":[]}"#)
        }
        let s = try Stores(tmp.sub("s"))
        #expect(throws: ContentError.self) { _ = try ImageArchive.load(archive: archive, content: s.content, images: s.images) }
        let empty = try makeTar(tmp.sub("empty.tar")) { try $0.file("readme", "x") }
        #expect(throws: ImageArchive.ArchiveError.self) { _ = try ImageArchive.load(archive: empty, content: s.content, images: s.images) }
    }

    @Test func importMakesAOneLayerImage() throws {
        let plain = try makeTar(tmp.sub("rootfs.tar")) { w in try w.file("bin/sh", "#!"); try w.dir("tmp/", perm: 0o1777) }
        let gz = try makeTar(tmp.sub("rootfs.tgz"), .gzip) { w in try w.file("bin/sh", "#!"); try w.dir("tmp/", perm: 0o1777) }
        let s = try Stores(tmp.sub("s"))
        let options = ImageArchive.ImportOptions(config: .init(env: ["PATH=/bin"], cmd: ["/bin/sh"]),
                                                 platform: Platform(architecture: "arm64"), message: "hello",
                                                 reference: try Reference(parsing: "imported"))
        let img = try ImageArchive.importRootfs(path: gz, content: s.content, images: s.images, options: options)
        #expect(img.names.map(\.description) == ["docker.io/library/imported:latest"])
        let config = try OCIJSON.decode(ImageConfig.self, from: try s.content.read(img.id))
        #expect(config.rootfs.diffIDs == [try sha256(ofFile: plain)])
        #expect(config.config?.cmd == ["/bin/sh"])
        #expect(config.architecture == "arm64")
        #expect(config.comment == "hello")
        #expect(config.history?.first?.comment == "Imported from -")
        #expect(config.created?.hasSuffix("Z") == true)
        let m = try OCIJSON.decode(ImageManifest.self, from: try s.content.read(try s.images.resolve("imported").manifest!.digest))
        let dst = tmp.sub("dst")
        try Files.mkdirAll(dst)
        #expect(try LayerArchive.unpack(path: s.content.path(of: m.layers[0].digest), into: dst).diffID == config.rootfs.diffIDs[0])
        #expect(try Files.readString(dst + "/bin/sh") == "#!")

        try Files.write(tmp.sub("junk"), "this is not a tar at all, just some words")
        #expect(throws: LayerError.self) { _ = try ImageArchive.importRootfs(path: tmp.sub("junk"), content: s.content, images: s.images) }
    }
}

@Suite struct ImageGarbageTests {
    let tmp = TempDir()

    @Test func garbageCollectionKeepsWhatImagesNeed() throws {
        let content = try ContentStores.local(root: tmp.path)
        let images = try ImageStores.local(root: tmp.path)
        let rootfs = try makeTar(tmp.sub("rootfs.tar")) { try $0.file("a", "a") }
        let img = try ImageArchive.importRootfs(path: rootfs, content: content, images: images)
        let junk = try content.write(Array("unreferenced".utf8))
        let keep = try images.referencedBlobs(in: content)
        #expect(keep.count == 3)                            // manifest, config, layer
        let report = try content.garbageCollect(keeping: keep)
        #expect(report.removed == [junk.digest])
        let record = try images.image(id: img.id)!
        #expect(try record.chainIDs(in: content) == (try record.config(in: content).rootfs.diffIDs))
    }
}
