#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

extension ConfinedRoot {
    /// Resolves `path` inside the root the way Docker's `FollowSymlinkInScope` does: `..`
    /// stops at the root, a symlink's target (absolute or relative) is read as if the root
    /// were `/`, and components that do not exist are kept as they are. With `followFinal`
    /// false the last component is not followed (lstat semantics).
    ///
    /// Returns the clean components of the resolved path, free of symlinks up to the last
    /// one; `ELOOP` after 255 links.
    func resolve(_ path: String, followFinal: Bool) throws -> [String] {
        var pending = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var resolved: [String] = []
        var links = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == "." { continue }
            if part == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                continue
            }
            if pending.isEmpty && !followFinal { resolved.append(part); break }
            guard let dir = try openDirectory(resolved), let st = Self.statAt(dir.raw, part),
                  st.st_mode & S_IFMT == S_IFLNK else {
                resolved.append(part)
                continue
            }
            links += 1
            if links > 255 { throw SyscallError(syscall: "resolve", path: hostPath(resolved + [part]), code: ELOOP) }
            let target = try Self.readLinkAt(dir.raw, part, hostPath: hostPath(resolved + [part]))
            if target.hasPrefix("/") { resolved = [] }
            pending = target.split(separator: "/", omittingEmptySubsequences: true).map(String.init) + pending
        }
        return resolved
    }

    /// The target of the symlink `name` in `dir`.
    static func readLinkAt(_ dir: Int32, _ name: String, hostPath: String) throws -> String {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = try sys("readlinkat", path: hostPath) { readlinkat(dir, name, &buf, 4096) }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
