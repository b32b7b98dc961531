import BerthAPIModels
import BerthImage

extension Engine {
    /// `POST /containers/prune`: removes every container that is not running (created,
    /// exited, dead) and that `keep` does not keep (the API's until/label filters). Returns
    /// their IDs and the bytes their writable layers held; publishes Docker's `prune` event.
    public func pruneContainers(keep: @Sendable (Container) -> Bool) async throws -> (ids: [String], reclaimed: Int64) {
        let candidates = containers.values
            .filter { ["created", "exited", "dead"].contains($0.state.status) && !keep($0) }
            .sorted { $0.created < $1.created }
        var ids: [String] = []
        var reclaimed: Int64 = 0
        for c in candidates {
            let size = (try? snapshots.container(id: c.id)).flatMap { $0 }.map { LayerArchive.treeSize($0.upperDir) } ?? 0
            // A container that started or went away meanwhile is skipped, as Docker does.
            guard let now = containers[c.id], ["created", "exited", "dead"].contains(now.state.status) else { continue }
            do { try removeNow(c.id) } catch { continue }
            ids.append(c.id)
            reclaimed += size
        }
        events.publish(EngineEvent(type: "container", action: "prune", actorID: "", attributes: ["reclaimed": String(reclaimed)]))
        return (ids, reclaimed)
    }
}
