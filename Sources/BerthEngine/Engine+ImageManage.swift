import BerthAPIModels
import BerthImage
import BerthOCI
import BerthSystem

/// One line of an image removal's answer: `{"Untagged": "busybox:latest"}` or
/// `{"Deleted": "sha256:…"}`.
public enum ImageDeleteRecord: Equatable, Sendable {
    /// A name removed, in its familiar form.
    case untagged(String)
    /// An image ID or a layer's chain ID removed.
    case deleted(String)
}

extension Engine {
    /// `POST /images/{name}/tag?repo=&tag=`: points `repo:tag` at the image `name`.
    public func tagImage(_ name: String, repo: String?, tag: String?) throws {
        let reference = try Engine.tagReference(repo: repo, tag: tag)
        let (record, _) = try resolveImage(name)
        do {
            try images.tag(reference, image: record.id)
            var tagged = record
            tagged.recorded = WallClock.rfc3339Nano()             // Docker's Metadata.LastTagTime
            try images.put(tagged)
            publishImage("tag", id: record.id.description, name: reference.familiarString)
        } catch {
            throw EngineError.internalError("tag \(reference.familiarString)", cause: BerthError("\(error)"))
        }
    }

    /// The reference `repo` and `tag` name, checked as Docker's `RepoTagReference` does.
    static func tagReference(repo: String?, tag: String?) throws(EngineError) -> Reference {
        guard let repo, !repo.isEmpty else { throw .invalidArgument("repository name must have at least one component") }
        var ref: Reference
        do { ref = try Reference(parsing: repo) } catch { throw .invalidArgument(error.description) }
        if ref.digest != nil { throw .invalidArgument("cannot tag a digest reference") }
        if let tag, !tag.isEmpty {
            guard (try? Reference(parsing: ref.name + ":" + tag))?.tag == tag else { throw .invalidArgument("invalid tag format") }
            ref = ref.with(tag: tag)
        } else {
            ref = ref.withDefaultTag()
        }
        if ref.familiarName == "sha256" {
            throw .invalidArgument("refusing to create an ambiguous tag using digest algorithm as name")
        }
        return ref
    }

    /// `DELETE /images/{name}?force=`: removes the name or the image as Docker does
    /// (`ImageDeletePlan`), then what no remaining image or container needs.
    public func deleteImage(_ name: String, force: Bool) throws -> [ImageDeleteRecord] {
        try deleteImageReclaiming(name, force: force).records
    }

    /// `deleteImage`, also returning the bytes freed (for prune).
    func deleteImageReclaiming(_ name: String, force: Bool) throws -> (records: [ImageDeleteRecord], bytes: Int64) {
        let (record, config) = try resolveImage(name)
        let users = containers.values.filter { $0.imageID == record.id }.sorted { $0.created < $1.created }
            .map { ImageDeletePlan.User(id: $0.id, running: $0.state.running) }
        let names = try images.names(of: record.id)
        let plan = try ImageDeletePlan.decide(ref: name, imageID: record.id, names: names, users: users, force: force)
        var records: [ImageDeleteRecord] = []
        do {
            for ref in plan.untag {
                try images.untag(ref)
                records.append(.untagged(ref.familiarString))
                publishImage("untag", id: record.id.description, name: record.id.description)
            }
            guard plan.deleteImage else { return (records, 0) }
            let blobs = try record.blobs(in: content)
            try images.delete(id: record.id)
            records.append(.deleted(record.id.description))
            publishImage("delete", id: record.id.description, name: record.id.description)
            let freed = reclaim(blobs: blobs, chain: Digest.chainIDs(config.rootfs.diffIDs))
            records += freed.layers.map { .deleted($0.description) }
            return (records, freed.bytes)
        } catch {
            throw EngineError.internalError("remove image \(name)", cause: BerthError("\(error)"))
        }
    }

    /// After an image record is gone: deletes those of its blobs (`blobs`) that no remaining
    /// image needs, and those of its unpacked layers (`chain`, base first) that no image or
    /// container uses. The config blob of an image a container still uses is kept, so a
    /// container whose image was force-removed can start again. Returns the removed layers'
    /// chain IDs (top first, as Docker lists them) and the bytes of the removed blobs.
    ///
    /// Only this image's blobs are candidates, never the whole store: a pull running at the
    /// same time has blobs that no image references yet.
    func reclaim(blobs: Set<Digest>, chain: [Digest]) -> (layers: [Digest], bytes: Int64) {
        // If the set of what is still needed cannot be computed, nothing is removed.
        guard var keepBlobs = try? images.referencedBlobs(in: content),
              var keepLayers = try? Set(snapshots.containers().flatMap(\.lowers)) else { return ([], 0) }
        keepBlobs.formUnion(containers.values.map(\.imageID))
        for image in (try? images.images()) ?? [] {
            guard let ids = try? image.chainIDs(in: content) else { return ([], 0) }
            keepLayers.formUnion(ids)
        }
        var bytes: Int64 = 0
        for d in blobs.subtracting(keepBlobs).sorted() {
            let size = (try? content.info(d))?.size ?? 0
            if (try? content.delete(d)) != nil { bytes += size }
        }
        var removed: [Digest] = []
        for chainID in chain.reversed() where !keepLayers.contains(chainID) && snapshots.hasLayer(chainID) {
            if (try? snapshots.removeLayer(chainID)) != nil { removed.append(chainID) }
        }
        return (removed, bytes)
    }

    /// `POST /images/prune`: removes images no container uses; with `danglingOnly` (the
    /// default) only those without a tag. `keep` decides on the rest (label and until filters).
    public func pruneImages(danglingOnly: Bool, keep: @Sendable (ImageSummary) -> Bool) throws -> (records: [ImageDeleteRecord], reclaimed: Int64) {
        let used = Set(containers.values.map(\.imageID))
        var records: [ImageDeleteRecord] = []
        var reclaimed: Int64 = 0
        for image in try imageSummaries() where !used.contains(image.id) && !keep(image) {
            let tagged = image.names.contains { $0.tag != nil }
            if danglingOnly && tagged { continue }
            // As Docker: through each name (so the last one deletes the image), or by ID.
            let refs = image.names.isEmpty ? [image.id.encoded] : image.names.map(\.description)
            for ref in refs {
                guard let result = try? deleteImageReclaiming(ref, force: false) else { continue }
                records += result.records
                reclaimed += result.bytes
            }
        }
        return (records, reclaimed)
    }
}
