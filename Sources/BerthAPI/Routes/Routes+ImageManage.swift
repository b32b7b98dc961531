#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthEngine
import BerthOCI
import BerthSystem

extension Router {
    /// Image management: list (with filters), inspect, history, tag, remove, prune, save
    /// and load; and container export. Register before `addImageRoutes`: its `GET /images/json`
    /// replaces the plainer one there.
    public mutating func addImageManageRoutes(_ engine: Engine, tempDir: String) {
        get("/images/json") { req in
            var filters = try ImageFilters(req.query["filters"], allowed: ["dangling", "label", "before", "since", "reference", "until"])
            if let name = filters.terms["before"]?.last { filters.beforeTime = try await engine.imageSummary(name).createdSeconds }
            if let name = filters.terms["since"]?.last { filters.sinceTime = try await engine.imageSummary(name).createdSeconds }
            let now = Int64(WallClock.nowSeconds())
            var rows: [(created: Int64, json: JSONValue)] = []
            for image in try await engine.imageSummaries() {
                guard let names = try filters.select(image, now: now) else { continue }
                rows.append((image.createdSeconds, ImageJSON.summary(image, names: names)))
            }
            // Newest first, as Docker lists them.
            return .json(JSONValue.array(rows.sorted { $0.created > $1.created }.map(\.json)))
        }
        get("/images/get") { req in
            try archive(try await engine.saveArchive(req.query.all("names").flatMap { $0.split(separator: ",").map(String.init) }))
        }
        post("/images/load") { req in
            let path = try await spool(req.body, into: tempDir, prefix: "load")
            defer { unlink(path) }
            let loaded = try await engine.loadImages(archive: path)
            return .stream { w in
                for image in loaded {
                    let lines = image.names.isEmpty ? ["Loaded image ID: \(image.id)"] : image.names.map { "Loaded image: \($0)" }
                    for line in lines { try await w.writeJSON(["stream": .string(line + "\n")] as JSONValue) }
                }
            }
        }
        post("/images/prune") { req in
            let filters = try ImageFilters(req.query["filters"], allowed: ["dangling", "label", "label!", "until"])
            let danglingOnly = try filters.dangling() ?? true
            let now = Int64(WallClock.nowSeconds())
            let result = try await engine.pruneImages(danglingOnly: danglingOnly) { image in
                // dangling is the engine's to decide (it needs the containers); the rest is here.
                var rest = filters
                rest.terms["dangling"] = nil
                return (try? rest.select(image, now: now)) == nil
            }
            let deleted: JSONValue = result.records.isEmpty ? .null : ImageJSON.deleted(result.records)
            return .json(["ImagesDeleted": deleted, "SpaceReclaimed": .int(result.reclaimed)] as JSONValue)
        }
        get("/images/{name*}/json") { req in
            .json(ImageJSON.inspect(try await engine.imageSummary(req.parameter("name"))))
        }
        get("/images/{name*}/history") { req in
            .json(ImageJSON.history(try await engine.imageHistory(req.parameter("name"))))
        }
        get("/images/{name*}/get") { req in
            try archive(try await engine.saveArchive([req.parameter("name")]))
        }
        post("/images/{name*}/tag") { req in
            try await engine.tagImage(req.parameter("name"), repo: req.query["repo"], tag: req.query["tag"])
            return APIResponse(status: .created)
        }
        delete("/images/{name*}") { req in
            .json(ImageJSON.deleted(try await engine.deleteImage(req.parameter("name"), force: req.query.bool("force"))))
        }
        get("/containers/{id}/export") { req in
            try archive(try await engine.exportContainer(req.parameter("id")))
        }
    }
}

/// A tar produced on a thread, streamed as `application/x-tar`.
private func archive(_ bytes: BlockingByteStream) throws -> APIResponse {
    .stream(contentType: "application/x-tar") { w in
        for try await chunk in bytes { try await w.write(chunk) }
    }
}

/// Writes a request body to a new file under `dir` (the archive readers take a file) and
/// returns its path; nothing is left behind if the body breaks off.
func spool(_ body: RequestBody, into dir: String, prefix: String) async throws -> String {
    try Files.mkdirAll(dir, mode: 0o700)
    let path = dir + "/\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tar"
    let fd = try FD.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
    do {
        for try await chunk in body { try FD.writeAll(fd, chunk, path: path) }
        close(fd)
    } catch {
        close(fd)
        unlink(path)
        throw error
    }
    return path
}
