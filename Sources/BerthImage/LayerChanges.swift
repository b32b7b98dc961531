#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

extension LayerArchive {
    /// One entry of `GET /containers/{id}/changes`.
    public struct Change: Sendable, Equatable {
        /// Docker's kinds: 0 modified, 1 added, 2 deleted.
        public enum Kind: Int, Sendable { case modified = 0, added = 1, deleted = 2 }
        /// Absolute path in the container.
        public var path: String
        /// What happened to it.
        public var kind: Kind
    }

    /// The changes a container's overlay upper directory `upper` makes to the layers
    /// `lowers` (topmost first), as Docker's `OverlayChanges`: a 0/0 character device (a
    /// whiteout) is a deletion, an entry some lower layer has is a modification, anything
    /// else was added; an opaque directory the layers had is a deletion too. Walked in lexical order, parents before children, as `filepath.Walk`.
    public static func changes(upper: String, lowers: [String]) throws -> [Change] {
        // The lower layers as root fds; lookups resolve inside each with RESOLVE_IN_ROOT.
        var lowerFDs: [Int32] = []
        defer { lowerFDs.forEach { close($0) } }
        for lower in lowers { lowerFDs.append(try FD.open(lower, O_RDONLY | O_DIRECTORY)) }
        var out: [Change] = []
        func inLower(_ rel: [String]) -> Bool {
            let parent = rel.dropLast().isEmpty ? "." : rel.dropLast().joined(separator: "/")
            for root in lowerFDs {
                let dir = berth_openat2_in_root(root, parent, BERTH_O_PATH | O_DIRECTORY | BERTH_O_CLOEXEC)
                guard dir >= 0 else { continue }
                defer { close(dir) }
                if ConfinedRoot.statAt(dir, rel.last!) != nil { return true }
            }
            return false
        }
        func walk(_ dirFD: Int32, _ prefix: [String]) throws {
            let host = ([upper] + prefix).joined(separator: "/")
            for name in try ConfinedRoot.listAt(dirFD, hostPath: host).sorted() {
                let rel = prefix + [name]
                guard let st = ConfinedRoot.statAt(dirFD, name) else { continue }
                let path = "/" + rel.joined(separator: "/")
                let type = st.st_mode & S_IFMT
                if type == S_IFCHR && st.st_rdev == 0 {
                    out.append(Change(path: path, kind: .deleted))
                    continue
                }
                // A directory removed and made again is opaque: what the layers below had
                // in it is gone, so Docker's OverlayChanges reports it deleted (its new
                // content follows as added).
                let opaque = type == S_IFDIR && TreeWalker.xattr(procPath(dirFD, name), "trusted.overlay.opaque") == [UInt8(ascii: "y")]
                let below = inLower(rel)
                out.append(Change(path: path, kind: opaque && below ? .deleted : below ? .modified : .added))
                if type == S_IFDIR {
                    let child = OwnedFD(try sys("openat", path: host + "/" + name) {
                        openat(dirFD, name, O_RDONLY | O_DIRECTORY | BERTH_O_NOFOLLOW | BERTH_O_CLOEXEC)
                    })
                    try walk(child.raw, rel)
                }
            }
        }
        let root = OwnedFD(try FD.open(upper, O_RDONLY | O_DIRECTORY))
        try walk(root.raw, [])
        return out
    }
}
