import BerthAPIModels
import BerthImage
import BerthOCI
import BerthSystem

extension Engine {
    /// `POST /images/create?fromSrc=-`: a rootfs tar (already saved to `path`) becomes an image.
    public func importImage(path: String, repo: String?, tag: String?, message: String?,
                            config: ImageConfig.Container?) throws -> Digest {
        var reference: Reference? = nil
        if let repo, !repo.isEmpty {
            do {
                reference = try Reference.parseDocker(repo + ((tag?.isEmpty ?? true) ? "" : ":" + tag!))
            } catch {
                throw EngineError.invalidArgument("\(error)")
            }
        }
        let options = ImageArchive.ImportOptions(config: config, message: message, source: "-", reference: reference)
        do {
            let id = try ImageArchive.importRootfs(path: path, content: content, images: images, options: options).id
            publishImage("import", id: id.description, name: id.description)   // as moby: the ID twice
            return id
        } catch {
            throw EngineError.invalidArgument("\(error)")
        }
    }

    /// The image a name or ID resolves to, with its config.
    func resolveImage(_ name: String) throws -> (ImageRecord, ImageConfig) {
        let record: ImageRecord
        do { record = try images.resolve(name) } catch {
            throw EngineError.notFound("No such image: \(name)")
        }
        return (record, try record.config(in: content))
    }

    /// Unpacks the image's layers (once, in parallel) and returns their chain IDs.
    func prepareLayers(_ record: ImageRecord, _ config: ImageConfig) async throws -> [Digest] {
        let chain = Digest.chainIDs(config.rootfs.diffIDs)
        let manifest = try record.manifest.map { try OCIJSON.decode(ImageManifest.self, from: try content.read($0.digest)) }
        var missing: [LayerSource] = []
        for (i, chainID) in chain.enumerated() where !snapshots.hasLayer(chainID) {
            guard let layer = manifest?.layers[i] else { throw EngineError.internalError("image \(record.id) has no layer \(i)") }
            missing.append(LayerSource(blobPath: content.path(of: layer.digest), diffID: config.rootfs.diffIDs[i]))
        }
        if !missing.isEmpty { _ = try await snapshots.unpackLayers(missing) }
        return chain
    }
}
