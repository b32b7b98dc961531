import BerthImage
import BerthOCI
import BerthRegistry
import Foundation
import Testing

/// Pull and push against Debian's docker-registry, with skopeo as the independent side.
@Suite(.serialized, .needsRegistry)
struct RegistryPullPushTests {
    @Test(.needsSkopeo) func pullsWhatSkopeoPushed() async throws {
        let registry = try RegistryServer()
        defer { registry.stop() }
        let dir = TempDir()
        let amd = try ImageFixture(seed: "amd", architecture: "amd64", dir: dir)
        let arm = try ImageFixture(seed: "arm", architecture: "arm64", dir: dir)
        let indexDesc = try amd.writeLayout(dir.sub("layout"), tag: "v1", others: [arm], indexTag: "multi",
                                            platforms: [Platform(architecture: "amd64"), Platform(architecture: "arm64", variant: "v8")])
        // --preserve-digests: skopeo would otherwise gzip the plain layer on the way.
        try run(Tools.skopeo, ["--insecure-policy", "copy", "--preserve-digests", "--dest-tls-verify=false",
                               "oci:\(dir.sub("layout")):v1", "docker://\(registry.domain)/test/app:v1"])
        try run(Tools.skopeo, ["--insecure-policy", "copy", "--all", "--preserve-digests", "--dest-tls-verify=false",
                               "oci:\(dir.sub("layout")):multi", "docker://\(registry.domain)/test/app:multi"])

        try await withClient { client in
            let ref = try Reference.parseDocker("\(registry.domain)/test/app:v1")
            let repo = client.repository(ref)
            try await client.ping(repo.host)

            // HEAD resolves to the manifest skopeo pushed, unchanged.
            let resolved = try await repo.resolve("v1")
            #expect(resolved.digest == amd.manifest.digest)
            #expect(resolved.mediaType == MediaType.ociManifest)

            let store = try ContentStores.local(root: dir.sub("store"))
            let log = ProgressLog()
            let pulled = try await pullIntoStore(repo, "v1", store, progress: log.handler)
            #expect(pulled.index == nil)
            #expect(pulled.digest == amd.manifest.digest)
            #expect(pulled.image.layers.map(\.digest) == amd.layers.map(\.digest))
            for d in [amd.config, amd.manifest] + amd.layers {
                #expect(try store.read(d.digest) == amd.blobs[d.digest])
            }
            let layerID = ProgressEvent.shortID(amd.layers[0].digest)
            let statuses = log.all.filter { $0.id == layerID }.map(\.status)
            #expect(statuses.first == .downloading)
            #expect(Array(statuses.suffix(2)) == [.verifyingChecksum, .downloadComplete])
            #expect(log.all.last(where: { $0.id == layerID && $0.status == .downloading })?.current == amd.layers[0].size)

            // The index: each platform gets its own manifest; the digest is the index's.
            let armPull = try await pullIntoStore(repo, "multi", store, platform: Platform(architecture: "arm64"))
            #expect(armPull.index?.descriptor.digest == indexDesc?.digest)
            #expect(armPull.digest == indexDesc?.digest)
            #expect(armPull.manifest.descriptor.digest == arm.manifest.digest)
            #expect(try store.read(arm.layers[1].digest) == arm.blobs[arm.layers[1].digest])
            let amdPull = try await repo.pullManifest("multi", platform: Platform(architecture: "amd64"))
            #expect(amdPull.manifest.descriptor.digest == amd.manifest.digest)
            let none = await #expect(throws: RegistryError.self) {
                try await repo.pullManifest("multi", platform: Platform(architecture: "s390x"))
            }
            #expect(none?.description == "no matching manifest for linux/s390x in the manifest list entries")

            // By digest: verified; a missing tag is worded as docker pull words it.
            let byDigest = try await repo.fetchManifest(amd.manifest.digest.description)
            #expect(byDigest.bytes == amd.manifestBytes)
            let missing = await #expect(throws: RegistryError.self) { try await repo.pullManifest("nope") }
            #expect(missing?.kind == .notFound)
            #expect(missing?.description == "manifest for \(registry.domain)/test/app:nope not found: manifest unknown: manifest unknown")
            let missingHead = await #expect(throws: RegistryError.self) { try await repo.resolve("nope") }
            #expect(missingHead?.kind == .notFound)
        }
    }

    @Test(.needsSkopeo) func pushIsVerifiedBySkopeo() async throws {
        let registry = try RegistryServer()
        defer { registry.stop() }
        let dir = TempDir()
        let image = try ImageFixture(seed: "pushed", dir: dir)
        try await withClient { client in
            let repo = client.repository(try Reference.parseDocker("\(registry.domain)/pushed/app:1.0"))
            let log = ProgressLog()
            let (digest, outcomes) = try await pushFixture(repo, image, tag: "1.0", progress: log.handler)
            #expect(digest == image.manifest.digest)
            #expect(outcomes == [.uploaded, .uploaded, .uploaded])
            let layerID = ProgressEvent.shortID(image.layers[0].digest)
            #expect(log.all.filter { $0.id == layerID }.map(\.status).last == .pushed)
            #expect(log.all.contains { $0.id == layerID && $0.status == .pushing && $0.current == image.layers[0].size })

            let inspected = try skopeoInspect("\(registry.domain)/pushed/app:1.0")
            #expect(inspected.Digest == image.manifest.digest.description)
            #expect(inspected.Layers == image.layers.map(\.digest.description))
            #expect(Digest.sha256(of: try skopeoRawManifest("\(registry.domain)/pushed/app:1.0")) == image.manifest.digest)

            // Pushing again finds every blob there.
            let (_, again) = try await pushFixture(repo, image, tag: "1.0", progress: log.handler)
            #expect(again == [.alreadyExists, .alreadyExists, .alreadyExists])
            #expect(log.all.contains { $0.id == layerID && $0.status == .layerAlreadyExists })
        }
    }

    @Test func crossRepositoryMount() async throws {
        let registry = try RegistryServer()
        defer { registry.stop() }
        let dir = TempDir()
        let image = try ImageFixture(seed: "mount", dir: dir)
        try await withClient { client in
            let source = client.repository(try Reference.parseDocker("\(registry.domain)/team/base:1"))
            try await pushFixture(source, image, tag: "1")
            let target = client.repository(try Reference.parseDocker("\(registry.domain)/team/derived:1"))
            let log = ProgressLog()
            let (_, outcomes) = try await pushFixture(target, image, tag: "1", mountFrom: ["team/base"], progress: log.handler)
            #expect(outcomes == Array(repeating: .mounted(from: "team/base"), count: 3))
            #expect(log.all.contains { $0.statusText == "Mounted from team/base" })
            #expect(try await target.blobExists(image.layers[0].digest) == image.layers[0].size)

            // A mount from a repository without the blob opens an upload instead, which is used.
            let other = try ImageFixture(seed: "unmountable", dir: dir)
            let (_, fallback) = try await pushFixture(target, other, tag: "2", mountFrom: ["team/empty"])
            #expect(fallback == [.uploaded, .uploaded, .uploaded])
            let store = try ContentStores.local(root: dir.sub("store"))
            try await pullIntoStore(target, "2", store)
            #expect(try store.read(other.layers[0].digest) == other.blobs[other.layers[0].digest])
        }
    }

    @Test func chunkedUpload() async throws {
        let registry = try RegistryServer()
        defer { registry.stop() }
        let dir = TempDir()
        let image = try ImageFixture(seed: "chunked", dir: dir)
        try await withClient { client in
            let repo = client.repository(try Reference.parseDocker("\(registry.domain)/chunked:latest"))
            let layer = image.layers[1]
            #expect(layer.size > 4 * 8192)
            let session = try await repo.startUpload()
            let d = try await repo.upload(layer.digest, from: .bytes(image.blobs[layer.digest]!), session: session, chunkSize: 8192)
            #expect(d == layer.digest)
            #expect(try await repo.blobExists(layer.digest) == layer.size)
            // The whole image in chunks, from files, then read back.
            let path = dir.sub("layer0")
            try Data(image.blobs[image.layers[0].digest]!).write(to: URL(fileURLWithPath: path))
            try await repo.pushBlob(image.layers[0], from: .file(path), chunkSize: 5000)
            try await pushFixture(repo, image, tag: "latest", chunkSize: 3000)
            let store = try ContentStores.local(root: dir.sub("store"))
            try await pullIntoStore(repo, "latest", store)
            for l in image.layers { #expect(try store.read(l.digest) == image.blobs[l.digest]) }
        }
    }

    @Test func corruptedBlobIsRejected() async throws {
        let registry = try RegistryServer()
        defer { registry.stop() }
        let dir = TempDir()
        let image = try ImageFixture(seed: "corrupt", dir: dir)
        try await withClient { client in
            let repo = client.repository(try Reference.parseDocker("\(registry.domain)/corrupt:1"))
            try await pushFixture(repo, image, tag: "1")
            // Same size, other bytes, written behind the registry's back.
            let layer = image.layers[0]
            var bytes = image.blobs[layer.digest]!
            bytes[bytes.count / 2] ^= 0xff
            try Data(bytes).write(to: URL(fileURLWithPath: registry.blobDataPath(layer.digest.encoded)))

            let store = try ContentStores.local(root: dir.sub("store"))
            let e = await #expect(throws: RegistryError.self) { try await pullIntoStore(repo, "1", store) }
            #expect(e?.kind == .digestMismatch)
            #expect(e?.description.hasPrefix("filesystem layer verification failed for digest \(layer.digest)") == true)
            #expect(!store.contains(layer.digest))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.sub("store/content/ingest")).isEmpty)

            // A manifest whose bytes changed in storage (still valid JSON, which the registry
            // parses before serving): refused by digest and by tag.
            let manifest = [UInt8(ascii: "{"), UInt8(ascii: " ")] + image.manifestBytes.dropFirst()
            try Data(manifest).write(to: URL(fileURLWithPath: registry.blobDataPath(image.manifest.digest.encoded)))
            let byDigest = await #expect(throws: RegistryError.self) {
                try await repo.pullManifest(try Reference.parseDocker("\(registry.domain)/corrupt:1@\(image.manifest.digest)"))
            }
            #expect(byDigest?.description == "manifest verification failed for digest \(image.manifest.digest)")
            let byTag = await #expect(throws: RegistryError.self) { try await repo.fetchManifest("1") }
            #expect(byTag?.kind == .digestMismatch)
        }
    }

    @Test func searchFallsBackToCatalog() async throws {
        let registry = try RegistryServer()
        defer { registry.stop() }
        let dir = TempDir()
        let image = try ImageFixture(seed: "search", dir: dir)
        try await withClient { client in
            for name in ["tools/foo-cli", "tools/bar", "foo"] {
                try await pushFixture(client.repository(try Reference.parseDocker("\(registry.domain)/\(name):1")), image, tag: "1")
            }
            let rows = try await client.search("\(registry.domain)/foo")
            #expect(rows.map(\.name).sorted() == ["\(registry.domain)/foo", "\(registry.domain)/tools/foo-cli"])
            #expect(rows.allSatisfy { $0.starCount == 0 && !$0.isOfficial && !$0.isAutomated && $0.description.isEmpty })
            #expect(try await client.catalog(client.host(for: registry.domain)).sorted() == ["foo", "tools/bar", "tools/foo-cli"])
        }
    }
}
