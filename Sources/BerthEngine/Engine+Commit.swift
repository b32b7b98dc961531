import BerthAPIModels
import BerthImage
import BerthOCI
import BerthSystem

/// What `POST /commit` asks for besides the container.
public struct CommitOptions: Sendable {
    /// `repo` and `tag`: the name for the new image (none when repo is empty).
    public var repo: String?
    public var tag: String?
    /// `comment` (`-m`) and `author` (`-a`).
    public var comment: String?
    public var author: String?
    /// Pause a running container while its changes are read (Docker's default).
    public var pause = true
    /// The request body: container settings that replace the container's own.
    public var config: ContainerConfig?
    /// `changes`: Dockerfile instructions applied last (parsed by the API layer).
    public var applyChanges: @Sendable (inout ImageConfig.Container) throws -> Void = { _ in }

    public init() {}
}

extension Engine {
    /// `POST /commit`: the container's changes (its overlay upper directory) become a new
    /// layer on top of its image's, with the container's settings as the image config and a
    /// history entry naming its command. Returns the new image ID.
    public func commit(_ ref: String, _ options: CommitOptions) async throws -> Digest {
        let c = try lookup(ref)
        let reference = try options.repo.flatMap { $0.isEmpty ? nil : $0 }.map { try Engine.tagReference(repo: $0, tag: options.tag) }
        guard let snapshot = try snapshots.container(id: c.id) else {
            throw EngineError.internalError("container \(c.shortID) has no snapshot")
        }
        let (base, baseConfig) = try containerImage(c)
        guard let manifestDesc = base.manifest else {
            throw EngineError.conflict("the image of container \(c.shortID) was removed; it cannot be committed")
        }
        let baseManifest = try OCIJSON.decode(ImageManifest.self, from: try content.read(manifestDesc.digest))

        let paused = options.pause && c.state.status == "running"
        if paused { try setPaused(c.id, true) }
        let content = self.content, upper = snapshot.upperDir
        let layer: (descriptor: Descriptor, diffID: Digest)
        do {
            layer = try await Threads.run { try LayerArchive.diff(directory: upper, into: content, overlayWhiteouts: true) }
        } catch {
            if paused { try? setPaused(c.id, false) }
            throw EngineError.internalError("commit container \(c.shortID)", cause: error as? SyscallError)
        }
        if paused { try? setPaused(c.id, false) }

        var settings = Self.imageSettings(base: baseConfig.config ?? ImageConfig.Container(), container: c.config)
        if let body = options.config { settings = Self.imageSettings(base: settings, container: body) }
        do { try options.applyChanges(&settings) } catch let e as EngineError { throw e } catch {
            throw EngineError.invalidArgument("\(error)")
        }

        let now = WallClock.rfc3339Nano()
        var config = baseConfig
        config.config = settings
        config.rootfs.diffIDs.append(layer.diffID)
        config.history = (config.history ?? []) + [ImageConfig.History(
            created: now, author: options.author?.nilIfEmpty, createdBy: ([c.path] + c.args).joined(separator: " "),
            comment: options.comment?.nilIfEmpty)]
        config.created = now
        config.author = options.author?.nilIfEmpty
        config.comment = options.comment?.nilIfEmpty
        config.container = c.id

        let configInfo = try content.write(try OCIJSON.encode(config))
        let manifest = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configInfo.digest, size: configInfo.size),
                                     layers: baseManifest.layers + [layer.descriptor])
        let manifestInfo = try content.write(try OCIJSON.encode(manifest))
        // The new layer is unpacked now, so the image runs at once.
        let chain = Digest.chainIDs(config.rootfs.diffIDs)
        let blob = content.path(of: layer.descriptor.digest), diffID = layer.diffID, snapshots = self.snapshots
        _ = try await Threads.run { try snapshots.unpackLayer(chainID: chain.last!, diffID: diffID, blobPath: blob) }
        let record = ImageRecord(id: configInfo.digest,
                                 manifest: Descriptor(mediaType: MediaType.ociManifest, digest: manifestInfo.digest, size: manifestInfo.size),
                                 recorded: now)
        try images.put(record)
        if let reference {
            _ = try images.tag(reference, image: record.id)
            publishImage("tag", id: record.id.description, name: reference.familiarString)
        }
        var attributes = ["comment": options.comment ?? "", "imageID": record.id.description]
        if let reference { attributes["imageRef"] = reference.familiarString }
        publish(c, "commit", attributes)
        return record.id
    }

    /// The image config's container settings with the container's own laid over them.
    static func imageSettings(base: ImageConfig.Container, container c: ContainerConfig) -> ImageConfig.Container {
        var s = base
        if let v = c.user { s.user = v }
        if let v = c.env {
            // By key, as the container saw them: its own entries replace the image's.
            var env = s.env ?? []
            for entry in v {
                let key = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
                if let i = env.firstIndex(where: { $0 == key || $0.hasPrefix(key + "=") }) { env[i] = entry } else { env.append(entry) }
            }
            s.env = env
        }
        if let v = c.entrypoint {
            s.entrypoint = v
            s.cmd = nil                         // an entrypoint given at create drops the image's command, as in Docker
        }
        if let v = c.cmd { s.cmd = v }
        if let v = c.workingDir { s.workingDir = v }
        if let v = c.labels { s.labels = v }
        if let v = c.stopSignal { s.stopSignal = v }
        if let v = c.healthcheck { s.healthcheck = v }
        return s
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
