import BerthOCI

/// One step of a layer's transfer, shaped like a line of the Engine API's JSON progress
/// stream: `{"status":"Downloading","progressDetail":{"current":…,"total":…},"id":"a3ed95caeb02"}`.
public struct ProgressEvent: Sendable, Hashable {
    /// What is happening, in Docker's words.
    public enum Status: String, Sendable, Hashable {
        /// A layer to pull was found in the manifest (the engine sends it when it schedules one).
        case pullingFsLayer = "Pulling fs layer"
        /// Queued behind other downloads (the engine's).
        case waiting = "Waiting"
        /// Bytes arriving; `current`/`total` set.
        case downloading = "Downloading"
        /// All bytes in; the digest is being checked.
        case verifyingChecksum = "Verifying Checksum"
        /// Digest and size matched.
        case downloadComplete = "Download complete"
        /// The layer is in the local store already (the engine's).
        case alreadyExists = "Already exists"
        /// About to upload.
        case preparing = "Preparing"
        /// Bytes going out; `current`/`total` set.
        case pushing = "Pushing"
        /// The registry has the blob.
        case pushed = "Pushed"
        /// The repository had the blob before the push.
        case layerAlreadyExists = "Layer already exists"
        /// Mounted from another repository, named in `from`.
        case mounted = "Mounted from"
    }

    /// The blob's short digest: the first 12 hex digits, as Docker shows layers.
    public var id: String
    /// The step.
    public var status: Status
    /// Bytes done so far, for `downloading` and `pushing`.
    public var current: Int64?
    /// The blob's size, when known.
    public var total: Int64?
    /// The source repository of a `mounted` blob (Docker prints `Mounted from library/x`).
    public var from: String?

    /// Makes an event.
    public init(id: String, status: Status, current: Int64? = nil, total: Int64? = nil, from: String? = nil) {
        self.id = id; self.status = status; self.current = current; self.total = total; self.from = from
    }

    /// The `status` text of the JSON line: `Mounted from library/busybox` for mounts.
    public var statusText: String {
        if status == .mounted, let from { return "\(status.rawValue) \(from)" }
        return status.rawValue
    }

    /// The short id Docker prints for a digest.
    public static func shortID(_ digest: Digest) -> String { String(digest.encoded.prefix(12)) }
}

/// Receives progress events. Called from the transferring task; keep it quick.
public typealias ProgressHandler = @Sendable (ProgressEvent) -> Void

/// Throttles `downloading`/`pushing` events to about one per 512 KiB (and always the last),
/// as Docker's progress reader does, so a big layer does not flood the API stream.
final class ProgressMeter: @unchecked Sendable {
    private let handler: ProgressHandler?
    private let id: String
    private let status: ProgressEvent.Status
    private let total: Int64?
    private var current: Int64 = 0
    private var lastReported: Int64 = -1
    private let step: Int64 = 512 * 1024

    init(_ handler: ProgressHandler?, digest: Digest, status: ProgressEvent.Status, total: Int64?, start: Int64 = 0) {
        self.handler = handler; id = ProgressEvent.shortID(digest); self.status = status; self.total = total
        current = start
    }

    /// Adds `n` bytes. One meter belongs to one transfer, which reports from one task at a time.
    func advance(_ n: Int64) {
        current += n
        guard let handler else { return }
        if current - lastReported >= step || current == total {
            lastReported = current
            handler(ProgressEvent(id: id, status: status, current: current, total: total))
        }
    }
}

extension ProgressEvent {
    /// Progress as an `AsyncStream`, for a response writer that streams JSON lines: hand
    /// `handler` to the transfers (from any number of tasks), read `stream`, call `finish` when
    /// the last transfer is done. When the reader falls behind, the oldest events are dropped
    /// first (`limit` kept), as a progress display only needs recent ones.
    public static func makeStream(bufferingNewest limit: Int = 4096)
        -> (stream: AsyncStream<ProgressEvent>, handler: ProgressHandler, finish: @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: ProgressEvent.self, bufferingPolicy: .bufferingNewest(limit))
        return (stream, { continuation.yield($0) }, { continuation.finish() })
    }
}
