import BerthAPIModels
import BerthEngine
import BerthImage
import BerthOCI
import BerthSystem

extension Router {
    /// `GET /containers/{id}/changes`, `POST /commit` and `POST /containers/prune`.
    public mutating func addCommitRoutes(_ engine: Engine) {
        get("/containers/{id}/changes") { req in
            let changes = try await engine.containerChanges(req.parameter("id"))
            // Docker answers null, not [], for a container with no changes.
            if changes.isEmpty { return .json(JSONValue.null) }
            return .json(JSONValue.array(changes.map { ["Path": .string($0.path), "Kind": .int(Int64($0.kind.rawValue))] as JSONValue }))
        }
        post("/commit") { req in
            guard let ref = req.query["container"], !ref.isEmpty else { throw EngineError.notFound("No such container: ") }
            var options = CommitOptions()
            options.repo = req.query["repo"]
            options.tag = req.query["tag"]
            options.comment = req.query["comment"]
            options.author = req.query["author"]
            if let p = req.query["pause"] { options.pause = Self.truthy(p) }
            // An empty body or JSON null keeps the container's own settings.
            if let body = try? await req.body.decode(ContainerConfig.self) { options.config = body }
            let changes = req.query.all("changes").flatMap { $0.split(separator: "\n").map(String.init) }.filter { !$0.isEmpty }
            _ = try ImportChanges.parse(changes)            // a bad instruction fails before any work
            options.applyChanges = { config in config = try ImportChanges.parse(changes, onto: config) }
            let id = try await engine.commit(ref, options)
            return .json(["Id": .string(id.description)] as JSONValue, status: .created)
        }
        post("/containers/prune") { req in
            let filters = try ImageFilters(req.query["filters"], allowed: ["until", "label", "label!"])
            let now = Int64(WallClock.nowSeconds())
            let until = try filters.until(now: now)
            let result = try await engine.pruneContainers { c in
                if let until, Int64(WallClock.epochSeconds(c.created) ?? 0) >= until { return true }
                return !filters.labelsMatch(c.config.labels ?? [:])
            }
            let deleted: JSONValue = result.ids.isEmpty ? .null : .array(result.ids.map { .string($0) })
            return .json(["ContainersDeleted": deleted, "SpaceReclaimed": .int(result.reclaimed)] as JSONValue)
        }
    }
}
