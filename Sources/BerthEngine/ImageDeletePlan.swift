import BerthAPIModels
import BerthOCI

/// What `DELETE /images/{name}` does, decided from the facts alone (STYLE.md §7): which names
/// go and whether the image itself goes, or the conflict that stops it. The rules and the
/// error texts are those of Docker's daemon (moby `daemon/images/image_delete.go`):
///
/// - by name: the name is removed. If it was the image's only reference and a container
///   (running or stopped) uses the image, that needs force. When no name is left the image
///   is deleted too, unless a container uses it (then it stays, quietly, as a dangling image).
/// - by ID (or ID prefix): the image and all its names go. A running container is a hard
///   conflict (force does not help); a stopped container, or names in more than one
///   repository, need force.
public struct ImageDeletePlan: Equatable, Sendable {
    /// Names to remove, in order; each is one `Untagged` record.
    public var untag: [Reference] = []
    /// Whether the image is deleted after the names (a `Deleted` record).
    public var deleteImage = false

    /// Makes a plan.
    public init(untag: [Reference] = [], deleteImage: Bool = false) {
        self.untag = untag
        self.deleteImage = deleteImage
    }

    /// A container that uses the image.
    public struct User: Equatable, Sendable {
        /// The container's full ID.
        public var id: String
        /// True while it runs (or is paused).
        public var running: Bool
        /// Makes a user.
        public init(id: String, running: Bool) { self.id = id; self.running = running }
    }

    /// Decides the removal of `ref` (as the client sent it) from the image `imageID`, which
    /// has the names `names` and is used by `users` (in a stable order: the first one is the
    /// one the error names).
    public static func decide(ref: String, imageID: Digest, names: [Reference], users: [User],
                              force: Bool) throws(EngineError) -> ImageDeletePlan {
        var plan = ImageDeletePlan()
        var remaining = names
        let shortID = String(imageID.encoded.prefix(12))

        if !isIDPrefix(ref, of: imageID) {
            if !force && isSingleReference(names), let user = users.first {
                throw .conflict("conflict: unable to remove repository reference \"\(ref)\" (must force) - container \(user.id.prefix(12)) is using its referenced image \(shortID)")
            }
            let parsed: Reference
            do { parsed = try Reference(parsing: ref).withDefaultTag() } catch { throw .invalidArgument(error.description) }
            plan.untag.append(parsed)
            remaining.removeAll { $0 == parsed }
            // Removing a repository's last tag also removes its digest references.
            if parsed.digest == nil && !remaining.contains(where: { $0.digest == nil && $0.name == parsed.name }) {
                let digests = remaining.filter { $0.digest != nil && $0.name == parsed.name }
                plan.untag += digests
                remaining.removeAll { digests.contains($0) }
            }
            if !remaining.isEmpty { return plan }
            // The image is now untagged: it goes unless a container uses it, in which case it
            // stays without an error (Docker's "quiet" delete).
            if conflict(imageID: imageID, names: [], users: users, running: true, stopped: !force) != nil { return plan }
            plan.deleteImage = true
            return plan
        }

        if isSingleReference(names) {
            if let c = conflict(imageID: imageID, names: [], users: users, running: true, stopped: !force) { throw c }
            plan.untag += names
            remaining = []
        }
        if let c = conflict(imageID: imageID, names: remaining, users: users, running: true, stopped: !force,
                            references: !force) {
            throw c
        }
        plan.untag += remaining
        plan.deleteImage = true
        return plan
    }

    /// Docker's `checkImageDeleteConflict`, in its order: a running container (hard), other
    /// names, a stopped container.
    static func conflict(imageID: Digest, names: [Reference], users: [User], running: Bool, stopped: Bool,
                         references: Bool = false) -> EngineError? {
        let id = String(imageID.encoded.prefix(12))
        if running, let user = users.first(where: \.running) {
            return .conflict("conflict: unable to delete \(id) (cannot be forced) - image is being used by running container \(user.id.prefix(12))")
        }
        if references && !names.isEmpty {
            return .conflict("conflict: unable to delete \(id) (must be forced) - image is referenced in multiple repositories")
        }
        if stopped, let user = users.first(where: { !$0.running }) {
            return .conflict("conflict: unable to delete \(id) (must be forced) - image is being used by stopped container \(user.id.prefix(12))")
        }
        return nil
    }

    /// True when `ref` names the image by its ID or an ID prefix (`sha256:` optional).
    static func isIDPrefix(_ ref: String, of id: Digest) -> Bool {
        !ref.isEmpty && (id.description.hasPrefix(ref) || id.encoded.hasPrefix(ref))
    }

    /// Docker's `isSingleReference`: all names in one repository, with at most one tag
    /// (any number of digest references). False for no names.
    static func isSingleReference(_ names: [Reference]) -> Bool {
        if names.count <= 1 { return names.count == 1 }
        var repositories = Set<String>()
        var single: Reference?
        for n in names {
            if n.digest != nil {
                repositories.insert(n.name)
            } else if single == nil {
                repositories.insert(n.name)
                single = n
            } else {
                return false
            }
        }
        return repositories.count == 1 && repositories.contains((single ?? names[0]).name)
    }
}
