import BerthOCI

/// Images and their names, as Docker keeps them: an image's ID is the digest of its config
/// blob, and names (normalised references, tagged like `docker.io/library/ubuntu:latest` or
/// digested like `docker.io/library/ubuntu@sha256:…`) point at IDs. The blobs themselves are
/// in the `ContentStore`.
///
/// Every change is one JSON file written atomically (temp file, fsync, rename, fsync dir),
/// so after a crash each record and each name is either the old or the new one.
public protocol ImageStore: Sendable {
    /// Records an image, replacing the record with the same ID.
    func put(_ image: ImageRecord) throws
    /// The image with this ID, or nil.
    func image(id: Digest) throws -> ImageRecord?
    /// Every image, sorted by ID.
    func images() throws -> [ImageRecord]
    /// Points `reference` at the image `id` (which must exist); returns the ID it pointed at
    /// before, if another. A reference with neither tag nor digest gets `:latest`.
    @discardableResult
    func tag(_ reference: Reference, image id: Digest) throws -> Digest?
    /// Removes a name; returns the ID it pointed at, or nil if it was not there.
    @discardableResult
    func untag(_ reference: Reference) throws -> Digest?
    /// Every name, sorted.
    func names() throws -> [(reference: Reference, id: Digest)]
    /// The names of one image, sorted.
    func names(of id: Digest) throws -> [Reference]
    /// Removes an image record and all its names.
    func delete(id: Digest) throws
    /// Finds an image as `docker inspect`/`run` do: full ID (`sha256:…` or 64 hex), name
    /// (`ubuntu` means `ubuntu:latest`), name@digest, then unique ID prefix.
    func resolve(_ nameOrID: String) throws -> ImageRecord
}

/// What the store keeps about one image.
public struct ImageRecord: Codable, Sendable, Equatable {
    /// The image ID: the config blob's digest.
    public var id: Digest
    /// The platform manifest (whose `config` is `id`), when there is one.
    public var manifest: Descriptor?
    /// What the image was pulled or loaded as, when that was an index (multi-platform).
    public var index: Descriptor?
    /// When the image was recorded here, RFC 3339 (Docker's `Metadata.LastTagTime` is similar).
    public var recorded: String?

    /// Makes a record.
    public init(id: Digest, manifest: Descriptor? = nil, index: Descriptor? = nil, recorded: String? = nil) {
        self.id = id; self.manifest = manifest; self.index = index; self.recorded = recorded
    }
}

/// Image store failures, in Docker's words where Docker has them.
public enum ImageStoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `No such image: x`
    case notFound(String)
    /// Several images match an ID prefix.
    case ambiguous(String)
    /// The name did not parse.
    case invalidReference(ReferenceError)

    public var description: String {
        switch self {
        case .notFound(let s): "No such image: \(s)"
        case .ambiguous(let s): "multiple images match the id prefix \"\(s)\""
        case .invalidReference(let e): e.description
        }
    }
}

/// Factories for image stores.
public enum ImageStores {
    /// The store under `<root>/images`.
    public static func local(root: String) throws -> any ImageStore { try LocalImageStore(root: root) }
}
