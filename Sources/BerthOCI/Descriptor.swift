/// A content descriptor: what a manifest, index or layout uses to point at a blob.
/// Field names follow the OCI image spec (`descriptor.md`).
public struct Descriptor: Codable, Sendable, Hashable {
    /// The blob's media type.
    public var mediaType: String
    /// The blob's digest.
    public var digest: Digest
    /// The blob's size in bytes.
    public var size: Int64
    /// Other places the blob may be fetched from.
    public var urls: [String]?
    /// Free-form metadata, e.g. `org.opencontainers.image.ref.name` in an image layout.
    public var annotations: [String: String]?
    /// The embedded content, base64; optional and rarely used.
    public var data: String?
    /// The platform an index entry is for.
    public var platform: Platform?
    /// The artifact type of an artifact manifest.
    public var artifactType: String?

    /// Makes a descriptor.
    public init(mediaType: String, digest: Digest, size: Int64, urls: [String]? = nil,
                annotations: [String: String]? = nil, platform: Platform? = nil, artifactType: String? = nil) {
        self.mediaType = mediaType; self.digest = digest; self.size = size; self.urls = urls
        self.annotations = annotations; self.platform = platform; self.artifactType = artifactType
    }
}

/// Well-known annotation keys.
public enum Annotation {
    /// `org.opencontainers.image.ref.name`: the tag of a manifest in an image layout's index.
    public static let refName = "org.opencontainers.image.ref.name"
    /// `io.containerd.image.name`: the full reference name, as containerd and Docker write it.
    public static let containerdImageName = "io.containerd.image.name"
    /// `org.opencontainers.image.created`
    public static let created = "org.opencontainers.image.created"
}
