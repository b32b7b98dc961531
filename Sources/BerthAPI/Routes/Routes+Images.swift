#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthEngine
import BerthOCI
import BerthSystem

extension Router {
    /// The image routes so far: pull or import (`POST /images/create`) and list.
    public mutating func addImageRoutes(_ engine: Engine, tempDir: String) {
        post("/images/create") { req in
            if let from = req.query["fromImage"], !from.isEmpty { return try await Router.pull(engine, req) }
            guard let source = req.query["fromSrc"], !source.isEmpty else {
                throw EngineError.invalidArgument("fromImage or fromSrc is required")
            }
            // The tar goes to a temporary file first: the importer reads a file descriptor.
            // `fromSrc=-` sends it as the body; anything else is a URL to fetch it from.
            try Files.mkdirAll(tempDir, mode: 0o700)
            let path = tempDir + "/import-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tar"
            if source == "-" {
                let fd = try FD.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
                do {
                    for try await chunk in req.body { try FD.writeAll(fd, chunk, path: path) }
                    close(fd)
                } catch {
                    close(fd)
                    unlink(path)
                    throw error
                }
            } else {
                do { try await engine.download(url: source, to: path) } catch {
                    unlink(path)
                    throw error
                }
            }
            defer { unlink(path) }
            var config: ImageConfig.Container? = nil
            let changes = req.query.all("changes")
            if !changes.isEmpty { config = try ImportChanges.parse(changes) }
            let id = try await engine.importImage(path: path, repo: req.query["repo"], tag: req.query["tag"],
                                                  message: req.query["message"], config: config)
            return .stream { w in try await w.writeJSON(["status": .string(id.description)] as JSONValue) }
        }
        get("/images/json") { _ in
            let now = Int64(WallClock.nowSeconds())
            _ = now
            let rows: [JSONValue] = try await engine.imageList().map { item in
                let tags = item.names.filter { $0.digest == nil }.map { JSONValue.string($0.familiarString) }
                let created = item.config.created.flatMap { WallClock.epochSeconds($0) } ?? 0
                return [
                    "Containers": -1, "Created": .int(Int64(created)), "Id": .string(item.record.id.description),
                    "Labels": .object(JSONObject((item.config.config?.labels ?? [:]).sorted { $0.key < $1.key }
                        .map { JSONMember($0.key, .string($0.value)) })),
                    "ParentId": "", "RepoDigests": .array([]), "RepoTags": .array(tags),
                    "SharedSize": -1, "Size": .int(item.size),
                ]
            }
            return try .json(JSONValue.array(rows))
        }
    }
}

/// `docker import --change`: the Dockerfile instructions import accepts.
enum ImportChanges {
    static func parse(_ changes: [String]) throws -> ImageConfig.Container {
        var c = ImageConfig.Container()
        for change in changes {
            let trimmed = change.trimmingSpaces
            let parts = trimmed.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw EngineError.invalidArgument("invalid change: \(change)") }
            let args = parts[1]
            func list() -> [String] {
                if args.hasPrefix("["), let v = try? OCIJSON.decode([String].self, from: Array(args.utf8)) { return v }
                return ["/bin/sh", "-c", args]
            }
            switch parts[0].uppercased() {
            case "CMD": c.cmd = list()
            case "ENTRYPOINT": c.entrypoint = list()
            case "ENV":
                let kv = args.contains("=") ? args : args.replacingFirstSpace(with: "=")
                c.env = (c.env ?? []) + [kv]
            case "WORKDIR": c.workingDir = args
            case "USER": c.user = args
            case "EXPOSE": c.exposedPorts = (c.exposedPorts ?? [:]).merging([args.contains("/") ? args : args + "/tcp": .init()]) { a, _ in a }
            case "LABEL":
                let kv = args.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
                c.labels = (c.labels ?? [:]).merging([kv[0]: kv.count > 1 ? kv[1].unquoted : ""]) { _, b in b }
            case "HEALTHCHECK": c.healthcheck = try HealthcheckChange.parse(args)
            case "VOLUME": c.volumes = (c.volumes ?? [:]).merging([args: .init()]) { a, _ in a }
            default: throw EngineError.invalidArgument("\(parts[0]) is not a valid change command")
            }
        }
        return c
    }
}

extension String {
    fileprivate func replacingFirstSpace(with s: String) -> String {
        guard let i = firstIndex(of: " ") else { return self }
        return String(self[..<i]) + s + String(self[index(after: i)...]).trimmingSpaces
    }
    fileprivate var unquoted: String {
        hasPrefix("\"") && hasSuffix("\"") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}
