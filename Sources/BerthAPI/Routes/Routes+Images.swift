#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthEngine
import BerthOCI
import BerthSystem

extension Router {
    /// `POST /images/create`: pull (`fromImage`) or import (`fromSrc`). The other image routes
    /// are in Routes+ImageManage.swift and Routes+Registry.swift.
    public mutating func addImageRoutes(_ engine: Engine, tempDir: String) {
        post("/images/create") { req in
            if let from = req.query["fromImage"], !from.isEmpty { return try await Router.pull(engine, req) }
            guard let source = req.query["fromSrc"], !source.isEmpty else {
                throw EngineError.invalidArgument("fromImage or fromSrc is required")
            }
            // The tar goes to a temporary file first: the importer reads a file descriptor.
            // `fromSrc=-` sends it as the body; anything else is a URL to fetch it from.
            let path: String
            if source == "-" {
                path = try await spool(req.body, into: tempDir, prefix: "import")
            } else {
                try Files.mkdirAll(tempDir, mode: 0o700)
                path = tempDir + "/import-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tar"
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
    }
}

/// `docker import --change` and `docker commit --change`: the Dockerfile instructions
/// they accept, applied in order onto `base`.
enum ImportChanges {
    static func parse(_ changes: [String], onto base: ImageConfig.Container = ImageConfig.Container()) throws -> ImageConfig.Container {
        var c = base
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
                let kv = args.contains("=" as Character) ? args : args.replacingFirstSpace(with: "=")
                c.env = (c.env ?? []) + [kv]
            case "WORKDIR": c.workingDir = args
            case "USER": c.user = args
            case "EXPOSE":
                for port in args.split(separator: " ").map(String.init) {
                    c.exposedPorts = (c.exposedPorts ?? [:]).merging([port.contains("/" as Character) ? port : port + "/tcp": .init()]) { a, _ in a }
                }
            case "LABEL":
                let kv = args.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
                c.labels = (c.labels ?? [:]).merging([kv[0]: kv.count > 1 ? kv[1].unquoted : ""]) { _, b in b }
            case "HEALTHCHECK": c.healthcheck = try HealthcheckChange.parse(args)
            case "VOLUME":
                let paths = args.hasPrefix("[") ? list() : args.split(separator: " ").map(String.init)
                for path in paths { c.volumes = (c.volumes ?? [:]).merging([path: .init()]) { a, _ in a } }
            case "STOPSIGNAL": c.stopSignal = args
            case "ONBUILD": c.onBuild = (c.onBuild ?? []) + [args]
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
