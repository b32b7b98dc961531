#if canImport(Glibc)
import Glibc
#endif
@testable import BerthImage
import BerthOCI
import BerthSystem
import Testing

/// Layers crafted to write outside the snapshot. Each must fail or stay inside, and the
/// directory beside the snapshot must be untouched afterwards.
@Suite struct HostileLayerTests {
    let tmp = TempDir()
    var root: String { tmp.sub("root") }
    var outside: String { tmp.sub("outside") }

    init() throws {
        try Files.mkdirAll(tmp.sub("root"))
        try Files.mkdirAll(tmp.sub("outside"))
        try Files.write(tmp.sub("outside") + "/secret", "untouched")
    }

    func outsideIsUntouched() throws {
        #expect(tree(outside) == ["secret"])
        #expect(try Files.readString(outside + "/secret") == "untouched")
        #expect(lstatOf(outside + "/secret")!.st_nlink == 1)
        #expect(tree(tmp.path).allSatisfy { $0 == "root" || $0.hasPrefix("root/") || $0.hasPrefix("outside") || $0.hasSuffix(".tar") })
    }

    func unpack(_ mode: LayerArchive.WhiteoutMode = .apply, _ body: (TarWriter) throws -> Void) throws -> LayerArchive.UnpackResult {
        let blob = try makeTar(tmp.sub("evil.tar"), .gzip, body)
        return try LayerArchive.unpack(path: blob, into: root, mode: mode)
    }

    @Test func dotDotEntryIsRefused() throws {
        #expect(throws: LayerError.pathEscapes(entry: "../outside/pwned")) {
            _ = try unpack { try $0.file("../outside/pwned", "x") }
        }
        #expect(throws: LayerError.pathEscapes(entry: "a/../../outside/secret")) {
            _ = try unpack { try $0.file("a/../../outside/secret", "x") }
        }
        try outsideIsUntouched()
    }

    @Test func absoluteEntryIsConfined() throws {
        _ = try unpack { try $0.file(outside + "/pwned", "x"); try $0.file("/../../etc-like", "y") }
        #expect(try Files.readString(root + outside + "/pwned") == "x")
        #expect(try Files.readString(root + "/etc-like") == "y")
        try outsideIsUntouched()
    }

    @Test func writingThroughAnAbsoluteSymlinkStaysInside() throws {
        _ = try unpack { w in
            try w.dir(outside + "/")                      // absolute: lands at root/<outside>
            try w.symlink("evil", to: outside)
            try w.file("evil/pwned", "x")
            try w.file("evil/secret", "overwritten?")
            try w.symlink("slash", to: "/")
            try w.file("slash/at-root", "r")
        }
        #expect(Files.readlink(root + "/evil") == outside)
        #expect(try Files.readString(root + outside + "/pwned") == "x")
        #expect(try Files.readString(root + outside + "/secret") == "overwritten?")
        #expect(try Files.readString(root + "/at-root") == "r")
        try outsideIsUntouched()
    }

    @Test func danglingSymlinkDirectoryIsAnError() throws {
        #expect(throws: SyscallError.self) {
            _ = try unpack { w in
                try w.symlink("evil", to: outside)            // outside exists on the host, not in root
                try w.file("evil/pwned", "x")
            }
        }
        #expect(throws: SyscallError.self) {
            _ = try unpack { w in
                try w.symlink("sub/link", to: "../../outside")
                try w.file("sub/link/pwned", "y")
            }
        }
        try outsideIsUntouched()
    }

    @Test func writingThroughARelativeSymlinkStaysInside() throws {
        _ = try unpack { w in
            try w.symlink("up", to: "../../../../../../../../..")
            try w.file("up/pwned", "x")
            try w.dir("up/made/")
        }
        #expect(try Files.readString(root + "/pwned") == "x")
        #expect(Files.isDirectory(root + "/made"))
        // Lexically `../escape`, whatever `up` points to: refused before any lookup.
        #expect(throws: LayerError.pathEscapes(entry: "up/../../escape")) {
            _ = try unpack { try $0.file("up/../../escape", "z") }
        }
        try outsideIsUntouched()
    }

    @Test func hardlinkOutsideIsRefused() throws {
        #expect(throws: LayerError.linkEscapes(entry: "h", target: "../outside/secret")) {
            _ = try unpack { try $0.hardlink("h", to: "../outside/secret") }
        }
        try outsideIsUntouched()
    }

    @Test func hardlinkThroughSymlinkCannotReachOutside() throws {
        #expect(throws: SyscallError.self) {
            _ = try unpack { w in
                try w.symlink("evil", to: outside)
                try w.hardlink("h", to: "evil/secret")
            }
        }
        #expect(!Files.exists(root + "/h"))
        try outsideIsUntouched()
    }

    @Test func hardlinkToAbsolutePathIsConfined() throws {
        #expect(throws: SyscallError.self) {
            _ = try unpack { try $0.hardlink("h", to: outside + "/secret") }
        }
        try outsideIsUntouched()
    }

    @Test func whiteoutsThroughSymlinksStayInside() throws {
        _ = try unpack(.apply) { w in
            try w.symlink("evil", to: outside)
            try w.file("evil/.wh.secret", "")
            try w.file("evil/.wh..wh..opq", "")
            try w.symlink("slash", to: "/")
            try w.file("slash/.wh.secret", "")
        }
        try outsideIsUntouched()
        #expect(throws: LayerError.self) {
            _ = try unpack(.apply) { try $0.file("a/.wh...", "") }
        }
        try outsideIsUntouched()
    }

    @Test(.requiresRoot) func overlayWhiteoutsThroughSymlinksStayInside() throws {
        _ = try unpack(.overlay) { w in
            try w.dir(outside + "/")
            try w.symlink("evil", to: outside)
            try w.file("evil/.wh.secret", "")
            try w.file("evil/.wh..wh..opq", "")
        }
        #expect(fileType(root + outside + "/secret") == S_IFCHR)
        #expect(getXattr(outside, "trusted.overlay.opaque") == nil)
        try outsideIsUntouched()
    }

    @Test func replacingASymlinkDoesNotWriteThroughIt() throws {
        _ = try unpack { w in
            try w.symlink("s", to: outside + "/secret")
            try w.file("s", "replaced")
            try w.symlink("d", to: outside)
            try w.dir("d/")
        }
        #expect(fileType(root + "/s") == S_IFREG)
        #expect(fileType(root + "/d") == S_IFDIR)
        try outsideIsUntouched()
    }
}
