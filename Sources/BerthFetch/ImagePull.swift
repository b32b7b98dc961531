#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthImage
import BerthOCI
import BerthRegistry
import BerthSystem

/// One `docker pull`: the manifest is resolved already (so a missing image or a refused
/// login is an HTTP error before any progress is sent); this fetches the config and the
/// layers into the content store, unpacks each layer into its snapshot as soon as it is
/// downloaded (layers are independent directories, so they unpack in parallel with other
/// downloads), and stores the manifest blobs last. berthd records the image from the
/// `PullResult`. A failure anywhere leaves nothing referenced: ingests are dropped,
/// committed blobs wait for garbage collection.
struct ImagePull: Sendable {
    var reference: Reference
    var repository: RegistryRepository
    var content: any ContentStore
    var snapshots: any SnapshotStore
    var emit: ProgressSink
    var origins: BlobOrigins
    /// Docker's `max-concurrent-downloads` default. It limits downloads only: a layer whose
    /// download is done frees its slot before it is unpacked, as in Docker.
    var maxDownloads = 3
    /// Layers unpacked at once: one per CPU (unpacking is decompression, hashing and file
    /// creation), at least two so a small layer is not stuck behind a big one.
    var maxUnpacks = max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Pulls what `pulled` names.
    func run(_ pulled: PulledManifest) async throws -> PullResult {
        emit(ProgressMessage("Pulling from \(reference.path)", id: reference.digest?.description ?? reference.tag))
        let manifest = pulled.image
        guard MediaType.isConfig(manifest.config.mediaType) || manifest.config.mediaType == MediaType.dockerConfig else {
            throw EngineError.invalidArgument("\(reference.familiarString): unsupported config media type \(manifest.config.mediaType)")
        }
        try await fetch(manifest.config, progress: nil)
        let config: ImageConfig
        do { config = try OCIJSON.decode(ImageConfig.self, from: try content.read(manifest.config.digest)) } catch {
            throw EngineError.invalidArgument("invalid image config \(manifest.config.digest): \(OCIJSON.describe(error))")
        }
        let diffIDs = config.rootfs.diffIDs
        guard diffIDs.count == manifest.layers.count else {
            throw EngineError.invalidArgument("\(reference.familiarString): the config names \(diffIDs.count) layers, the manifest \(manifest.layers.count)")
        }
        for layer in manifest.layers where !MediaType.isLayer(layer.mediaType) {
            throw EngineError.invalidArgument("\(reference.familiarString): unsupported layer media type \(layer.mediaType)")
        }
        let chain = Digest.chainIDs(diffIDs)

        // Layer lines in Docker's order; the ones already unpacked, with their blob in the
        // store, need no work. A snapshot without its blob (an interrupted pull unpacked it,
        // and garbage collection at the next start took the unreferenced blob) gets the blob
        // again: save and push need it. Its unpack then finds the snapshot there.
        var work: [Int] = []
        for (i, layer) in manifest.layers.enumerated() {
            let id = ProgressEvent.shortID(layer.digest)
            if snapshots.hasLayer(chain[i]) && content.contains(layer.digest) {
                emit(ProgressMessage("Already exists", id: id))
            } else {
                emit(ProgressMessage("Pulling fs layer", id: id))
                work.append(i)
            }
        }
        for i in work.dropFirst(maxDownloads) { emit(ProgressMessage("Waiting", id: ProgressEvent.shortID(manifest.layers[i].digest))) }

        // Downloads and unpacks are separate tasks with separate limits: while big layers
        // unpack, the remaining downloads go on.
        enum Step: Sendable { case downloaded(Int), unpacked }
        try await withThrowingTaskGroup(of: Step.self) { group in
            var next = work.makeIterator()
            var downloaded: [Int] = []
            var unpacking = 0
            func download() {
                guard let i = next.next() else { return }
                let layer = manifest.layers[i]
                group.addTask {
                    try await fetch(layer, progress: { emit(ProgressMessage($0)) })
                    return .downloaded(i)
                }
            }
            func unpackNext() {
                guard unpacking < maxUnpacks, !downloaded.isEmpty else { return }
                let i = downloaded.removeFirst()
                let layer = manifest.layers[i], diffID = diffIDs[i], chainID = chain[i]
                unpacking += 1
                group.addTask {
                    try await unpack(layer, diffID: diffID, chainID: chainID)
                    return .unpacked
                }
            }
            for _ in 0..<maxDownloads { download() }
            while let step = try await group.next() {
                switch step {
                case .downloaded(let i):
                    downloaded.append(i)
                    download()
                case .unpacked:
                    unpacking -= 1
                }
                unpackNext()
            }
        }

        // Everything is in: store the manifest (and index) blobs; berthd records the image.
        try content.write(pulled.manifest.bytes, expecting: pulled.manifest.descriptor.digest)
        if let index = pulled.index { try content.write(index.bytes, expecting: index.descriptor.digest) }
        origins.record(manifest.layers.map(\.digest) + [manifest.config.digest], in: reference.domain + "/" + reference.path)
        return PullResult(id: manifest.config.digest, manifest: pulled.manifest.descriptor, index: pulled.index?.descriptor,
                          digest: pulled.digest, fetchedLayers: work.count)
    }

    /// Downloads a blob into the content store unless it is there; the ingest commits only
    /// when the bytes have the descriptor's digest and size.
    func fetch(_ descriptor: Descriptor, progress: ProgressHandler?) async throws {
        if content.contains(descriptor.digest) {
            if let progress { progress(ProgressEvent(id: ProgressEvent.shortID(descriptor.digest), status: .downloadComplete)) }
            return
        }
        let writer = try content.writer(expecting: descriptor.digest, size: descriptor.size)
        do {
            try await repository.download(descriptor, progress: progress) { try writer.write($0) }
            try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Unpacks a downloaded layer into its snapshot on a plain thread (libarchive blocks).
    func unpack(_ layer: Descriptor, diffID: Digest, chainID: Digest) async throws {
        let id = ProgressEvent.shortID(layer.digest)
        emit(ProgressMessage("Extracting", id: id, current: layer.size, total: layer.size))
        let snapshots = self.snapshots, path = content.path(of: layer.digest)
        _ = try await Threads.run { try snapshots.unpackLayer(chainID: chainID, diffID: diffID, blobPath: path) }
        emit(ProgressMessage("Pull complete", id: id))
    }
}
