import BerthOCI
import BerthSystem

extension ImageArchive {
    /// Turns an archive's `index.json` and/or `manifest.json` into image records and names.
    /// `index.json` wins when present (current Docker writes both); `manifest.json`'s
    /// `RepoTags` still add names to the images it describes.
    static func register(meta: [String: [UInt8]], source: String, resolvePath: (String) -> Digest?,
                         fetch: (Digest) throws -> Void, content: any ContentStore, images: any ImageStore,
                         platform: Platform) throws -> [LoadedImage] {
        let dockerEntries = try meta["manifest.json"].map { try OCIJSON.decode([DockerManifestEntry].self, from: $0) }
        var found: [(record: ImageRecord, names: [Reference])] = []

        if let indexBytes = meta["index.json"], let index = try? OCIJSON.decode(ImageIndex.self, from: indexBytes),
           !index.manifests.isEmpty {
            for desc in index.manifests {
                let record = try resolveImage(desc, parentIndex: nil, fetch: fetch, content: content, platform: platform)
                found.append((record, names(from: desc.annotations)))
            }
            for entry in dockerEntries ?? [] {
                guard let config = resolvePath(entry.config) else { continue }
                for i in found.indices where found[i].record.id == config {
                    found[i].names += (entry.repoTags ?? []).compactMap { try? Reference.parseDocker($0) }
                }
            }
        } else if let entries = dockerEntries {
            for entry in entries {
                let record = try synthesize(entry, resolvePath: resolvePath, fetch: fetch, content: content)
                found.append((record, (entry.repoTags ?? []).compactMap { try? Reference.parseDocker($0) }))
            }
        } else {
            throw ArchiveError.notAnImageArchive(source)
        }

        var loaded: [LoadedImage] = []
        for (record, names) in found {
            var record = record
            record.recorded = WallClock.rfc3339Nano()
            try images.put(record)
            var unique: [Reference] = []
            for n in names where !unique.contains(n) { unique.append(n) }
            for n in unique { try images.tag(n, image: record.id) }
            if let i = loaded.firstIndex(where: { $0.id == record.id }) {
                loaded[i].names += unique.filter { !loaded[i].names.contains($0) }
            } else {
                loaded.append(LoadedImage(id: record.id, names: unique))
            }
        }
        return loaded
    }

    /// Names from an index entry: `io.containerd.image.name`, else a full reference in
    /// `org.opencontainers.image.ref.name` (a bare tag there names no repository).
    static func names(from annotations: [String: String]?) -> [Reference] {
        if let full = annotations?[Annotation.containerdImageName], let ref = try? Reference.parseDocker(full) {
            return [ref]
        }
        if let name = annotations?[Annotation.refName], name.contains(":" as Character) || name.contains("/" as Character),
           let ref = try? Reference.parseDocker(name) {
            return [ref]
        }
        return []
    }

    /// Follows an index to this platform's manifest and fetches the manifest's blobs.
    static func resolveImage(_ desc: Descriptor, parentIndex: Descriptor?, fetch: (Digest) throws -> Void,
                             content: any ContentStore, platform: Platform) throws -> ImageRecord {
        try fetch(desc.digest)
        let bytes = try content.read(desc.digest)
        let type = try ManifestProbe(bytes).detectedMediaType ?? desc.mediaType
        if MediaType.isIndex(type) {
            let index = try OCIJSON.decode(ImageIndex.self, from: bytes)
            guard let chosen = index.manifest(for: platform) else { throw ArchiveError.noMatchingManifest(platform) }
            return try resolveImage(chosen, parentIndex: parentIndex ?? desc, fetch: fetch, content: content, platform: platform)
        }
        guard MediaType.isManifest(type) else { throw ArchiveError.unsupportedManifest(type) }
        let manifest = try OCIJSON.decode(ImageManifest.self, from: bytes)
        try fetch(manifest.config.digest)
        for layer in manifest.layers { try fetch(layer.digest) }
        var plain = desc
        plain.mediaType = type
        plain.annotations = nil
        plain.platform = nil
        return ImageRecord(id: manifest.config.digest, manifest: plain, index: parentIndex)
    }

    /// Writes an OCI manifest for a `manifest.json` entry of the pre-OCI save format.
    static func synthesize(_ entry: DockerManifestEntry, resolvePath: (String) -> Digest?, fetch: (Digest) throws -> Void,
                           content: any ContentStore) throws -> ImageRecord {
        func descriptor(_ path: String, type: (Digest) throws -> String) throws -> Descriptor {
            guard let d = resolvePath(path) else { throw ArchiveError.missingBlob(path) }
            try fetch(d)
            guard let info = try content.info(d) else { throw ArchiveError.missingBlob(path) }
            return Descriptor(mediaType: try type(d), digest: d, size: info.size)
        }
        let config = try descriptor(entry.config) { _ in MediaType.ociConfig }
        let layers = try entry.layers.map { path in
            try descriptor(path) { d in layerMediaType(try magic(d, content: content)) }
        }
        let manifest = ImageManifest(config: config, layers: layers)
        let bytes = try OCIJSON.encode(manifest)
        let info = try content.write(bytes)
        return ImageRecord(id: config.digest, manifest: Descriptor(mediaType: MediaType.ociManifest, digest: info.digest, size: info.size))
    }

    /// The first bytes of a blob.
    static func magic(_ d: Digest, content: any ContentStore) throws -> [UInt8] {
        var head: [UInt8] = []
        struct Enough: Error {}
        do {
            try content.read(d) { chunk in
                head.append(contentsOf: chunk.prefix(4 - head.count))
                if head.count >= 4 { throw Enough() }
            }
        } catch is Enough {}
        return head
    }

    /// The OCI layer media type matching a blob's magic number.
    static func layerMediaType(_ head: [UInt8]) -> String {
        if head.starts(with: [0x1f, 0x8b]) { return MediaType.ociLayerGzip }
        if head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return MediaType.ociLayerZstd }
        return MediaType.ociLayer
    }
}
