import BerthAPIModels
import BerthEngine
import BerthNetwork
import BerthSystem

extension Router {
    /// The network routes: list, inspect, create, remove, connect, disconnect, prune.
    public mutating func addNetworkRoutes(_ engine: Engine) {
        let manager = engine.network
        get("/networks") { req in
            let filters = try NetworkFilters(req.query["filters"])
            let containers = await engine.containerIndex()
            return .json(.array(manager.networks().filter(filters.matches).map {
                NetworkJSON.network($0, manager: manager, containers: containers)
            }))
        }
        get("/networks/{id}") { req in
            let n: NetworkRecord
            do { n = try manager.network(req.parameter("id")) } catch { throw EngineError(.notFound, "\(error)") }
            return .json(NetworkJSON.network(n, manager: manager, containers: await engine.containerIndex()))
        }
        post("/networks/create") { req in
            let body = try await req.body.decode(JSONValue.self)
            guard let name = body["Name"]?.stringValue, !name.isEmpty else {
                throw EngineError.invalidArgument("network name cannot be empty")
            }
            let ipam = body["IPAM"]?["Config"]?.arrayValue?.first
            func dict(_ v: JSONValue?) -> [String: String] {
                var d: [String: String] = [:]
                for m in v?.objectValue ?? [:] { if let s = m.value.stringValue { d[m.key] = s } }
                return d
            }
            if body["EnableIPv6"]?.boolValue == true {
                throw EngineError.invalidArgument("IPv6 networks are not supported by Berth yet")
            }
            let n = try await engine.createNetwork(NetworkCreateRequest(
                name: name, driver: body["Driver"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "bridge",
                subnet: ipam?["Subnet"]?.stringValue, gateway: ipam?["Gateway"]?.stringValue,
                isInternal: body["Internal"]?.boolValue ?? false, attachable: body["Attachable"]?.boolValue ?? false,
                labels: dict(body["Labels"]), options: dict(body["Options"])))
            return .json(["Id": .string(n.id), "Warning": ""] as JSONValue, status: .created)
        }
        delete("/networks/{id}") { req in
            try await engine.removeNetwork(req.parameter("id"))
            return .noContent
        }
        post("/networks/{id}/connect") { req in
            let body = try await req.body.decode(JSONValue.self)
            guard let container = body["Container"]?.stringValue, !container.isEmpty else {
                throw EngineError.invalidArgument("no container specified")
            }
            let aliases = body["EndpointConfig"]?["Aliases"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let address = body["EndpointConfig"]?["IPAMConfig"]?["IPv4Address"]?.stringValue
            try await engine.connect(container: container, network: req.parameter("id"), aliases: aliases,
                                     address: address.flatMap { $0.isEmpty ? nil : $0 })
            return .text("")
        }
        post("/networks/{id}/disconnect") { req in
            let body = try await req.body.decode(JSONValue.self)
            guard let container = body["Container"]?.stringValue, !container.isEmpty else {
                throw EngineError.invalidArgument("no container specified")
            }
            try await engine.disconnect(container: container, network: req.parameter("id"))
            return .text("")
        }
        post("/networks/prune") { req in
            let filters = try NetworkFilters(req.query["filters"])
            let removed = await engine.pruneNetworks(labels: filters.terms["label"] ?? [])
            return .json(["NetworksDeleted": .array(removed.map { .string($0) })] as JSONValue)
        }
    }
}

/// `GET /networks?filters=…`: name, id, driver, label, type (custom|builtin).
struct NetworkFilters {
    var terms: [String: [String]] = [:]

    init(_ raw: String?) throws {
        guard let raw, !raw.isEmpty else { return }
        guard case .object(let object)? = try? WireJSON.decode(JSONValue.self, from: Array(raw.utf8)) else {
            throw EngineError.invalidArgument("invalid filter: \(raw)")
        }
        for member in object {
            guard ["name", "id", "driver", "label", "type", "scope", "dangling", "until"].contains(member.key) else {
                throw EngineError.invalidArgument("invalid filter '\(member.key)'")
            }
            switch member.value {
            case .object(let set): terms[member.key] = set.keys
            case .array(let items): terms[member.key] = items.compactMap(\.stringValue)
            default: throw EngineError.invalidArgument("invalid filter: \(raw)")
            }
        }
    }

    func matches(_ n: NetworkRecord) -> Bool {
        if let v = terms["name"], !v.contains(where: { n.name.includes($0) }) { return false }
        if let v = terms["id"], !v.contains(where: { n.id.hasPrefix($0) }) { return false }
        if let v = terms["driver"], !v.contains(n.driver) { return false }
        if let v = terms["type"], !v.contains(n.isPredefined ? "builtin" : "custom") { return false }
        if let v = terms["label"], !v.allSatisfy({ l in
            let key = String(l.prefix { $0 != "=" })
            return n.labels[key] != nil && (!l.contains("=") || n.labels[key] == String(l.drop { $0 != "=" }.dropFirst()))
        }) { return false }
        return true
    }
}
