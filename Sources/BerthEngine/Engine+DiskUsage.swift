import BerthAPIModels
import BerthImage
import BerthOCI
import BerthSystem

/// `GET /system/df`'s numbers, computed by the engine.
public struct DiskUsage: Sendable {
    /// One image, with the bytes of its layers that other images share.
    public struct Image: Sendable {
        public var summary: ImageSummary
        public var sharedSize: Int64
    }
    /// One container with its writable layer's size and that plus its image's.
    public struct ContainerUsage: Sendable {
        public var container: Container
        public var sizeRw: Int64
        public var sizeRootFs: Int64
    }
    /// All layers, each counted once.
    public var layersSize: Int64
    public var images: [Image]
    public var containers: [ContainerUsage]
    /// Volumes with their sizes and how many containers use them.
    public var volumes: [VolumeUsage]
}

extension Engine {
    /// Disk usage of images (layers counted once across images), containers (their
    /// writable layers) and volumes, as `docker system df` shows them.
    public func diskUsage() async throws -> DiskUsage {
        let summaries = try imageSummaries()
        var layersOf: [Digest: [Descriptor]] = [:]
        var users: [Digest: Int] = [:]
        for s in summaries {
            let record = try images.image(id: s.id) ?? ImageRecord(id: s.id)
            var seen: Set<Digest> = []
            let layers = try manifestLayers(record).filter { seen.insert($0.digest).inserted }
            layersOf[s.id] = layers
            for l in layers { users[l.digest, default: 0] += 1 }
        }
        var sizes: [Digest: Int64] = [:]
        for layers in layersOf.values { for l in layers { sizes[l.digest] = l.size } }
        let images = summaries.map { s in
            DiskUsage.Image(summary: s, sharedSize: (layersOf[s.id] ?? []).filter { (users[$0.digest] ?? 0) > 1 }.reduce(0) { $0 + $1.size })
        }
        let imageSize = Dictionary(summaries.map { ($0.id, $0.size) }, uniquingKeysWith: { a, _ in a })
        let list = containers.values.sorted { $0.created > $1.created }
        let uppers = list.map { c in (c, (try? snapshots.container(id: c.id)).flatMap { $0 }?.upperDir) }
        let usages = try await Threads.run {
            uppers.map { c, upper in
                let rw = upper.map(LayerArchive.treeSize) ?? 0
                return DiskUsage.ContainerUsage(container: c, sizeRw: rw, sizeRootFs: rw + (imageSize[c.imageID] ?? 0))
            }
        }
        return DiskUsage(layersSize: sizes.values.reduce(0, +), images: images, containers: usages,
                         volumes: try await volumeUsage())
    }
}
