import BerthImage

extension Engine {
    /// Removes what interrupted pulls, loads and imports left behind: ingest temp files,
    /// blobs no image references, and half-made snapshots. Run at daemon start, when no
    /// pull is in flight (a running pull's committed blobs are not referenced yet).
    @discardableResult
    public func collectGarbage() throws -> GarbageReport {
        try snapshots.cleanupTemporaries()
        return try content.garbageCollect(keeping: try images.referencedBlobs(in: content))
    }
}
