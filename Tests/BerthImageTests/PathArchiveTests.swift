#if canImport(Glibc)
import Glibc
#endif
@testable import BerthImage
import BerthSystem
import Testing

/// `docker cp`'s path handling: resolution inside a root, stat, archive and extract.
@Suite struct PathArchiveTests {
    /// root/{etc/passwd, abs -> /etc, rel -> ../../etc, loop -> loop, dir/}
    func makeRoot(_ t: TempDir) throws -> String {
        let root = t.sub("root")
        try Files.mkdirAll(root + "/etc")
        try Files.mkdirAll(root + "/dir")
        try Files.write(root + "/etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        symlink("/etc", root + "/abs")
        symlink("../../etc", root + "/rel")
        symlink("loop", root + "/loop")
        return root
    }

    @Test func symlinksAndDotDotResolveInsideTheRoot() throws {
        let t = TempDir()
        let root = try ConfinedRoot(path: try makeRoot(t))
        #expect(try root.resolve("/abs/passwd", followFinal: true) == ["etc", "passwd"])
        #expect(try root.resolve("rel/passwd", followFinal: true) == ["etc", "passwd"])
        #expect(try root.resolve("/../../../etc", followFinal: true) == ["etc"])
        #expect(try root.resolve("/abs", followFinal: false) == ["abs"])
        #expect(try root.resolve("/missing/x", followFinal: true) == ["missing", "x"])
        #expect(throws: SyscallError.self) { try root.resolve("/loop/x", followFinal: true) }
    }

    @Test func statReportsGoModesAndLinkTargets() throws {
        let t = TempDir()
        let root = try makeRoot(t)
        let dir = try PathArchive.stat(root: root, path: "/dir/")
        #expect(dir.name == "dir" && dir.isDirectory && dir.mode & 0o777 == 0o755)
        let link = try PathArchive.stat(root: root, path: "rel")
        #expect(link.isSymlink && link.linkTarget == "/etc")
        #expect(throws: PathArchive.PathError.notFound("/nope")) { try PathArchive.stat(root: root, path: "/nope") }
        #expect(PathArchive.goMode(S_IFCHR | 0o620) == 1 << 26 | 1 << 21 | 0o620)
        #expect(PathArchive.goMode(S_IFREG | S_ISUID | 0o755) == 1 << 23 | 0o755)
    }

    @Test func splitDirEntryMatchesDocker() {
        #expect(PathArchive.splitDirEntry("/a/b/") == ("/a", "b"))
        #expect(PathArchive.splitDirEntry("/a/.") == ("/a", "."))
        #expect(PathArchive.splitDirEntry("/a") == ("/", "a"))
        #expect(PathArchive.splitDirEntry("a") == (".", "a"))
    }

    @Test func archiveThenExtractWithRebase() throws {
        let t = TempDir()
        let root = try makeRoot(t)
        let tar = t.sub("etc.tar")
        let file = FileSink(fd: try FD.open(tar, O_WRONLY | O_CREAT, mode: 0o600), path: tar)
        try PathArchive.archive(root: root, path: "/abs/../etc", sink: { try file.write($0) })
        let out = t.sub("out")
        try Files.mkdirAll(out)
        try PathArchive.check(archive: tar)
        try PathArchive.extract(archive: tar, root: out, directory: "/",
                                options: PathArchive.ExtractOptions(rebase: (old: "etc", new: "copied")))
        #expect(try Files.readString(out + "/copied/passwd") == "root:x:0:0::/root:/bin/sh\n")
        // Extracting onto a file, or into what is not there, is refused as Docker does.
        #expect(throws: PathArchive.PathError.notDirectory("/copied/passwd")) {
            try PathArchive.extract(archive: tar, root: out, directory: "/copied/passwd")
        }
        #expect(throws: PathArchive.PathError.notFound("/nowhere")) { try PathArchive.extract(archive: tar, root: out, directory: "/nowhere") }
    }

    @Test func hostileArchivesAreRefusedBeforeWriting() throws {
        let t = TempDir()
        let tar = try makeTar(t.sub("evil.tar")) { w in
            try w.file("fine", "ok")
            try w.file("../../escape", "no")
        }
        #expect(throws: PathArchive.PathError.self) { try PathArchive.check(archive: tar) }
        let link = try makeTar(t.sub("link.tar")) { w in try w.hardlink("x", to: "../../etc/passwd") }
        #expect(throws: PathArchive.PathError.self) { try PathArchive.check(archive: link) }
        let junk = t.sub("junk.tar")
        try Files.write(junk, String(repeating: "not a tar ", count: 100))
        #expect(throws: PathArchive.PathError.self) { try PathArchive.check(archive: junk) }
    }

    @Test func noOverwriteDirNonDir() throws {
        let t = TempDir()
        let root = try makeRoot(t)
        let tar = try makeTar(t.sub("f.tar")) { w in try w.file("dir", "a file where a directory is") }
        #expect(throws: PathArchive.PathError.wouldOverwrite(entry: "/dir", directory: true)) {
            try PathArchive.extract(archive: tar, root: root, directory: "/", options: PathArchive.ExtractOptions(noOverwriteDirNonDir: true))
        }
    }

    @Test func rebasedNames() {
        #expect(Unpacker.rebased("tree/a", "tree", "copy") == "copy/a")
        #expect(Unpacker.rebased("tree", "tree", "copy") == "copy")
        #expect(Unpacker.rebased("treehouse", "tree", "copy") == "treehouse")
        #expect(Unpacker.rebased("./a", ".", "copy") == "copy/a")
    }
}
