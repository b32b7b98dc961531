import BerthAPIModels
import BerthEngine
import BerthOCI

/// Images in the Engine API's JSON shapes (`ImageSummary`, `ImageInspect`,
/// `ImageHistoryResponseItem`, `ImageDeleteResponseItem`), members in Docker's order.
enum ImageJSON {
    static func strings(_ list: [String]?) -> JSONValue { list.map { .array($0.map { .string($0) }) } ?? .null }

    static func labels(_ labels: [String: String]?) -> JSONValue {
        guard let labels else { return .null }
        return .object(JSONObject(labels.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) }))
    }

    /// `{"80/tcp": {}}`, or null.
    static func set(_ keys: [String: EmptyObject]?) -> JSONValue {
        guard let keys else { return .null }
        return .object(JSONObject(keys.keys.sorted().map { JSONMember($0, [:]) }))
    }

    /// One row of `GET /images/json`; `names` are the ones the filters kept.
    static func summary(_ image: ImageSummary, names: [Reference]) -> JSONValue {
        [
            "Containers": .int(Int64(image.containers)),
            "Created": .int(image.createdSeconds),
            "Id": .string(image.id.description),
            "Labels": labels(image.config.config?.labels ?? [:]),
            "ParentId": "",
            "RepoDigests": strings(names.filter { $0.digest != nil }.map(\.familiarString)),
            "RepoTags": strings(names.filter { $0.tag != nil }.map(\.familiarString)),
            "SharedSize": -1,
            "Size": .int(image.size),
        ]
    }

    /// `GET /images/{name}/json`. `Config` is the image config's container defaults with
    /// Docker's field names; absent lists and maps are null, as Docker encodes them.
    static func inspect(_ image: ImageSummary) -> JSONValue {
        let c = image.config.config ?? ImageConfig.Container()
        var config: JSONObject = [
            "User": .string(c.user ?? ""),
            "ExposedPorts": set(c.exposedPorts),
            "Env": strings(c.env),
            "Cmd": strings(c.cmd),
            "Volumes": set(c.volumes),
            "WorkingDir": .string(c.workingDir ?? ""),
            "Entrypoint": strings(c.entrypoint),
            "OnBuild": strings(c.onBuild),
            "Labels": labels(c.labels),
        ]
        if let s = c.stopSignal { config["StopSignal"] = .string(s) }
        var graph: JSONObject = [:]
        if image.layerDirs.count > 1 { graph["LowerDir"] = .string(image.layerDirs.dropFirst().joined(separator: ":")) }
        if let top = image.layerDirs.first { graph["UpperDir"] = .string(top) }
        var out: JSONObject = [
            "Id": .string(image.id.description),
            "RepoTags": strings(image.repoTags),
            "RepoDigests": strings(image.repoDigests),
            "Parent": "",
            "Comment": .string(image.config.comment ?? ""),
        ]
        if let created = image.config.created { out["Created"] = .string(created) }
        out["Author"] = .string(image.config.author ?? "")
        out["Config"] = .object(config)
        out["Architecture"] = .string(image.config.architecture)
        if let v = image.config.variant { out["Variant"] = .string(v) }
        out["Os"] = .string(image.config.os)
        if let v = image.config.osVersion { out["OsVersion"] = .string(v) }
        out["Size"] = .int(image.size)
        out["GraphDriver"] = ["Data": .object(graph), "Name": "overlay2"]
        out["RootFS"] = ["Type": .string(image.config.rootfs.type),
                         "Layers": .array(image.config.rootfs.diffIDs.map { .string($0.description) })]
        out["Metadata"] = .object(image.lastTagTime.map { ["LastTagTime": .string($0)] } ?? [:])
        return .object(out)
    }

    /// `GET /images/{name}/history`.
    static func history(_ rows: [ImageHistoryEntry]) -> JSONValue {
        .array(rows.map { row in
            [
                "Comment": .string(row.comment), "Created": .int(row.created), "CreatedBy": .string(row.createdBy),
                "Id": .string(row.id), "Size": .int(row.size), "Tags": strings(row.tags),
            ]
        })
    }

    /// `DELETE /images/{name}` and prune's `ImagesDeleted`.
    static func deleted(_ records: [ImageDeleteRecord]) -> JSONValue {
        .array(records.map { record in
            switch record {
            case .untagged(let name): ["Untagged": .string(name)]
            case .deleted(let id): ["Deleted": .string(id)]
            }
        })
    }
}
