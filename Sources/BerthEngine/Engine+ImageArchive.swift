#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthImage
import BerthOCI
import BerthSystem
import CBerth

/// An image that `docker load` recorded, as the API reports it.
public struct LoadedImageInfo: Sendable, Equatable {
    /// The image ID, `sha256:…`.
    public var id: String
    /// Its names from the archive, familiar (`busybox:latest`).
    public var names: [String]
}

extension Engine {
    /// `GET /images/get?names=…` and `GET /images/{name}/get`: the images as a `docker save`
    /// tar. Every name is resolved first, so a missing one fails before a byte is sent.
    ///
    /// As Docker's `parseNames`: a name with a tag or digest saves that name; a bare
    /// repository saves every tag of it; an ID (or prefix) saves the image with no name.
    public func saveArchive(_ names: [String]) throws -> BlockingByteStream {
        guard !names.isEmpty else { throw EngineError.invalidArgument("no image names given") }
        var items: [ImageArchive.SaveItem] = []
        func add(_ record: ImageRecord, _ name: Reference?) throws {
            guard let manifest = record.manifest else { throw EngineError.internalError("image \(record.id) has no manifest") }
            if let i = items.firstIndex(where: { $0.id == record.id }) {
                if let name, !items[i].names.contains(name) { items[i].names.append(name) }
            } else {
                items.append(ImageArchive.SaveItem(id: record.id, manifest: manifest, names: name.map { [$0] } ?? []))
            }
        }
        for name in names {
            let parsed = try? Reference(parsing: name)
            if let ref = parsed, ref.tag == nil && ref.digest == nil {
                let tagged = try images.names().filter { $0.reference.name == ref.name && $0.reference.tag != nil }
                for (reference, id) in tagged {
                    if let record = try images.image(id: id) { try add(record, reference) }
                }
                if !tagged.isEmpty { continue }
            }
            let (record, _) = try resolveImage(name)
            let byName = parsed.flatMap { ref in try? images.names(of: record.id).first { $0 == ref.withDefaultTag() } }
            try add(record, byName)
        }
        let content = self.content, chosen = items
        return BlockingByteStream { sink in try ImageArchive.save(chosen, content: content, sink: sink) }
    }

    /// `POST /images/load`: loads the `docker save` or OCI archive at `path` (the request body,
    /// already on disk). A refused or broken archive leaves no image and no blob behind.
    /// Runs on its own thread: a big archive does not hold up the engine.
    public nonisolated func loadImages(archive path: String) async throws -> [LoadedImageInfo] {
        let content = self.content, images = self.images
        do {
            let loaded = try await Threads.run {
                try ImageArchive.loadOrNothing(archive: path, content: content, images: images)
            }
            for image in loaded { publishImage("load", id: image.id.description, name: image.id.description) }
            return loaded.map { LoadedImageInfo(id: $0.id.description, names: $0.names.map(\.familiarString)) }
        } catch let e as SyscallError {
            throw EngineError.internalError("load images", cause: e)
        } catch {
            // Everything else is about the archive's content: a client error, said plainly.
            throw EngineError.invalidArgument("\(error)")
        }
    }

    /// `GET /containers/{id}/export`: the container's file system (image layers with its
    /// changes on top) as a plain tar, written by Berth's own tar writer.
    ///
    /// The container's rootfs mount exists only while it runs, so the tree is read from a
    /// read-only overlay of its own: the container's upper directory stacked on the image
    /// layers, mounted under `<data-root>/tmp` for the export and unmounted afterwards.
    public func exportContainer(_ ref: String) throws -> BlockingByteStream {
        let c = try lookup(ref)
        guard let snapshot = try snapshots.container(id: c.id) else {
            throw EngineError.internalError("container \(c.shortID) has no snapshot")
        }
        let lowers = try snapshots.mount(for: snapshot).lowerDirs
        let mountPoint = dataRoot + "/tmp/export-" + c.id + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return BlockingByteStream { sink in
            // overlayfs needs two lower directories without an upper one; an image with no
            // layers has none, and then the upper directory is the whole tree.
            guard !snapshot.lowers.isEmpty else {
                _ = try LayerArchive.diff(directory: snapshot.upperDir, overlayWhiteouts: false, compression: .none, sink: sink)
                return
            }
            try Files.mkdirAll(mountPoint, mode: 0o700)
            defer { try? Files.removeAll(mountPoint) }
            let options = "lowerdir=" + ([snapshot.upperDir] + lowers).joined(separator: ":")
            try sys("mount", path: mountPoint) { berth_mount("overlay", mountPoint, "overlay", 1 /* MS_RDONLY */, options) }
            defer { _ = berth_umount2(mountPoint, 2 /* MNT_DETACH */) }
            _ = try LayerArchive.diff(directory: mountPoint, overlayWhiteouts: false, compression: .none, sink: sink)
        }
    }

    /// The image a container was created from, for `start`: the recorded image, or, when it
    /// was force-removed since, its config blob (which `reclaim` keeps while a container uses
    /// it) with no manifest; the container's layers are still unpacked then.
    func containerImage(_ c: Container) throws -> (ImageRecord, ImageConfig) {
        if let record = try? images.image(id: c.imageID) { return (record, try record.config(in: content)) }
        let record = ImageRecord(id: c.imageID)
        do { return (record, try record.config(in: content)) } catch {
            throw EngineError.notFound("No such image: \(c.imageID)")
        }
    }
}
