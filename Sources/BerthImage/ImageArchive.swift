#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem

/// Image archives: `docker save`/`load` tars (which current Docker writes as an OCI layout
/// plus the legacy `manifest.json` and `repositories`), OCI image layout directories and
/// OCI archive tars, and `docker import` of a root file system tar.
///
/// Loading only fills the content and image stores; layers are unpacked into snapshots
/// later, when a container needs them (`SnapshotStore.unpackLayers`).
public enum ImageArchive {
    /// One image to save.
    public struct SaveItem: Sendable {
        /// The image ID (config digest).
        public var id: Digest
        /// Its manifest descriptor (`ImageRecord.manifest`).
        public var manifest: Descriptor
        /// The names to save it under; tagged ones go to `RepoTags`, as `docker save` does.
        public var names: [Reference]
        /// Makes an item.
        public init(id: Digest, manifest: Descriptor, names: [Reference]) {
            self.id = id; self.manifest = manifest; self.names = names
        }
    }

    /// An image that a load recorded.
    public struct LoadedImage: Sendable, Equatable {
        /// The image ID.
        public var id: Digest
        /// The names it was tagged with (none for an untagged image: Docker prints
        /// `Loaded image ID: sha256:…` then).
        public var names: [Reference]
    }

    /// The `manifest.json` of `docker save`: one entry per image.
    public struct DockerManifestEntry: Codable, Sendable, Equatable {
        /// Path of the config in the archive: `blobs/sha256/<hex>` (or `<hex>.json` in old archives).
        public var config: String
        /// Familiar tagged names: `ubuntu:latest`.
        public var repoTags: [String]?
        /// Paths of the layers, base first.
        public var layers: [String]

        enum CodingKeys: String, CodingKey {
            case config = "Config", repoTags = "RepoTags", layers = "Layers"
        }

        /// Makes an entry.
        public init(config: String, repoTags: [String]?, layers: [String]) {
            self.config = config; self.repoTags = repoTags; self.layers = layers
        }
    }

    /// The `oci-layout` file's content.
    struct LayoutFile: Codable {
        var imageLayoutVersion: String
    }

    /// Archive failures that are not a system call or libarchive error.
    public enum ArchiveError: Error, CustomStringConvertible, Equatable, Sendable {
        /// Neither `index.json` nor `manifest.json`.
        case notAnImageArchive(String)
        /// A blob named by a manifest is not in the archive.
        case missingBlob(String)
        /// An index with no manifest for this platform (Docker's words).
        case noMatchingManifest(Platform)
        /// A manifest that is neither an image manifest nor an index.
        case unsupportedManifest(String)
        /// An image saved without a manifest.
        case noManifest(Digest)

        public var description: String {
            switch self {
            case .notAnImageArchive(let p): "\(p): not an image archive: no index.json or manifest.json"
            case .missingBlob(let b): "blob \(b) is missing from the archive"
            case .noMatchingManifest(let p): "no matching manifest for \(p) in the manifest list entries"
            case .unsupportedManifest(let t): "unsupported manifest media type \(t)"
            case .noManifest(let id): "image \(id) has no manifest"
            }
        }
    }

    /// `blobs/sha256/<hex>` → the digest; nil for other paths.
    static func blobDigest(_ path: String) -> Digest? {
        guard let rel = ConfinedRoot.components(path), rel.count == 3, rel[0] == "blobs" else { return nil }
        return try? Digest(parsing: rel[1] + ":" + rel[2])
    }

    static func blobPath(_ d: Digest) -> String { "blobs/\(d.algorithm)/\(d.encoded)" }
}

extension ImageArchive {
    /// Writes `images` as `docker save` does: the blobs of each image under `blobs/sha256/`,
    /// an OCI `index.json` (one entry per name, annotated with `io.containerd.image.name` and
    /// `org.opencontainers.image.ref.name`), `oci-layout`, and the legacy `manifest.json`
    /// and `repositories`. Layers are saved as stored (compressed); `docker load` accepts that.
    public static func save(_ images: [SaveItem], content: any ContentStore,
                            sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        let tar = try TarWriter(compression: .none, sink: sink)
        var written = Set<Digest>()
        var index = ImageIndex(manifests: [])
        var dockerManifest: [DockerManifestEntry] = []
        var repositories: [String: [String: String]] = [:]

        func blob(_ d: Digest) throws {
            guard written.insert(d).inserted else { return }
            guard let info = try content.info(d) else { throw ArchiveError.missingBlob(d.description) }
            try tar.append(TarHeader(path: blobPath(d), size: info.size))
            try content.read(d) { try tar.writeData($0) }
        }

        try tar.append(TarHeader(path: "blobs/", type: S_IFDIR, perm: 0o755))
        try tar.append(TarHeader(path: "blobs/sha256/", type: S_IFDIR, perm: 0o755))
        for image in images {
            let manifest = try OCIJSON.decode(ImageManifest.self, from: try content.read(image.manifest.digest))
            try blob(manifest.config.digest)
            for layer in manifest.layers { try blob(layer.digest) }
            try blob(image.manifest.digest)

            let tagged = image.names.filter { $0.tag != nil }
            var plain = image.manifest
            plain.platform = nil
            if image.names.isEmpty { index.manifests.append(plain) }
            for name in image.names {
                var d = plain
                d.annotations = [Annotation.containerdImageName: name.description]
                if let tag = name.tag { d.annotations?[Annotation.refName] = tag }
                index.manifests.append(d)
            }
            dockerManifest.append(DockerManifestEntry(
                config: blobPath(manifest.config.digest),
                repoTags: tagged.isEmpty ? nil : tagged.map(\.familiarString),
                layers: manifest.layers.map { blobPath($0.digest) }))
            for name in tagged {
                repositories[name.familiarName, default: [:]][name.tag!] = manifest.layers.last?.digest.encoded ?? image.id.encoded
            }
        }
        func small(_ path: String, _ bytes: [UInt8]) throws { try tar.appendFile(path, bytes) }
        try small("index.json", try OCIJSON.encode(index))
        try small("manifest.json", try OCIJSON.encode(dockerManifest))
        try small("oci-layout", try OCIJSON.encode(LayoutFile(imageLayoutVersion: MediaType.ociLayoutVersion)))
        if !repositories.isEmpty { try small("repositories", try OCIJSON.encode(repositories)) }
        try tar.finish()
    }

    /// `save` into a new file at `path`.
    public static func save(_ images: [SaveItem], content: any ContentStore, toFile path: String) throws {
        let fd = try FD.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        let file = FileSink(fd: fd, path: path)
        try save(images, content: content) { try file.write($0) }
        try file.sync()
    }
}
