#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem

extension ImageArchive {
    /// What `docker import` sets besides the file system.
    public struct ImportOptions: Sendable {
        /// Container defaults (from `--change` instructions, parsed by the caller).
        public var config: ImageConfig.Container?
        /// The image's platform.
        public var platform: Platform
        /// The `-m` message: the config's `comment`.
        public var message: String?
        /// Where the tar came from, for the history entry (`Imported from -`).
        public var source: String
        /// The name to tag the image with.
        public var reference: Reference?

        /// Makes options.
        public init(config: ImageConfig.Container? = nil, platform: Platform = .current, message: String? = nil,
                    source: String = "-", reference: Reference? = nil) {
            self.config = config; self.platform = platform; self.message = message
            self.source = source; self.reference = reference
        }
    }

    /// `docker import`: a root file system tar (plain, gzip, zstd, xz or bzip2) read from `fd`
    /// becomes a one-layer image. The layer is stored gzip-compressed; the tar is read
    /// entry by entry on the way, so something that is not a tar is refused.
    public static func importRootfs(fd: Int32, content: any ContentStore, images: any ImageStore,
                                    options: ImportOptions = ImportOptions()) throws -> LoadedImage {
        let writer = try content.writer()
        let compressor = try ArchiveOutput(raw: true, compression: .gzip) { try writer.write($0) }
        let stream = try DecompressedStream(fd: fd)
        stream.observer = { try compressor.writeData($0) }
        let reader = try TarReader(stream: stream)
        while try reader.next() != nil {}
        try stream.drain()
        try compressor.finish()
        let layerInfo = try writer.commit()
        let diffID = stream.hasher.finalize()

        let now = WallClock.rfc3339Nano()
        var config = ImageConfig(platform: options.platform, config: options.config, diffIDs: [diffID],
                                 history: [ImageConfig.History(created: now, comment: "Imported from \(options.source)")],
                                 created: now)
        config.comment = options.message
        let configInfo = try content.write(try OCIJSON.encode(config))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: MediaType.ociConfig, digest: configInfo.digest, size: configInfo.size),
            layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: layerInfo.digest, size: layerInfo.size)])
        let manifestInfo = try content.write(try OCIJSON.encode(manifest))
        let record = ImageRecord(id: configInfo.digest,
                                 manifest: Descriptor(mediaType: MediaType.ociManifest, digest: manifestInfo.digest, size: manifestInfo.size),
                                 recorded: now)
        try images.put(record)
        var names: [Reference] = []
        if let ref = options.reference {
            try images.tag(ref, image: record.id)
            names.append(ref.withDefaultTag())
        }
        return LoadedImage(id: record.id, names: names)
    }

    /// `importRootfs` from a file.
    public static func importRootfs(path: String, content: any ContentStore, images: any ImageStore,
                                    options: ImportOptions = ImportOptions()) throws -> LoadedImage {
        let fd = OwnedFD(try FD.open(path, O_RDONLY))
        return try importRootfs(fd: fd.raw, content: content, images: images, options: options)
    }
}
