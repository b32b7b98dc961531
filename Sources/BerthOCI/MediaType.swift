/// Media types of the OCI image spec and of Docker's schema2 formats.
///
/// Docker and OCI name the same things differently; code that must accept both asks the
/// `is…` helpers rather than comparing strings.
public enum MediaType {
    /// `application/vnd.oci.image.manifest.v1+json`
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// `application/vnd.oci.image.index.v1+json`
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// `application/vnd.oci.image.config.v1+json`
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    /// `application/vnd.oci.image.layer.v1.tar`
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    /// `application/vnd.oci.image.layer.v1.tar+gzip`
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// `application/vnd.oci.image.layer.v1.tar+zstd`
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    /// `application/vnd.oci.image.layer.nondistributable.v1.tar+gzip` (deprecated, still seen).
    public static let ociLayerNondistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    /// `application/vnd.oci.empty.v1+json`: the `{}` blob of artifacts.
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"
    /// `application/vnd.oci.image.layout.header.v1+json` is not a registered type; the
    /// `oci-layout` file has no media type. Kept here for the layout version string.
    public static let ociLayoutVersion = "1.0.0"

    /// `application/vnd.docker.distribution.manifest.v2+json`
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// `application/vnd.docker.distribution.manifest.list.v2+json`
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// `application/vnd.docker.container.image.v1+json`
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    /// `application/vnd.docker.image.rootfs.diff.tar.gzip`
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// `application/vnd.docker.image.rootfs.foreign.diff.tar.gzip`
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    /// `application/vnd.docker.distribution.manifest.v1+prettyjws`: schema1, refused.
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    /// True for a single-platform image manifest, OCI or Docker.
    public static func isManifest(_ type: String?) -> Bool {
        type == ociManifest || type == dockerManifest
    }

    /// True for a multi-platform index, OCI or Docker.
    public static func isIndex(_ type: String?) -> Bool {
        type == ociIndex || type == dockerManifestList
    }

    /// True for an image config blob, OCI or Docker.
    public static func isConfig(_ type: String?) -> Bool {
        type == ociConfig || type == dockerConfig
    }

    /// True for any layer type Berth can unpack (tar, gzip, zstd; OCI or Docker).
    public static func isLayer(_ type: String?) -> Bool {
        guard let type else { return false }
        return type.hasPrefix("application/vnd.oci.image.layer.")
            || type == dockerLayerGzip || type == dockerForeignLayerGzip
    }

    /// The Docker media type matching an OCI one, for writing Docker-format output.
    public static func docker(for type: String) -> String {
        switch type {
        case ociManifest: dockerManifest
        case ociIndex: dockerManifestList
        case ociConfig: dockerConfig
        case ociLayerGzip: dockerLayerGzip
        default: type
        }
    }
}
