#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import Testing
@testable import BerthRuntime

/// Destinations resolve inside the rootfs; `..` and relative symlinks may not climb out.
@Suite final class SecureJoinTests {
    let root: String

    init() throws {
        var template = Array("/tmp/berth-securejoin-XXXXXX".utf8CString)
        root = String(cString: mkdtemp(&template))
        mkdir(root + "/etc", 0o755)
        symlink("/etc", root + "/abs")              // absolute: re-rooted
        symlink("../../../../..", root + "/up")      // relative: climbs out
        symlink("etc", root + "/rel")
    }

    deinit { try? Files.removeAll(root) }

    @Test func plainPaths() throws {
        #expect(try SecureJoin.resolve(root: root, path: "/etc/hosts") == root + "/etc/hosts")
        #expect(try SecureJoin.resolve(root: root, path: "/") == root)
        #expect(try SecureJoin.resolve(root: root, path: "/a/./b/../c") == root + "/a/c")
    }

    @Test func absoluteSymlinksStayInside() throws {
        #expect(try SecureJoin.resolve(root: root, path: "/abs/x") == root + "/etc/x")
        #expect(try SecureJoin.resolve(root: root, path: "/rel/x") == root + "/etc/x")
    }

    @Test func dotDotAboveRootIsRefused() {
        #expect(throws: SecureJoin.EscapeError.self) { try SecureJoin.resolve(root: root, path: "/../etc") }
        #expect(throws: SecureJoin.EscapeError.self) { try SecureJoin.resolve(root: root, path: "/a/../../etc") }
    }

    @Test func relativeSymlinkEscapeIsRefused() {
        do {
            _ = try SecureJoin.resolve(root: root, path: "/up/tmp/x")
            Issue.record("expected an escape error")
        } catch let e as SecureJoin.EscapeError {
            #expect(e.description.contains("symlink /up -> ../../../../.."))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
