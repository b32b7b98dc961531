import BerthAPIModels
import BerthEngine
import BerthSystem

extension Router {
    /// The volume routes: list, create, inspect, remove, prune.
    public mutating func addVolumeRoutes(_ engine: Engine) {
        get("/volumes") { req in
            let filters = try VolumeFilters(req.query["filters"])
            var out: [JSONValue] = []
            for v in await engine.listVolumes() {
                let inUse = !(await engine.volumeUsers(v.name)).isEmpty
                guard filters.matches(v, inUse: inUse) else { continue }
                out.append(VolumeJSON.volume(v, mountpoint: await engine.volumeMountpoint(v.name)))
            }
            return .json(["Volumes": .array(out), "Warnings": .array([])] as JSONValue)
        }
        post("/volumes/create") { req in
            let body = try await req.body.decode(JSONValue.self)
            func dict(_ v: JSONValue?) throws -> [String: String] {
                var d: [String: String] = [:]
                for m in v?.objectValue ?? [:] {
                    guard let s = m.value.stringValue else { throw EngineError.invalidArgument("invalid value for \(m.key): not a string") }
                    d[m.key] = s
                }
                return d
            }
            let v = try await engine.createVolume(name: body["Name"]?.stringValue, driver: body["Driver"]?.stringValue,
                                                  labels: try dict(body["Labels"]), options: try dict(body["DriverOpts"]))
            return .json(VolumeJSON.volume(v, mountpoint: await engine.volumeMountpoint(v.name)), status: .created)
        }
        post("/volumes/prune") { req in
            let terms = try FilterTerms.parse(req.query["filters"], allowed: ["label", "label!", "all"])
            // Since API 1.42 only anonymous volumes go unless `all` (Docker's rule).
            let old = req.requestedVersion.map { $0 < APIVersion(1, 42) } ?? false
            let all = old || (terms["all"] ?? []).contains { ["1", "true", "True", "TRUE"].contains($0) }
            let filters = VolumeFilters(terms: terms)
            let (deleted, reclaimed) = await engine.pruneVolumes(all: all) { filters.labelsMatch($0) }
            return .json(["VolumesDeleted": deleted.isEmpty ? .null : .array(deleted.map { .string($0) }),
                          "SpaceReclaimed": .int(reclaimed)] as JSONValue)
        }
        get("/volumes/{name}") { req in
            let v = try await engine.volume(req.parameter("name"))
            return .json(VolumeJSON.volume(v, mountpoint: await engine.volumeMountpoint(v.name)))
        }
        delete("/volumes/{name}") { req in
            try await engine.removeVolume(req.parameter("name"), force: req.query.bool("force"))
            return .noContent
        }
    }
}

/// `GET /volumes?filters=…` (dangling, driver, label, name) and prune's label filters.
struct VolumeFilters {
    var terms: [String: [String]]

    init(_ raw: String?) throws {
        terms = try FilterTerms.parse(raw, allowed: ["dangling", "driver", "label", "name"])
        for d in terms["dangling"] ?? [] where !["true", "false", "1", "0"].contains(d.lowercased()) {
            throw EngineError.invalidArgument("invalid filter 'dangling=\(d)'")
        }
    }

    init(terms: [String: [String]]) { self.terms = terms }

    func matches(_ v: VolumeRecord, inUse: Bool) -> Bool {
        if let d = terms["dangling"], !d.isEmpty {
            let wantDangling = ["true", "1"].contains(d[0].lowercased())
            if wantDangling == inUse { return false }
        }
        if let names = terms["name"], !names.contains(where: { $0.isEmpty || v.name.includes($0) }) { return false }
        if let drivers = terms["driver"], !drivers.contains(v.driver) { return false }
        return labelsMatch(v)
    }

    /// `label=k`, `label=k=v` all hold; no `label!=k[=v]` holds.
    func labelsMatch(_ v: VolumeRecord) -> Bool {
        func holds(_ l: String) -> Bool {
            let key = String(l.prefix { $0 != "=" })
            guard let value = v.labels[key] else { return false }
            return !l.contains("=") || value == String(l.drop { $0 != "=" }.dropFirst())
        }
        return (terms["label"] ?? []).allSatisfy(holds) && !(terms["label!"] ?? []).contains(where: holds)
    }
}
