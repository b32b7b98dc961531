/// An image index (OCI) or manifest list (Docker): one manifest per platform.
public struct ImageIndex: Codable, Sendable, Hashable {
    /// Always 2.
    public var schemaVersion: Int
    /// `MediaType.ociIndex` or `MediaType.dockerManifestList`.
    public var mediaType: String?
    /// The artifact type, for OCI artifacts.
    public var artifactType: String?
    /// The manifests, each usually with a platform.
    public var manifests: [Descriptor]
    /// The manifest this one refers to (referrers API).
    public var subject: Descriptor?
    /// Free-form metadata.
    public var annotations: [String: String]?

    /// Makes an index; `mediaType` defaults to OCI's.
    public init(mediaType: String? = MediaType.ociIndex, manifests: [Descriptor], annotations: [String: String]? = nil) {
        schemaVersion = 2
        self.mediaType = mediaType; self.manifests = manifests; self.annotations = annotations
    }

    /// The manifest best suited to `platform`, or nil when none runs there. Entries without a
    /// platform are skipped, and so are attestation manifests (BuildKit marks them with the
    /// platform `unknown/unknown`). Among equals the first in the list wins, as in Docker.
    public func manifest(for platform: Platform) -> Descriptor? {
        var best: (score: Int, descriptor: Descriptor)?
        for entry in manifests where MediaType.isManifest(entry.mediaType) || MediaType.isIndex(entry.mediaType) {
            guard let p = entry.platform, let score = platform.score(p) else { continue }
            if best == nil || score > best!.score { best = (score, entry) }
        }
        return best?.descriptor
    }
}
