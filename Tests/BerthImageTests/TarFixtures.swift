#if canImport(Glibc)
import Glibc
#endif
@testable import BerthImage
import BerthOCI
import BerthSystem
import CBerth

/// Builds a tar with libarchive (never the tar binary) and returns its path.
@discardableResult
func makeTar(_ path: String, _ compression: LayerCompression = .none, _ body: (TarWriter) throws -> Void) throws -> String {
    let w = try TarWriter(path: path, compression: compression)
    try body(w)
    try w.finish()
    return path
}

extension TarWriter {
    func dir(_ path: String, perm: mode_t = 0o755, uid: UInt32 = 0, gid: UInt32 = 0) throws {
        try append(TarHeader(path: path, type: S_IFDIR, perm: perm, uid: uid, gid: gid))
    }
    func symlink(_ path: String, to target: String) throws {
        try append(TarHeader(path: path, type: S_IFLNK, perm: 0o777, symlink: target))
    }
    func hardlink(_ path: String, to target: String) throws {
        try append(TarHeader(path: path, hardlink: target))
    }
    func file(_ path: String, _ text: String, perm: mode_t = 0o644) throws {
        try appendFile(path, Array(text.utf8), perm: perm)
    }
}

func sha256(ofFile path: String) throws -> Digest { Digest.sha256(of: try Files.read(path)) }

func getXattr(_ path: String, _ name: String) -> [UInt8]? {
    var buf = [UInt8](repeating: 0, count: 256)
    let n = berth_lgetxattr(path, name, &buf, buf.count)
    return n < 0 ? nil : Array(buf[0..<n])
}

/// Everything under `path`, as sorted relative paths (no symlinks followed).
func tree(_ path: String, _ prefix: String = "") -> [String] {
    var out: [String] = []
    for name in ((try? Files.list(path)) ?? []).sorted() {
        let rel = prefix.isEmpty ? name : prefix + "/" + name
        out.append(rel)
        if fileType(path + "/" + name) == S_IFDIR { out += tree(path + "/" + name, rel) }
    }
    return out
}
