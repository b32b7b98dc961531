#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthEngine
import BerthImage
import BerthSystem
import NIOHTTP1

extension Router {
    /// `docker cp`: `HEAD`, `GET` and `PUT /containers/{id}/archive?path=`, on running and
    /// stopped containers alike.
    public mutating func addArchiveRoutes(_ engine: Engine, tempDir: String) {
        head("/containers/{id}/archive") { req in
            let info = try await engine.containerPathStat(req.parameter("id"), path: try Self.archivePath(req))
            return APIResponse(status: .ok, headers: Self.statHeaders(info, contentType: "application/json"))
        }
        get("/containers/{id}/archive") { req in
            let (info, bytes) = try await engine.containerArchive(req.parameter("id"), path: try Self.archivePath(req))
            return APIResponse(status: .ok, headers: Self.statHeaders(info, contentType: "application/x-tar"), body: .stream { w in
                for try await chunk in bytes { try await w.write(chunk) }
            })
        }
        put("/containers/{id}/archive") { req in
            let id = req.parameter("id"), path = try Self.archivePath(req)
            _ = try await engine.lookup(id)                 // a missing container fails before the body is read
            let file = try await spool(req.body, into: tempDir, prefix: "cp")
            defer { unlink(file) }
            try await engine.extractToContainer(id, path: path, archive: file,
                                                noOverwriteDirNonDir: Self.truthy(req.query["noOverwriteDirNonDir"]),
                                                copyUIDGID: Self.truthy(req.query["copyUIDGID"]))
            return APIResponse(status: .ok)
        }
    }

    static func archivePath(_ req: APIRequest) throws -> String {
        guard let path = req.query["path"], !path.isEmpty else { throw EngineError.invalidArgument("path cannot be empty") }
        return path
    }

    /// Docker's boolean query values: `1`, `true`, `True`.
    static func truthy(_ value: String?) -> Bool {
        guard let v = value?.lowercased() else { return false }
        return v == "1" || v == "true"
    }

    /// `X-Docker-Container-Path-Stat`: base64 of `{name,size,mode,mtime,linkTarget}`.
    static func statHeaders(_ s: PathArchive.PathStat, contentType: String) -> HTTPHeaders {
        let json: JSONValue = [
            "name": .string(s.name), "size": .int(s.size), "mode": .int(Int64(s.mode)),
            "mtime": .string(WallClock.format(seconds: Int(s.mtime.tv_sec), nanos: Int(s.mtime.tv_nsec))),
            "linkTarget": .string(s.linkTarget),
        ]
        return ["Content-Type": contentType, "X-Docker-Container-Path-Stat": Base64.encode(Array(json.serialized().utf8))]
    }
}
