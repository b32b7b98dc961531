import BerthOCI
import Synchronization

extension ImageArchive {
    /// `load(archive:…)` that leaves nothing behind when it fails: the blobs this load added
    /// and no recorded image references are removed again, so a refused or broken archive
    /// (a hostile entry, a tampered blob, a missing manifest) costs no space. Images are only
    /// recorded once every blob is in, so a failed load records none.
    public static func loadOrNothing(archive path: String, content: any ContentStore, images: any ImageStore,
                                     platform: Platform = .current) throws -> [LoadedImage] {
        let recorder = try RecordingContentStore(content)
        do {
            return try load(archive: path, content: recorder, images: images, platform: platform)
        } catch {
            // Without the referenced set nothing is known to be safe to remove: keep everything.
            if let keep = try? images.referencedBlobs(in: content) { recorder.removeAdded(keeping: keep) }
            throw error
        }
    }
}

/// A content store that passes everything to `base` and remembers which blobs it committed
/// that were not there when it was made, so a failed operation can take them back.
final class RecordingContentStore: ContentStore {
    let base: any ContentStore
    private let before: Set<Digest>
    private let added = Mutex<Set<Digest>>([])

    init(_ base: any ContentStore) throws {
        self.base = base
        before = Set(try base.list().map(\.digest))
    }

    /// Deletes the blobs added through this store that are not in `keeping`.
    func removeAdded(keeping: Set<Digest>) {
        for d in added.withLock({ $0 }) where !keeping.contains(d) { try? base.delete(d) }
    }

    func note(_ d: Digest) {
        if !before.contains(d) { added.withLock { _ = $0.insert(d) } }
    }

    var root: String { base.root }
    func info(_ digest: Digest) throws -> ContentInfo? { try base.info(digest) }
    func path(of digest: Digest) -> String { base.path(of: digest) }
    func read(_ digest: Digest) throws -> [UInt8] { try base.read(digest) }
    func read(_ digest: Digest, chunk: (UnsafeRawBufferPointer) throws -> Void) throws { try base.read(digest, chunk: chunk) }
    func writer(expecting: Digest?, size: Int64?) throws -> any ContentWriter {
        RecordingWriter(try base.writer(expecting: expecting, size: size), store: self)
    }
    @discardableResult
    func write(_ bytes: [UInt8], expecting: Digest?) throws -> ContentInfo {
        let info = try base.write(bytes, expecting: expecting)
        note(info.digest)
        return info
    }
    func list() throws -> [ContentInfo] { try base.list() }
    func delete(_ digest: Digest) throws { try base.delete(digest) }
    func garbageCollect(keeping: Set<Digest>) throws -> GarbageReport { try base.garbageCollect(keeping: keeping) }
}

/// A writer that tells its `RecordingContentStore` what it committed.
final class RecordingWriter: ContentWriter {
    let inner: any ContentWriter
    let store: RecordingContentStore
    init(_ inner: any ContentWriter, store: RecordingContentStore) { self.inner = inner; self.store = store }
    var written: Int64 { inner.written }
    func write(_ chunk: UnsafeRawBufferPointer) throws { try inner.write(chunk) }
    @discardableResult
    func commit() throws -> ContentInfo {
        let info = try inner.commit()
        store.note(info.digest)
        return info
    }
    func abort() { inner.abort() }
}
