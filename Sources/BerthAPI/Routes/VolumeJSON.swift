import BerthAPIModels
import BerthEngine

/// Volumes and mount points in the Engine API's JSON shapes, members in Docker's order.
enum VolumeJSON {
    static func strings(_ map: [String: String]) -> JSONValue {
        map.isEmpty ? .null : .object(JSONObject(map.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) }))
    }

    /// `GET /volumes/{name}` and each of `GET /volumes`'s `Volumes`.
    static func volume(_ v: VolumeRecord, mountpoint: String, usage: (size: Int64, refCount: Int)? = nil) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("CreatedAt", .string(v.createdAt)), JSONMember("Driver", .string(v.driver)),
            JSONMember("Labels", strings(v.labels)), JSONMember("Mountpoint", .string(mountpoint)),
            JSONMember("Name", .string(v.name)), JSONMember("Options", strings(v.options)),
            JSONMember("Scope", "local"),
        ]
        if let usage {
            members.append(JSONMember("UsageData", ["Size": .int(usage.size), "RefCount": .int(Int64(usage.refCount))]))
        }
        return .object(JSONObject(members))
    }

    /// A container inspect's `Mounts`.
    static func mounts(_ c: Container) -> JSONValue {
        .array((c.volumes?.mountPoints ?? []).map { p in
            var members: [JSONMember] = [JSONMember("Type", .string(p.type))]
            if p.type == "volume" { members.append(JSONMember("Name", .string(p.name))) }
            members += [JSONMember("Source", .string(p.source)), JSONMember("Destination", .string(p.destination))]
            if p.type == "volume" { members.append(JSONMember("Driver", .string(p.driver))) }
            members += [JSONMember("Mode", .string(p.mode)), JSONMember("RW", .bool(p.rw)),
                        JSONMember("Propagation", .string(p.propagation))]
            return .object(JSONObject(members))
        })
    }

    /// A container inspect's `HostConfig.Mounts`: the specs as given.
    static func mountSpecs(_ specs: [MountSpec]) -> JSONValue {
        guard !specs.isEmpty else { return .null }
        return .array(specs.map { m in
            var members: [JSONMember] = [JSONMember("Type", .string(m.type ?? ""))]
            if let s = m.source, !s.isEmpty { members.append(JSONMember("Source", .string(s))) }
            members.append(JSONMember("Target", .string(m.target ?? "")))
            if m.readOnly == true { members.append(JSONMember("ReadOnly", true)) }
            if let b = m.bindOptions, let p = b.propagation, !p.isEmpty {
                members.append(JSONMember("BindOptions", ["Propagation": .string(p)]))
            }
            if let v = m.volumeOptions {
                var o: [JSONMember] = []
                if v.noCopy == true { o.append(JSONMember("NoCopy", true)) }
                if let l = v.labels, !l.isEmpty { o.append(JSONMember("Labels", strings(l))) }
                if let d = v.driverConfig {
                    o.append(JSONMember("DriverConfig", .object(JSONObject([JSONMember("Name", .string(d.name ?? ""))]
                        + ((d.options ?? [:]).isEmpty ? [] : [JSONMember("Options", strings(d.options ?? [:]))])))))
                }
                if let s = v.subpath, !s.isEmpty { o.append(JSONMember("Subpath", .string(s))) }
                members.append(JSONMember("VolumeOptions", .object(JSONObject(o))))
            }
            if let t = m.tmpfsOptions {
                var o: [JSONMember] = []
                if let s = t.sizeBytes, s != 0 { o.append(JSONMember("SizeBytes", .int(s))) }
                if let mode = t.mode, mode != 0 { o.append(JSONMember("Mode", .int(Int64(mode)))) }
                members.append(JSONMember("TmpfsOptions", .object(JSONObject(o))))
            }
            return .object(JSONObject(members))
        })
    }
}
