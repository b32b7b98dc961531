import BerthAPIModels
import BerthEngine
import BerthNetwork

/// Networks, and the network parts of containers, in the Engine API's JSON shapes.
enum NetworkJSON {
    static func strings(_ d: [String: String]) -> JSONValue {
        .object(JSONObject(d.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) }))
    }

    /// `GET /networks/{id}` (and each item of `GET /networks`).
    static func network(_ n: NetworkRecord, manager: NetworkManager, containers: [String: Container]) -> JSONValue {
        var attached = JSONObject()
        // Running containers only: an exited one's teardown may still be under way.
        for (sb, e) in manager.endpoints(on: n.id) where containers[sb.containerID]?.state.running == true {
            attached[sb.containerID] = [
                "Name": .string(containers[sb.containerID]?.name ?? sb.containerName), "EndpointID": .string(e.endpointID),
                "MacAddress": .string(e.macAddress), "IPv4Address": .string("\(e.address)/\(e.prefixLength)"), "IPv6Address": "",
            ]
        }
        var config: [JSONValue] = []
        if let subnet = n.subnet {
            var c: JSONObject = ["Subnet": .string(subnet)]
            if let g = n.gateway { c["Gateway"] = .string(g) }
            config.append(.object(c))
        }
        return [
            "Name": .string(n.name), "Id": .string(n.id), "Created": .string(n.created), "Scope": "local",
            "Driver": .string(n.driver), "EnableIPv4": true, "EnableIPv6": false,
            "IPAM": ["Driver": "default", "Options": n.driver == "bridge" && !n.isPredefined ? [:] : nil, "Config": .array(config)],
            "Internal": .bool(n.isInternal), "Attachable": .bool(n.attachable), "Ingress": false,
            "ConfigFrom": ["Network": ""], "ConfigOnly": false, "Containers": .object(attached),
            "Options": strings(n.options), "Labels": strings(n.labels),
        ]
    }

    /// `NetworkSettings.Ports`: each exposed or published port, with its bindings while running.
    static func ports(_ c: Container, sandbox: Sandbox?) -> JSONValue {
        var keys = Set(c.network?.exposedPorts ?? [])
        for k in c.network?.portBindings.keys ?? [:].keys { keys.insert(k) }
        let bound = c.state.running ? sandbox?.ports ?? [] : []
        for p in bound { keys.insert("\(p.containerPort)/\(p.proto)") }
        if !c.state.running { return .object([:]) }
        let sorted = keys.sorted { a, b in
            let pa = Int(a.split(separator: "/")[0]) ?? 0, pb = Int(b.split(separator: "/")[0]) ?? 0
            return pa != pb ? pa < pb : a < b
        }
        return .object(JSONObject(sorted.map { key in
            let list = bound.filter { "\($0.containerPort)/\($0.proto)" == key }
            return JSONMember(key, list.isEmpty ? .null : .array(list.map {
                ["HostIp": .string($0.hostIP.isEmpty ? "0.0.0.0" : $0.hostIP), "HostPort": .string(String($0.hostPort))]
            }))
        }))
    }

    /// `GET /containers/json`'s `Ports`: `[{IP, PrivatePort, PublicPort, Type}]`.
    static func summaryPorts(_ c: Container, sandbox: Sandbox?) -> JSONValue {
        guard c.state.running else { return .array([]) }
        var items: [JSONValue] = (sandbox?.ports ?? []).map {
            ["IP": .string($0.hostIP.isEmpty ? "0.0.0.0" : $0.hostIP), "PrivatePort": .int(Int64($0.containerPort)),
             "PublicPort": .int(Int64($0.hostPort)), "Type": .string($0.proto)]
        }
        let bound = Set((sandbox?.ports ?? []).map { "\($0.containerPort)/\($0.proto)" })
        for key in (c.network?.exposedPorts ?? []) where !bound.contains(key) {
            let parts = key.split(separator: "/")
            items.append(["PrivatePort": .int(Int64(parts[0]) ?? 0), "Type": .string(parts.count > 1 ? String(parts[1]) : "tcp")])
        }
        return .array(items)
    }

    /// One entry of `NetworkSettings.Networks`.
    static func endpoint(_ e: Endpoint?, networkID: String, aliases: [String]?, links: [String]?) -> JSONValue {
        [
            "IPAMConfig": nil, "Links": links.flatMap { $0.isEmpty ? nil : .array($0.map { .string($0) }) } ?? .null,
            "Aliases": aliases.flatMap { $0.isEmpty ? nil : .array($0.map { .string($0) }) } ?? .null,
            "MacAddress": .string(e?.macAddress ?? ""), "DriverOpts": nil, "NetworkID": .string(networkID),
            "EndpointID": .string(e?.endpointID ?? ""), "Gateway": .string(e?.gateway ?? ""), "IPAddress": .string(e?.address ?? ""),
            "IPPrefixLen": .int(Int64(e?.prefixLength ?? 0)), "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "DNSNames": nil,
        ]
    }

    /// A container's `NetworkSettings`: the default bridge's address at the top level, as
    /// Docker shows it, and every network under `Networks`.
    static func settings(_ c: Container, manager: NetworkManager) -> JSONValue {
        let sb = c.state.running ? manager.sandbox(c.id) : nil
        let mode = c.hostConfig.networkMode.flatMap { $0.isEmpty || $0 == "default" ? nil : $0 } ?? "bridge"
        var networks = JSONObject()
        if let sb {
            for e in sb.endpoints {
                networks[e.networkName] = endpoint(e, networkID: e.networkID, aliases: e.aliases, links: e.links)
            }
        } else if !mode.hasPrefix("container:") {
            var names = [mode] + (c.network?.endpoints.keys.sorted() ?? []).filter { $0 != mode }
            names = names.filter { !["default"].contains($0) }
            for name in names {
                let n = try? manager.network(name)
                networks[n?.name ?? name] = endpoint(nil, networkID: n?.id ?? "", aliases: c.network?.endpoints[name]?.aliases,
                                                     links: nil)
            }
        }
        let primary = sb?.endpoints.first { $0.networkName == "bridge" }
        return [
            "Bridge": "", "SandboxID": .string(sb.map { $0.containerID.prefix(12) + $0.nonce } ?? ""),
            "SandboxKey": .string(sb?.netnsPath ?? ""), "HairpinMode": false, "LinkLocalIPv6Address": "",
            "LinkLocalIPv6PrefixLen": 0, "Ports": ports(c, sandbox: sb), "SecondaryIPAddresses": nil,
            "SecondaryIPv6Addresses": nil, "EndpointID": .string(primary?.endpointID ?? ""),
            "Gateway": .string(primary?.gateway ?? ""), "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "IPAddress": .string(primary?.address ?? ""), "IPPrefixLen": .int(Int64(primary?.prefixLength ?? 0)),
            "IPv6Gateway": "", "MacAddress": .string(primary?.macAddress ?? ""), "Networks": .object(networks),
        ]
    }

    /// The network fields of a container's inspect: NetworkSettings, Config.ExposedPorts and
    /// the HostConfig network options.
    static func addToInspect(_ value: JSONValue, _ c: Container, manager: NetworkManager) -> JSONValue {
        guard case .object(var o) = value else { return value }
        o["NetworkSettings"] = settings(c, manager: manager)
        let net = c.network ?? ContainerNetworkConfig()
        if case .object(var config)? = o["Config"] {
            config["ExposedPorts"] = net.exposedPorts.isEmpty ? nil : .object(JSONObject(net.exposedPorts.map { JSONMember($0, .object([:])) }))
            o["Config"] = .object(config)
        }
        if case .object(var host)? = o["HostConfig"] {
            func list(_ l: [String]) -> JSONValue { .array(l.map { .string($0) }) }
            host["PortBindings"] = .object(JSONObject(net.portBindings.sorted { $0.key < $1.key }.map { key, bindings in
                JSONMember(key, .array(bindings.map { ["HostIp": .string($0.hostIP ?? ""), "HostPort": .string($0.hostPort ?? "")] }))
            }))
            host["PublishAllPorts"] = .bool(net.publishAllPorts)
            host["Links"] = net.links.isEmpty ? .null : list(net.links)
            host["Dns"] = list(net.dns)
            host["DnsOptions"] = list(net.dnsOptions)
            host["DnsSearch"] = list(net.dnsSearch)
            host["ExtraHosts"] = net.extraHosts.isEmpty ? .null : list(net.extraHosts)
            o["HostConfig"] = .object(host)
        }
        return .object(o)
    }

    /// The network fields of a `GET /containers/json` item.
    static func addToSummary(_ value: JSONValue, _ c: Container, manager: NetworkManager) -> JSONValue {
        guard case .object(var o) = value else { return value }
        let sb = c.state.running ? manager.sandbox(c.id) : nil
        o["Ports"] = summaryPorts(c, sandbox: sb)
        if case .object(let s) = settings(c, manager: manager), let n = s["Networks"] { o["NetworkSettings"] = ["Networks": n] }
        return .object(o)
    }
}
