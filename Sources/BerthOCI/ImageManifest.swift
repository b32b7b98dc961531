/// An image manifest: one platform's config and layers. The same JSON shape serves the
/// OCI image manifest and Docker's schema2 manifest; `mediaType` tells them apart.
public struct ImageManifest: Codable, Sendable, Hashable {
    /// Always 2.
    public var schemaVersion: Int
    /// `MediaType.ociManifest` or `MediaType.dockerManifest`; optional in OCI, required by Docker.
    public var mediaType: String?
    /// The artifact type, for OCI artifacts.
    public var artifactType: String?
    /// The image config blob.
    public var config: Descriptor
    /// The layers, base first.
    public var layers: [Descriptor]
    /// The manifest this one refers to (referrers API).
    public var subject: Descriptor?
    /// Free-form metadata.
    public var annotations: [String: String]?

    /// Makes a manifest; `mediaType` defaults to OCI's.
    public init(mediaType: String? = MediaType.ociManifest, config: Descriptor, layers: [Descriptor],
                annotations: [String: String]? = nil) {
        schemaVersion = 2
        self.mediaType = mediaType; self.config = config; self.layers = layers; self.annotations = annotations
    }
}

/// Just enough of any manifest-like JSON document to tell what it is.
public struct ManifestProbe: Decodable, Sendable {
    /// The declared schema version (1 for Docker's old signed manifests).
    public var schemaVersion: Int?
    /// The declared media type, if any.
    public var mediaType: String?
    /// Present in indexes.
    public var manifests: [Descriptor]?
    /// Present in image manifests.
    public var config: Descriptor?

    /// The media type, declared or inferred from the fields present (OCI allows omitting it).
    public var detectedMediaType: String? {
        if let mediaType { return mediaType }
        if manifests != nil { return MediaType.ociIndex }
        if config != nil { return MediaType.ociManifest }
        return nil
    }

    /// Reads `bytes`; throws if they are not JSON of an object.
    public init(_ bytes: [UInt8]) throws {
        self = try OCIJSON.decode(ManifestProbe.self, from: bytes)
    }
}
