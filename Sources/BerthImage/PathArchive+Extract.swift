#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

extension PathArchive {
    /// How `extract` writes.
    public struct ExtractOptions: Sendable {
        /// Refuse to replace a directory with a non-directory or the reverse
        /// (`noOverwriteDirNonDir`).
        public var noOverwriteDirNonDir: Bool
        /// Owner for every entry instead of the archive's (`copyUIDGID`).
        public var owner: (uid: UInt32, gid: UInt32)?
        /// Renames the archive's first path component `old` to `new` on the way.
        public var rebase: (old: String, new: String)?

        /// Makes options.
        public init(noOverwriteDirNonDir: Bool = false, owner: (uid: UInt32, gid: UInt32)? = nil,
                    rebase: (old: String, new: String)? = nil) {
            self.noOverwriteDirNonDir = noOverwriteDirNonDir; self.owner = owner; self.rebase = rebase
        }
    }

    /// Reads the whole archive at `path` (tar, or tar compressed as layers may be) without
    /// writing anything: a broken archive, or an entry whose name or hardlink climbs out of
    /// the destination, is refused before a byte is extracted.
    public static func check(archive path: String) throws {
        let fd = OwnedFD(try FD.open(path, O_RDONLY))
        do {
            let stream = try DecompressedStream(fd: fd.raw)
            let reader = try TarReader(stream: stream)
            while let e = try reader.next() {
                if !e.path.hasPrefix("/") && ConfinedRoot.components(e.path) == nil {
                    throw PathError.badArchive("invalid archive entry `\(e.path)`: path escapes the destination")
                }
                if let link = e.hardlink, link.hasPrefix("/") || ConfinedRoot.components(link) == nil {
                    throw PathError.badArchive("invalid archive entry `\(e.path)`: hardlink `\(link)` escapes the destination")
                }
                try reader.readData { _, _ in }
            }
            try stream.drain()
        } catch let e as LayerError {
            throw PathError.badArchive("\(e)")
        }
    }

    /// The directory `path` of the tree at `root`, resolved through symlinks inside it, for
    /// extracting into; `notFound` or `notDirectory` otherwise.
    public static func extractionPoint(root rootPath: String, path: String) throws -> [String] {
        let root = try ConfinedRoot(path: rootPath)
        let rel = try root.resolve(path, followFinal: true)
        guard let parent = try root.openDirectory(Array(rel.dropLast())) else { throw PathError.notFound(path) }
        if let name = rel.last {
            guard let st = ConfinedRoot.statAt(parent.raw, name) else { throw PathError.notFound(path) }
            guard st.st_mode & S_IFMT == S_IFDIR else { throw PathError.notDirectory(path) }
        }
        return rel
    }

    /// Extracts the archive at `archive` into the directory `directory` of the tree at
    /// `root`. Entries stay inside that directory: names that climb out are refused, and
    /// symlinks met on the way resolve inside `root`. Call `check` first to refuse a broken
    /// archive before anything is written.
    public static func extract(archive: String, root rootPath: String, directory: String,
                               options: ExtractOptions = ExtractOptions()) throws {
        let prefix = try extractionPoint(root: rootPath, path: directory)
        let fd = OwnedFD(try FD.open(archive, O_RDONLY))
        do {
            let stream = try DecompressedStream(fd: fd.raw)
            let reader = try TarReader(stream: stream)
            var unpacker = try Unpacker(root: ConfinedRoot(path: rootPath), mode: .apply)
            unpacker.options.prefix = prefix
            unpacker.options.whiteouts = false
            unpacker.options.noOverwriteDirNonDir = options.noOverwriteDirNonDir
            unpacker.options.owner = options.owner
            unpacker.options.rebase = options.rebase
            while let entry = try reader.next() { try unpacker.apply(entry, reader: reader) }
            try unpacker.finish()
            try stream.drain()
        } catch let e as LayerError {
            throw PathError.badArchive("\(e)")
        }
    }
}
