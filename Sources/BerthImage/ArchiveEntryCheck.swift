/// The entries `docker load` refuses: names and link targets that point outside the archive.
///
/// An image archive (`docker save`, OCI archive) is only blobs and a few JSON files, so
/// unlike a layer it never needs an absolute name, a name that climbs out with `..`, or a
/// link to something outside it. Docker's loader untars into a chroot and fails with a
/// breakout error on such entries; Berth refuses them before using them, so a hostile
/// archive is an error rather than silently half-loaded.
public enum ArchiveEntryCheck {
    /// Why an entry was refused; `description` names the entry.
    public struct UnsafeEntry: Error, Equatable, Sendable, CustomStringConvertible {
        /// The entry's name in the archive.
        public var path: String
        /// What is wrong with it.
        public var reason: String

        public var description: String { "invalid archive entry `\(path)`: \(reason)" }
    }

    /// Checks one entry: its name, and the target of a symlink (relative to the link's
    /// directory) or of a hardlink (relative to the archive root). Returns the cleaned
    /// components of the name (empty for the root itself).
    @discardableResult
    public static func check(path: String, symlink: String? = nil, hardlink: String? = nil) throws(UnsafeEntry) -> [String] {
        if path.hasPrefix("/") { throw UnsafeEntry(path: path, reason: "absolute path") }
        guard let rel = ConfinedRoot.components(path) else {
            throw UnsafeEntry(path: path, reason: "path escapes the archive")
        }
        if let target = symlink {
            if target.hasPrefix("/") { throw UnsafeEntry(path: path, reason: "symlink to absolute path `\(target)`") }
            guard ConfinedRoot.components((rel.dropLast() + [target]).joined(separator: "/")) != nil else {
                throw UnsafeEntry(path: path, reason: "symlink `\(target)` escapes the archive")
            }
        }
        if let target = hardlink {
            guard !target.hasPrefix("/"), ConfinedRoot.components(target) != nil else {
                throw UnsafeEntry(path: path, reason: "hardlink `\(target)` escapes the archive")
            }
        }
        return rel
    }
}
