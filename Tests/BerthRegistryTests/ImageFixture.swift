#if canImport(Glibc)
import Glibc
#endif
@testable import BerthImage
import BerthOCI
import BerthSystem
import Foundation

/// A small image made in the test: two layers written with BerthImage's tar writer (one
/// gzip, one plain), a config, a manifest; optionally a second platform and an index.
struct ImageFixture {
    var blobs: [Digest: [UInt8]] = [:]
    var layers: [Descriptor] = []
    var config: Descriptor
    var manifest: Descriptor
    var manifestBytes: [UInt8]

    /// An image for `architecture` whose files mention `seed`, so two fixtures differ.
    init(seed: String, architecture: String = "amd64", dir: TempDir) throws {
        var diffIDs: [String] = []
        for (i, compression) in [LayerCompression.gzip, .none].enumerated() {
            let plain = try Self.tar(dir.sub("\(seed)-\(i).tar"), .none, seed: seed, index: i)
            let bytes = compression == .none ? plain : try Self.tar(dir.sub("\(seed)-\(i).tgz"), .gzip, seed: seed, index: i)
            diffIDs.append(Digest.sha256(of: plain).description)
            let type = compression == .none ? MediaType.ociLayer : MediaType.ociLayerGzip
            layers.append(Self.add(bytes, type, to: &blobs))
        }
        let configJSON: [String: Any] = [
            "architecture": architecture, "os": "linux",
            "config": ["Env": ["PATH=/bin"], "Cmd": ["/bin/sh"]],
            "rootfs": ["type": "layers", "diff_ids": diffIDs],
        ]
        let configBytes = Array(try JSONSerialization.data(withJSONObject: configJSON, options: [.sortedKeys]))
        config = Self.add(configBytes, MediaType.ociConfig, to: &blobs)
        manifestBytes = try OCIJSON.encode(ImageManifest(config: config, layers: layers))
        manifest = Self.add(manifestBytes, MediaType.ociManifest, to: &blobs)
    }

    static func add(_ bytes: [UInt8], _ type: String, to blobs: inout [Digest: [UInt8]]) -> Descriptor {
        let d = Digest.sha256(of: bytes)
        blobs[d] = bytes
        return Descriptor(mediaType: type, digest: d, size: Int64(bytes.count))
    }

    static func tar(_ path: String, _ compression: LayerCompression, seed: String, index: Int) throws -> [UInt8] {
        let w = try TarWriter(path: path, compression: compression)
        try w.append(TarHeader(path: "etc", type: S_IFDIR, perm: 0o755))
        try w.appendFile("etc/layer\(index)", Array("\(seed) layer \(index)\n".utf8))
        // Some bulk so chunked uploads take several requests.
        var bulk = [UInt8](repeating: 0, count: 40_000)
        for j in bulk.indices { bulk[j] = UInt8(truncatingIfNeeded: (j * 31 + index * 7 + seed.utf8.count) % 251) }
        try w.appendFile("data\(index).bin", bulk)
        try w.finish()
        return try Files.read(path)
    }

    /// Writes an OCI image layout at `dir` with this image tagged `tag`, plus an index
    /// tagged `indexTag` over `self` and `others` when given.
    func writeLayout(_ dir: String, tag: String, others: [ImageFixture] = [], indexTag: String? = nil,
                     platforms: [Platform] = []) throws -> Descriptor? {
        try Files.mkdirAll(dir + "/blobs/sha256")
        var all = blobs
        for o in others { all.merge(o.blobs) { a, _ in a } }
        var entries = [Descriptor(mediaType: MediaType.ociManifest, digest: manifest.digest, size: manifest.size,
                                  annotations: [Annotation.refName: tag])]
        var indexDescriptor: Descriptor?
        if let indexTag {
            var list: [Descriptor] = []
            for (image, platform) in zip([self] + others, platforms) {
                var d = image.manifest
                d.platform = platform
                list.append(d)
            }
            let bytes = try OCIJSON.encode(ImageIndex(manifests: list))
            var d = Self.add(bytes, MediaType.ociIndex, to: &all)
            indexDescriptor = d
            d.annotations = [Annotation.refName: indexTag]
            entries.append(d)
        }
        for (digest, bytes) in all {
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/blobs/sha256/" + digest.encoded))
        }
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/oci-layout"))
        try Data(try OCIJSON.encode(ImageIndex(manifests: entries))).write(to: URL(fileURLWithPath: dir + "/index.json"))
        return indexDescriptor
    }
}
