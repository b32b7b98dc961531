#if canImport(Glibc)
import Glibc
#endif
@testable import BerthImage
import BerthOCI
import BerthSystem
import CBerth
import Testing

/// The entries of a layer blob, as `path` plus a type letter and, for whiteouts, nothing else.
func entries(ofLayer path: String) throws -> [String] {
    let fd = OwnedFD(try FD.open(path, O_RDONLY))
    let reader = try TarReader(stream: try DecompressedStream(fd: fd.raw))
    var out: [String] = []
    while let e = try reader.next() {
        let kind = e.hardlink != nil ? "h" : e.type == S_IFDIR ? "d" : e.type == S_IFLNK ? "l" : e.type == S_IFREG ? "f" : "o"
        out.append(kind + " " + e.path + (e.xattrs.isEmpty ? "" : " " + e.xattrs.map(\.name).joined(separator: ",")))
    }
    return out
}

@Suite struct LayerDiffTests {
    let tmp = TempDir()

    func writeDiff(_ dir: String, _ name: String, compression: LayerCompression = .gzip, overlay: Bool = true) throws -> (String, LayerArchive.DiffResult) {
        let out = tmp.sub(name)
        let sink = FileSink(fd: try FD.open(out, O_WRONLY | O_CREAT | O_TRUNC), path: out)
        let result = try LayerArchive.diff(directory: dir, overlayWhiteouts: overlay, compression: compression) { try sink.write($0) }
        return (out, result)
    }

    @Test(arguments: [LayerCompression.gzip, .zstd, .none])
    func roundTripsThroughUnpack(compression: LayerCompression) throws {
        let src = tmp.sub("src")
        try Files.mkdirAll(src + "/etc/sub")
        try Files.write(src + "/etc/a", "alpha", mode: 0o640)
        try Files.write(src + "/big", (0..<200_000).map { UInt8($0 % 13) })
        #expect(link(src + "/etc/a", src + "/etc/a-link") == 0)
        #expect(symlink("etc/a", src + "/sym") == 0)
        #expect(mkfifo(src + "/fifo", 0o600) == 0)
        #expect(berth_lsetxattr(src + "/etc/a", "user.note", "hi", 2) == 0 || errno == ENOTSUP)
        let (blob, result) = try writeDiff(src, "layer", compression: compression)
        let dst = tmp.sub("dst")
        try Files.mkdirAll(dst)
        let unpacked = try LayerArchive.unpack(path: blob, into: dst)
        #expect(unpacked.diffID == result.diffID)
        #expect(unpacked.uncompressedSize == result.uncompressedSize)
        #expect(tree(dst) == tree(src))
        #expect(try Files.read(dst + "/big") == (try Files.read(src + "/big")))
        #expect(lstatOf(dst + "/etc/a")!.st_ino == lstatOf(dst + "/etc/a-link")!.st_ino)
        #expect(lstatOf(dst + "/etc/a")!.st_mode & 0o777 == 0o640)
        #expect(Files.readlink(dst + "/sym") == "etc/a")
        #expect(fileType(dst + "/fifo") == S_IFIFO)
        #expect(lstatOf(dst + "/etc/a")!.st_mtim.tv_sec == lstatOf(src + "/etc/a")!.st_mtim.tv_sec)
        if getXattr(src + "/etc/a", "user.note") != nil { #expect(getXattr(dst + "/etc/a", "user.note") == Array("hi".utf8)) }
        // The same tree gives the same bytes.
        #expect(try writeDiff(src, "again", compression: compression).1 == result)
    }

    @Test(.requiresRoot) func overlayWhiteoutsBecomeWhiteoutEntries() throws {
        let upper = tmp.sub("upper")
        try Files.mkdirAll(upper + "/opaque")
        try Files.mkdirAll(upper + "/plain")
        #expect(berth_mknod(upper + "/gone", S_IFCHR, 0, 0) == 0)
        #expect(berth_mknod(upper + "/plain/gone2", S_IFCHR, 0, 0) == 0)
        #expect(berth_mknod(upper + "/null", S_IFCHR | 0o666, 1, 3) == 0)
        #expect(berth_lsetxattr(upper + "/opaque", "trusted.overlay.opaque", "y", 1) == 0)
        #expect(berth_lsetxattr(upper + "/plain", "trusted.overlay.origin", "x", 1) == 0)
        #expect(berth_lsetxattr(upper + "/plain", "trusted.keep", "k", 1) == 0)
        try Files.write(upper + "/opaque/new", "n")
        let (blob, _) = try writeDiff(upper, "diff.tgz")
        let got = try entries(ofLayer: blob)
        #expect(got == [
            "f .wh.gone", "o null", "d opaque/", "f opaque/.wh..wh..opq", "f opaque/new",
            "d plain/ trusted.keep", "f plain/.wh.gone2",
        ], "\(got)")
        // Unpacked as an overlay layer, the whiteouts come back as they were.
        let back = tmp.sub("back")
        try Files.mkdirAll(back)
        _ = try LayerArchive.unpack(path: blob, into: back)
        #expect(lstatOf(back + "/gone")!.st_rdev == 0 && fileType(back + "/gone") == S_IFCHR)
        #expect(getXattr(back + "/opaque", "trusted.overlay.opaque") == Array("y".utf8))
        #expect(lstatOf(back + "/null")!.st_rdev == 0x103)
        // Exported without conversion, a whiteout is just a device.
        let (plainBlob, _) = try writeDiff(upper, "export.tar", compression: .none, overlay: false)
        #expect(try entries(ofLayer: plainBlob).contains("o gone"))
    }

    @Test func diffIntoContentStore() throws {
        let src = tmp.sub("src")
        try Files.mkdirAll(src)
        try Files.write(src + "/f", "x")
        let store = try ContentStores.local(root: tmp.sub("data"))
        let (desc, diffID) = try LayerArchive.diff(directory: src, into: store)
        #expect(desc.mediaType == MediaType.ociLayerGzip)
        #expect(try store.info(desc.digest)?.size == desc.size)
        let dst = tmp.sub("dst")
        try Files.mkdirAll(dst)
        #expect(try LayerArchive.unpack(path: store.path(of: desc.digest), into: dst).diffID == diffID)
    }
}
