import BerthAPIModels
import BerthImage
import BerthOCI
import BerthSystem

/// What `GET /images/json` and `GET /images/{name}/json` show about one image.
public struct ImageSummary: Sendable {
    /// The image ID.
    public var id: Digest
    /// When it was last tagged or recorded here, RFC 3339 (Docker's `Metadata.LastTagTime`).
    public var lastTagTime: String?
    /// Its config.
    public var config: ImageConfig
    /// Its names, tagged and digested, sorted.
    public var names: [Reference]
    /// Sum of the layer blobs' sizes.
    public var size: Int64
    /// How many containers use it.
    public var containers: Int
    /// The layers' unpacked directories, top first (Docker's GraphDriver data).
    public var layerDirs: [String]

    /// `Created` as seconds since the epoch (0 when the config has none).
    public var createdSeconds: Int64 { Int64(config.created.flatMap { WallClock.epochSeconds($0) } ?? 0) }
    /// Tagged names, familiar: `busybox:latest`.
    public var repoTags: [String] { names.filter { $0.tag != nil }.map(\.familiarString) }
    /// Digested names, familiar: `busybox@sha256:…`.
    public var repoDigests: [String] { names.filter { $0.digest != nil }.map(\.familiarString) }
}

/// One row of `GET /images/{name}/history`, newest first.
public struct ImageHistoryEntry: Sendable, Equatable {
    /// The image ID for the top row, `<missing>` below it (Docker keeps no IDs for those).
    public var id: String
    /// Seconds since the epoch.
    public var created: Int64
    /// The instruction that made the step.
    public var createdBy: String
    /// The image's tags, on the top row only (nil elsewhere, JSON null as in Docker).
    public var tags: [String]?
    /// The layer's size, 0 for steps that made no layer.
    public var size: Int64
    /// The step's comment (`Imported from -`).
    public var comment: String
}

extension Engine {
    /// Every image with its names, size and container count.
    public func imageSummaries() throws -> [ImageSummary] {
        try images.images().map { try summary(of: $0) }
    }

    /// `GET /images/{name}/json`: one image, looked up as `docker inspect` does.
    public func imageSummary(_ name: String) throws -> ImageSummary {
        try summary(of: try resolveImage(name).0)
    }

    func summary(of record: ImageRecord) throws -> ImageSummary {
        let config = try record.config(in: content)
        let layers = try manifestLayers(record)
        let dirs = Digest.chainIDs(config.rootfs.diffIDs).reversed().map(snapshots.layerPath)
        return ImageSummary(id: record.id, lastTagTime: record.recorded, config: config, names: try images.names(of: record.id),
                            size: layers.reduce(0) { $0 + $1.size }, containers: containers.values.filter { $0.imageID == record.id }.count,
                            layerDirs: dirs)
    }

    /// The manifest's layer descriptors, base first (none for an image without a manifest).
    func manifestLayers(_ record: ImageRecord) throws -> [Descriptor] {
        try record.manifest.map { try OCIJSON.decode(ImageManifest.self, from: try content.read($0.digest)).layers } ?? []
    }

    /// `GET /images/{name}/history`, built as Docker's `ImageHistory`: one row per config
    /// history entry, newest first; entries that made a layer take the next layer's size
    /// (the stored, compressed size). An image without history gets one row per layer.
    public func imageHistory(_ name: String) throws -> [ImageHistoryEntry] {
        let (record, config) = try resolveImage(name)
        let layers = try manifestLayers(record)
        let created = Int64(config.created.flatMap { WallClock.epochSeconds($0) } ?? 0)
        let steps = config.history ?? config.rootfs.diffIDs.map { _ in ImageConfig.History(created: config.created) }
        var rows: [ImageHistoryEntry] = []
        var layer = 0
        for step in steps {
            var size: Int64 = 0
            if step.emptyLayer != true {
                size = layer < layers.count ? layers[layer].size : 0
                layer += 1
            }
            rows.append(ImageHistoryEntry(id: "<missing>", created: Int64(step.created.flatMap { WallClock.epochSeconds($0) } ?? Int(created)),
                                          createdBy: step.createdBy ?? "", tags: nil, size: size, comment: step.comment ?? ""))
        }
        rows.reverse()
        if !rows.isEmpty {
            rows[0].id = record.id.description
            let tags = try images.names(of: record.id).filter { $0.tag != nil }.map(\.familiarString)
            rows[0].tags = tags.isEmpty ? nil : tags
        }
        return rows
    }
}
