#if canImport(Glibc)
import Glibc
#endif
@testable import BerthImage
import BerthOCI
import BerthSystem
import Testing

@Suite struct LayerUnpackTests {
    let tmp = TempDir()

    func fresh(_ name: String) throws -> String {
        let p = tmp.sub(name)
        try Files.mkdirAll(p)
        return p
    }

    func writeSample(_ w: TarWriter) throws {
        try w.dir("etc/", perm: 0o750)
        try w.file("etc/hostname", "box\n", perm: 0o600)
        try w.append(TarHeader(path: "bin/tool", perm: 0o4755, mtime: timespec(tv_sec: 1_000_000, tv_nsec: 0), size: 3))
        try w.writeData(Array("abc".utf8))
        try w.symlink("bin/sh", to: "tool")
        try w.hardlink("bin/tool2", to: "bin/tool")
        try w.append(TarHeader(path: "run/fifo", type: S_IFIFO, perm: 0o640))
        try w.file("./dot/slash", "x")
    }

    @Test(arguments: [LayerCompression.none, .gzip, .zstd])
    func unpacksAndComputesDiffID(compression: LayerCompression) throws {
        let plain = try makeTar(tmp.sub("plain.tar")) { try writeSample($0) }
        let blob = try makeTar(tmp.sub("layer.blob"), compression) { try writeSample($0) }
        let root = try fresh("root")
        let result = try LayerArchive.unpack(path: blob, into: root)
        #expect(result.diffID == (try sha256(ofFile: plain)))
        #expect(result.uncompressedSize == Int64(try Files.read(plain).count))
        #expect(result.entries == 7)
        #expect(try Files.readString(root + "/etc/hostname") == "box\n")
        #expect(lstatOf(root + "/etc/hostname")!.st_mode & 0o7777 == 0o600)
        #expect(lstatOf(root + "/etc")!.st_mode & 0o7777 == 0o750)
        #expect(lstatOf(root + "/bin/tool")!.st_mode & 0o7777 == 0o4755)
        #expect(lstatOf(root + "/bin/tool")!.st_mtim.tv_sec == 1_000_000)
        #expect(lstatOf(root + "/bin/tool")!.st_nlink == 2)
        #expect(lstatOf(root + "/bin/tool2")!.st_ino == lstatOf(root + "/bin/tool")!.st_ino)
        #expect(Files.readlink(root + "/bin/sh") == "tool")
        #expect(fileType(root + "/run/fifo") == S_IFIFO)
        #expect(try Files.readString(root + "/dot/slash") == "x")
    }

    @Test(.requiresRoot) func ownersDevicesAndXattrs() throws {
        let blob = try makeTar(tmp.sub("l.tar"), .gzip) { w in
            try w.append(TarHeader(path: "owned", uid: 1234, gid: 5678, size: 0))
            try w.append(TarHeader(path: "link", type: S_IFLNK, uid: 42, gid: 43, symlink: "owned"))
            try w.append(TarHeader(path: "dev/null", type: S_IFCHR, perm: 0o666, devMajor: 1, devMinor: 3))
            try w.append(TarHeader(path: "dev/sda", type: S_IFBLK, perm: 0o660, devMajor: 8, devMinor: 0))
            try w.append(TarHeader(path: "x", size: 1, xattrs: [("user.k", Array("v".utf8)), ("trusted.t", [1, 2])]))
            try w.writeData([7])
            try w.append(TarHeader(path: "d", type: S_IFDIR, perm: 0o755, xattrs: [("trusted.d", Array("y".utf8))]))
        }
        let root = try fresh("root")
        _ = try LayerArchive.unpack(path: blob, into: root)
        #expect(lstatOf(root + "/owned")!.st_uid == 1234)
        #expect(lstatOf(root + "/owned")!.st_gid == 5678)
        #expect(lstatOf(root + "/link")!.st_uid == 42)
        let null = lstatOf(root + "/dev/null")!
        #expect(null.st_mode & S_IFMT == S_IFCHR)
        #expect(null.st_rdev == 0x103)
        #expect(fileType(root + "/dev/sda") == S_IFBLK)
        #expect(getXattr(root + "/x", "user.k") == Array("v".utf8))
        #expect(getXattr(root + "/x", "trusted.t") == [1, 2])
        #expect(getXattr(root + "/d", "trusted.d") == Array("y".utf8))
    }

    @Test func sparseFileKeepsHoles() throws {
        let size: Int64 = 8 << 20
        let blob = try makeTar(tmp.sub("sparse.tar")) { w in
            try w.append(TarHeader(path: "sparse", size: size, sparse: [(0, 4096), (size - 4096, 4096)]))
            try w.writeData([UInt8](repeating: 1, count: 4096))
            try w.writeData([UInt8](repeating: 0, count: Int(size) - 8192))
            try w.writeData([UInt8](repeating: 2, count: 4096))
        }
        let root = try fresh("root")
        _ = try LayerArchive.unpack(path: blob, into: root)
        #expect(lstatOf(blob)!.st_size < 64 << 10)
        let st = lstatOf(root + "/sparse")!
        #expect(Int64(st.st_size) == size)
        #expect(Int64(st.st_blocks) * 512 < size / 2)
        let bytes = try Files.read(root + "/sparse")
        #expect(bytes[0] == 1 && bytes[4096] == 0 && bytes[Int(size) - 1] == 2)
    }

    @Test(.requiresRoot) func overlayWhiteouts() throws {
        let blob = try makeTar(tmp.sub("wh.tar")) { w in
            try w.file(".wh.gone", "")
            try w.dir("opaque/")
            try w.file("opaque/.wh..wh..opq", "")
            try w.file("opaque/kept", "k")
            try w.file("deep/er/.wh.file", "")
            try w.file(".wh..wh.plnk", "")
        }
        let root = try fresh("root")
        _ = try LayerArchive.unpack(path: blob, into: root, mode: .overlay)
        let gone = lstatOf(root + "/gone")!
        #expect(gone.st_mode & S_IFMT == S_IFCHR && gone.st_rdev == 0)
        #expect(getXattr(root + "/opaque", "trusted.overlay.opaque") == Array("y".utf8))
        #expect(fileType(root + "/deep/er/file") == S_IFCHR)
        #expect(tree(root) == ["deep", "deep/er", "deep/er/file", "gone", "opaque", "opaque/kept"])
    }

    @Test func applyWhiteouts() throws {
        let root = try fresh("root")
        let lower = try makeTar(tmp.sub("lower.tar")) { w in
            try w.file("old", "o")
            try w.file("d/a", "a")
            try w.file("d/sub/b", "b")
            try w.file("keep", "k")
        }
        _ = try LayerArchive.unpack(path: lower, into: root, mode: .apply)
        let upper = try makeTar(tmp.sub("upper.tar")) { w in
            try w.file(".wh.old", "")
            try w.file("d/new", "n")
            try w.file("d/.wh..wh..opq", "")
        }
        _ = try LayerArchive.unpack(path: upper, into: root, mode: .apply)
        #expect(tree(root) == ["d", "d/new", "keep"])
    }

    @Test func replacesExistingEntries() throws {
        let root = try fresh("root")
        let blob = try makeTar(tmp.sub("r.tar")) { w in
            try w.file("a", "first")
            try w.file("a", "second")
            try w.dir("b/")
            try w.file("b/c", "c")
            try w.file("b", "now a file")
            try w.symlink("s", to: "a")
            try w.file("s", "not through the link")
        }
        _ = try LayerArchive.unpack(path: blob, into: root)
        #expect(try Files.readString(root + "/a") == "second")
        #expect(try Files.readString(root + "/b") == "now a file")
        #expect(fileType(root + "/s") == S_IFREG)
        #expect(try Files.readString(root + "/s") == "not through the link")
    }

    @Test func corruptInputIsAnError() throws {
        let path = tmp.sub("bad.gz")
        try Files.write(path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5])
        let root = try fresh("root")
        #expect(throws: LayerError.self) { _ = try LayerArchive.unpack(path: path, into: root) }
    }
}
