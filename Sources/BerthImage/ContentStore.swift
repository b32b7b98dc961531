import BerthOCI
import BerthSystem

/// Blobs by digest (`<root>/content/blobs/sha256/<hex>`), verified while they are written.
///
/// Writes go through an ingest (`writer(expecting:)`): bytes stream into a temp file under
/// `<root>/content/ingest/` while being hashed, and the blob appears under its digest only
/// when the digest and size match; the temp file is fsync'd, renamed and the directory
/// fsync'd, so after a crash a blob is either absent or complete.
public protocol ContentStore: Sendable {
    /// The directory that holds `content/`.
    var root: String { get }
    /// Size of a blob, or nil when it is absent.
    func info(_ digest: Digest) throws -> ContentInfo?
    /// The file holding a blob, for readers that want a file descriptor (layer unpack).
    func path(of digest: Digest) -> String
    /// A whole blob; for manifests and configs, not layers.
    func read(_ digest: Digest) throws -> [UInt8]
    /// Streams a blob in chunks of at most 1 MiB.
    func read(_ digest: Digest, chunk: (UnsafeRawBufferPointer) throws -> Void) throws
    /// Starts an ingest. With `expecting`, commit fails unless the content has that digest
    /// (and `size`, when given).
    func writer(expecting: Digest?, size: Int64?) throws -> any ContentWriter
    /// Writes a small blob at once and returns its descriptor-ready info.
    @discardableResult
    func write(_ bytes: [UInt8], expecting: Digest?) throws -> ContentInfo
    /// Every blob.
    func list() throws -> [ContentInfo]
    /// Removes a blob; no error if it is absent.
    func delete(_ digest: Digest) throws
    /// Removes every blob not in `keeping`, and temp files of ingests that are not running.
    func garbageCollect(keeping: Set<Digest>) throws -> GarbageReport
}

extension ContentStore {
    /// Starts an ingest with no expectation: the digest is whatever the content hashes to.
    public func writer() throws -> any ContentWriter { try writer(expecting: nil, size: nil) }
    /// Writes a small blob with no expected digest.
    @discardableResult
    public func write(_ bytes: [UInt8]) throws -> ContentInfo { try write(bytes, expecting: nil) }
    /// True when the blob is present.
    public func contains(_ digest: Digest) -> Bool { (try? info(digest)) != nil }
}

/// An ingest in progress: feed it chunks, then `commit`. Dropping it without committing
/// removes its temp file.
public protocol ContentWriter: AnyObject {
    /// Bytes written so far.
    var written: Int64 { get }
    /// Appends a chunk.
    func write(_ chunk: UnsafeRawBufferPointer) throws
    /// Checks digest and size and moves the content into the store.
    @discardableResult
    func commit() throws -> ContentInfo
    /// Abandons the ingest and removes the temp file.
    func abort()
}

extension ContentWriter {
    /// Appends a chunk of bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// What the store knows about a blob.
public struct ContentInfo: Sendable, Hashable {
    /// The blob's digest.
    public var digest: Digest
    /// Its size in bytes.
    public var size: Int64
    /// Makes an info.
    public init(digest: Digest, size: Int64) { self.digest = digest; self.size = size }
}

/// What a garbage collection removed.
public struct GarbageReport: Sendable, Equatable {
    /// Blobs removed.
    public var removed: [Digest] = []
    /// Bytes freed, blobs and temp files together.
    public var reclaimedBytes: Int64 = 0
    /// Stale ingest files removed.
    public var staleIngests: Int = 0
}

/// Content store failures that are not one system call.
public enum ContentError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The blob is not in the store.
    case notFound(Digest)
    /// The content hashed to another digest than expected.
    case digestMismatch(expected: Digest, actual: Digest)
    /// The content had another size than expected.
    case sizeMismatch(digest: Digest, expected: Int64, actual: Int64)
    /// Only sha256 is written.
    case unsupportedAlgorithm(String)
    /// The writer was already committed or aborted.
    case closed

    public var description: String {
        switch self {
        case .notFound(let d): "content \(d): not found"
        case .digestMismatch(let e, let a): "unexpected commit digest \(a), expected \(e): failed precondition"
        case .sizeMismatch(let d, let e, let a): "unexpected commit size \(a) for \(d), expected \(e): failed precondition"
        case .unsupportedAlgorithm(let a): "unsupported digest algorithm \(a)"
        case .closed: "content writer already closed"
        }
    }
}

/// Factories for content stores.
public enum ContentStores {
    /// The store on local disk under `root` (the data root, e.g. `/var/lib/berth`).
    public static func local(root: String) throws -> any ContentStore { try LocalContentStore(root: root) }
}
