#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

extension ImageArchive {
    /// Loads a `docker save` tar or an OCI archive tar (possibly gzip/zstd compressed), as
    /// `docker load` does: blobs go to `content` (each verified against its name), images and
    /// names to `images`. An index picks the manifest for `platform`.
    public static func load(archive path: String, content: any ContentStore, images: any ImageStore,
                            platform: Platform = .current) throws -> [LoadedImage] {
        let fd = OwnedFD(try FD.open(path, O_RDONLY))
        return try load(fd: fd.raw, content: content, images: images, platform: platform)
    }

    /// `load(archive:…)` reading from `fd`, e.g. a pipe fed by an HTTP request body.
    public static func load(fd: Int32, content: any ContentStore, images: any ImageStore,
                            platform: Platform = .current) throws -> [LoadedImage] {
        let stream = try DecompressedStream(fd: fd)
        let reader = try TarReader(stream: stream)
        var meta: [String: [UInt8]] = [:]
        var legacy: [String: Digest] = [:]                  // old-format files: path → stored digest
        var links: [String: String] = [:]                   // symlinks and hardlinks: path → target path
        while let e = try reader.next() {
            // Names and links that leave the archive are refused, not skipped (ArchiveEntryCheck).
            let rel = try ArchiveEntryCheck.check(path: e.path, symlink: e.type == S_IFLNK ? e.symlink : nil, hardlink: e.hardlink)
            if rel.isEmpty { continue }
            let path = rel.joined(separator: "/")
            if let target = e.hardlink {
                if let t = ConfinedRoot.components(target) { links[path] = t.joined(separator: "/") }
                continue
            }
            if e.type == S_IFLNK, let target = e.symlink {
                if let t = ConfinedRoot.components((rel.dropLast() + [target]).joined(separator: "/")) {
                    links[path] = t.joined(separator: "/")
                }
                continue
            }
            guard e.type == S_IFREG else { continue }
            if let d = blobDigest(path) {
                if content.contains(d) { continue }
                let w = try content.writer(expecting: d, size: e.size)
                try reader.readData { _, chunk in try w.write(chunk) }
                try w.commit()
            } else if metadataFiles.contains(path) {
                var bytes: [UInt8] = []
                try reader.readData { _, chunk in
                    bytes.append(contentsOf: chunk)
                    if bytes.count > 64 << 20 { throw ArchiveError.notAnImageArchive(path) }
                }
                meta[path] = bytes
            } else if path.hasSuffix(".tar") || path.hasSuffix(".json") {
                // The pre-OCI save format: `<id>/layer.tar` and `<config hex>.json`.
                let w = try content.writer()
                try reader.readData { _, chunk in try w.write(chunk) }
                legacy[path] = try w.commit().digest
            }
        }
        try stream.drain()
        func resolve(_ path: String) -> Digest? {
            var p = ConfinedRoot.components(path)?.joined(separator: "/") ?? path
            for _ in 0..<16 {
                if let d = blobDigest(p) ?? legacy[p] { return d }
                guard let next = links[p] else { return nil }
                p = next
            }
            return nil
        }
        let fetch: (Digest) throws -> Void = { d in
            if !content.contains(d) { throw ArchiveError.missingBlob(d.description) }
        }
        return try register(meta: meta, source: "archive", resolvePath: resolve, fetch: fetch,
                            content: content, images: images, platform: platform)
    }

    /// Loads the images of an OCI image layout directory (`oci-layout`, `index.json`,
    /// `blobs/`), copying only the blobs the chosen manifests need.
    public static func load(layout dir: String, content: any ContentStore, images: any ImageStore,
                            platform: Platform = .current) throws -> [LoadedImage] {
        var meta: [String: [UInt8]] = [:]
        for name in metadataFiles where Files.exists(dir + "/" + name) { meta[name] = try Files.read(dir + "/" + name) }
        let fetch: (Digest) throws -> Void = { d in
            if content.contains(d) { return }
            let path = dir + "/" + blobPath(d)
            guard Files.exists(path) else { throw ArchiveError.missingBlob(d.description) }
            let fd = OwnedFD(try FD.open(path, O_RDONLY | BERTH_O_NOFOLLOW))
            let w = try content.writer(expecting: d, size: nil)
            var buf = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try buf.withUnsafeMutableBytes { b in try sys("read", path: path) { read(fd.raw, b.baseAddress, b.count) } }
                if n == 0 { break }
                try buf.withUnsafeBytes { try w.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            try w.commit()
        }
        return try register(meta: meta, source: dir, resolvePath: blobDigest, fetch: fetch,
                            content: content, images: images, platform: platform)
    }

    static let metadataFiles: Set<String> = ["index.json", "manifest.json", "oci-layout", "repositories"]
}
