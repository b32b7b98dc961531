import BerthAPIModels
import BerthImage
import BerthOCI
import BerthRegistry

/// One `docker push`: every layer and the config go up (those the repository has are
/// skipped, those another repository of the registry has are mounted), at most
/// `maxUploads` at once, then the manifest under the tag. berthd then tags the image with
/// the pushed digest, from the `PushResult`.
struct ImagePush: Sendable {
    var reference: Reference
    var repository: RegistryRepository
    var content: any ContentStore
    var manifest: Descriptor
    var emit: ProgressSink
    var mountSources: BlobOrigins
    /// Docker's `max-concurrent-uploads` default.
    var maxUploads = 5

    func run() async throws -> PushResult {
        emit(ProgressMessage("The push refers to repository [\(reference.repository.familiarString)]"))
        let bytes = try content.read(manifest.digest)
        let image: ImageManifest
        do { image = try OCIJSON.decode(ImageManifest.self, from: bytes) } catch {
            throw EngineError.internalError("invalid stored manifest \(manifest.digest): \(OCIJSON.describe(error))")
        }
        // Docker lists layers top first.
        let layers = Array(image.layers.reversed())
        for layer in layers { emit(ProgressMessage("Preparing", id: ProgressEvent.shortID(layer.digest))) }
        let here = reference.domain + "/" + reference.path
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = layers.makeIterator()
            func start() {
                guard let layer = next.next() else { return }
                group.addTask { try await pushBlob(layer, progress: { emit(ProgressMessage($0)) }) }
            }
            for _ in 0..<maxUploads { start() }
            while try await group.next() != nil { start() }
        }
        try await pushBlob(image.config, progress: nil)
        let tag = reference.tag ?? Reference.defaultTag
        let digest = try await repository.putManifest(bytes, mediaType: manifest.mediaType, reference: reference.digest?.description ?? tag)
        mountSources.record(image.layers.map(\.digest) + [image.config.digest], in: here)
        emit(ProgressMessage("\(tag): digest: \(digest) size: \(bytes.count)"))
        emit(ProgressMessage("", aux: ["Tag": .string(tag), "Digest": .string(digest.description), "Size": .int(Int64(bytes.count))]))
        return PushResult(digest: digest, image: image.config.digest)
    }

    /// Uploads one blob from the content store, mounting it from a repository of the same
    /// registry that has it when one is known.
    func pushBlob(_ descriptor: Descriptor, progress: ProgressHandler?) async throws {
        let prefix = reference.domain + "/"
        let mountFrom = mountSources.repositories(of: descriptor.digest).reversed()
            .filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        let source = try BlobSource.file(content.path(of: descriptor.digest))
        try await repository.pushBlob(descriptor, from: source, mountFrom: Array(mountFrom), progress: progress)
    }
}
