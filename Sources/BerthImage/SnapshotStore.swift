#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// Unpacked layers and containers' writable layers, as overlayfs directories.
///
/// - a layer: `<root>/snapshots/<chain-id-hex>/fs`, unpacked once and shared by every image
///   and container above it; created atomically (unpacked into `snapshots/tmp-*`, then renamed).
/// - a container: `<root>/snapshots/<container-id>/{fs,work}` (the overlay upper and work
///   dirs) plus `lowers`, the chain IDs below it, base first.
///
/// Mounting is not done here: `mount(for:)` returns the overlay options.
public protocol SnapshotStore: Sendable {
    /// The directory holding `snapshots/`.
    var root: String { get }
    /// The `fs` directory of a layer snapshot (present or not).
    func layerPath(_ chainID: Digest) -> String
    /// True when the layer snapshot exists.
    func hasLayer(_ chainID: Digest) -> Bool
    /// Unpacks the layer blob at `blobPath` as the snapshot `chainID`, unless it exists.
    /// Fails (and leaves nothing) when the unpacked content's DiffID is not `diffID`.
    @discardableResult
    func unpackLayer(chainID: Digest, diffID: Digest, blobPath: String) throws -> String
    /// Creates the snapshot `chainID` by running `fill` on an empty directory, unless it
    /// exists. If `fill` throws, nothing is left behind.
    @discardableResult
    func createLayer(chainID: Digest, fill: (String) throws -> Void) throws -> String
    /// Unpacks layers (base first) in parallel, each into its own snapshot; returns their chain IDs.
    func unpackLayers(_ layers: [LayerSource], parallelism: Int) async throws -> [Digest]
    /// Every layer snapshot's chain ID.
    func layers() throws -> [Digest]
    /// Removes a layer snapshot; no error if absent.
    func removeLayer(_ chainID: Digest) throws
    /// Creates a container's writable snapshot above the layers `lowers` (chain IDs, base first).
    /// `durable`: on disk (fsync'd) before it returns; without, only atomic (a crash of the
    /// process leaves it whole or absent, a power loss may lose it).
    func createContainer(id: String, lowers: [Digest], durable: Bool) throws -> ContainerSnapshot
    /// A container's snapshot, or nil.
    func container(id: String) throws -> ContainerSnapshot?
    /// Every container snapshot.
    func containers() throws -> [ContainerSnapshot]
    /// Removes a container's snapshot (after it is unmounted); no error if absent.
    func removeContainer(id: String) throws
    /// The overlay mount of a container snapshot.
    func mount(for snapshot: ContainerSnapshot) throws -> OverlayMount
    /// Removes leftovers of interrupted creations and removals (`snapshots/tmp-*`).
    func cleanupTemporaries() throws
}

extension SnapshotStore {
    /// Creates a container's writable snapshot, durably.
    public func createContainer(id: String, lowers: [Digest]) throws -> ContainerSnapshot {
        try createContainer(id: id, lowers: lowers, durable: true)
    }

    /// Unpacks layers with at most as many at once as there are CPUs.
    public func unpackLayers(_ layers: [LayerSource]) async throws -> [Digest] {
        try await unpackLayers(layers, parallelism: max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    }
}

/// A layer to unpack: the blob's file and the DiffID the image config names for it.
public struct LayerSource: Sendable, Equatable {
    /// Path of the (possibly compressed) layer blob, e.g. `ContentStore.path(of:)`.
    public var blobPath: String
    /// The expected DiffID, from the config's `rootfs.diff_ids`.
    public var diffID: Digest
    /// Makes a source.
    public init(blobPath: String, diffID: Digest) { self.blobPath = blobPath; self.diffID = diffID }
}

/// A container's writable layer.
public struct ContainerSnapshot: Sendable, Equatable {
    /// The container ID.
    public var id: String
    /// The overlay upper directory.
    public var upperDir: String
    /// The overlay work directory.
    public var workDir: String
    /// The layers below, as chain IDs, base first.
    public var lowers: [Digest]
}

/// What an overlay mount of a container needs: `mount -t overlay overlay -o <options> <target>`.
public struct OverlayMount: Sendable, Equatable {
    /// Lower directories, topmost first (overlayfs order).
    public var lowerDirs: [String]
    /// The upper directory.
    public var upperDir: String
    /// The work directory.
    public var workDir: String
    /// `lowerdir=a:b,upperdir=u,workdir=w`.
    public var options: String {
        "lowerdir=\(lowerDirs.joined(separator: ":")),upperdir=\(upperDir),workdir=\(workDir)"
    }
    /// The same options with paths relative to `relativeBase` (the store's `snapshots`
    /// directory), shorter for images with many layers: the mount data is limited to a
    /// page, so a mounter can chdir into `relativeBase` and use these.
    public var relativeOptions: String {
        func rel(_ p: String) -> String { p.hasPrefix(relativeBase + "/") ? String(p.dropFirst(relativeBase.count + 1)) : p }
        return "lowerdir=\(lowerDirs.map(rel).joined(separator: ":")),upperdir=\(rel(upperDir)),workdir=\(rel(workDir))"
    }
    /// The directory `relativeOptions` is relative to.
    public var relativeBase: String
}

/// Snapshot failures that are not one system call.
public enum SnapshotError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The unpacked layer's content differs from what the image config says.
    case diffIDMismatch(expected: Digest, actual: Digest)
    /// A lower layer of a container is missing.
    case layerMissing(Digest)
    /// A container snapshot already exists.
    case containerExists(String)
    /// A container ID that cannot be a directory name.
    case invalidID(String)

    public var description: String {
        switch self {
        case .diffIDMismatch(let e, let a): "layer content has diff id \(a), expected \(e)"
        case .layerMissing(let d): "layer snapshot \(d) does not exist"
        case .containerExists(let id): "snapshot for container \(id) already exists"
        case .invalidID(let id): "invalid snapshot id \"\(id)\""
        }
    }
}

/// Factories for snapshot stores.
public enum SnapshotStores {
    /// The overlayfs snapshot store under `root` (the data root).
    public static func overlay(root: String) throws -> any SnapshotStore { try OverlaySnapshotStore(root: root) }
}
