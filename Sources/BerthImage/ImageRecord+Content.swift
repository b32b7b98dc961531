import BerthOCI

extension ImageRecord {
    /// The image's config, read from the content store.
    public func config(in content: any ContentStore) throws -> ImageConfig {
        try OCIJSON.decode(ImageConfig.self, from: try content.read(id))
    }

    /// The layers' chain IDs (the snapshots the image needs), base first.
    public func chainIDs(in content: any ContentStore) throws -> [Digest] {
        Digest.chainIDs(try config(in: content).rootfs.diffIDs)
    }

    /// Every blob of this image that is in the content store: its index and the index's
    /// other manifests when present, its manifest, config and layers. For garbage collection:
    /// `content.garbageCollect(keeping:)` with the union over all images.
    public func blobs(in content: any ContentStore) throws -> Set<Digest> {
        var out: Set<Digest> = [id]
        for root in [index, manifest].compactMap({ $0 }) { try Self.walk(root.digest, content: content, into: &out) }
        return out
    }

    static func walk(_ digest: Digest, content: any ContentStore, into out: inout Set<Digest>) throws {
        guard content.contains(digest), out.insert(digest).inserted else { return }
        let bytes = try content.read(digest)
        guard let probe = try? ManifestProbe(bytes) else { return }
        for d in probe.manifests ?? [] { try walk(d.digest, content: content, into: &out) }
        if MediaType.isManifest(probe.detectedMediaType), let m = try? OCIJSON.decode(ImageManifest.self, from: bytes) {
            out.insert(m.config.digest)
            for l in m.layers where content.contains(l.digest) { out.insert(l.digest) }
        }
    }
}

extension ImageStore {
    /// The blobs every recorded image needs, for `ContentStore.garbageCollect(keeping:)`.
    public func referencedBlobs(in content: any ContentStore) throws -> Set<Digest> {
        try images().reduce(into: Set<Digest>()) { $0.formUnion(try $1.blobs(in: content)) }
    }
}
