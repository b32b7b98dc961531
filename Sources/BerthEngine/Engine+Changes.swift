import BerthAPIModels
import BerthImage
import BerthSystem

extension Engine {
    /// `GET /containers/{id}/changes`: what the container changed in its image's file
    /// system, from its overlay upper directory (works whether it runs or not).
    public func containerChanges(_ ref: String) async throws -> [LayerArchive.Change] {
        let c = try lookup(ref)
        guard let snapshot = try snapshots.container(id: c.id) else {
            throw EngineError.internalError("container \(c.shortID) has no snapshot")
        }
        let lowers = snapshot.lowers.isEmpty ? [] : try snapshots.mount(for: snapshot).lowerDirs
        let upper = snapshot.upperDir
        return try await Threads.run { try LayerArchive.changes(upper: upper, lowers: lowers) }
    }
}
