import BerthAPIModels
import BerthNetwork

extension Engine {
    /// Containers by ID, for the network routes' `Containers` maps.
    public func containerIndex() -> [String: Container] { containers }

    /// `POST /networks/create`.
    public func createNetwork(_ req: NetworkCreateRequest) throws -> NetworkRecord {
        do { return try network.create(req) } catch let e as NetworkError { throw e.engineError }
    }

    /// `DELETE /networks/{id}`: refused while a running container is attached, as Docker does.
    public func removeNetwork(_ ref: String) throws {
        restoreNetworks()   // containers that just exited: their teardown may still be under way
        do { try network.remove(ref) } catch let e as NetworkError { throw e.engineError }
    }

    /// `POST /networks/prune`: user networks no container refers to. Returns their names.
    public func pruneNetworks(labels: [String] = []) -> [String] {
        restoreNetworks()
        let used = Set(containers.values.flatMap { c in [Self.networkMode(c)] + (c.network?.endpoints.keys.map { $0 } ?? []) })
        var removed: [String] = []
        for n in network.networks() where !n.isPredefined && !used.contains(n.name) && !used.contains(n.id) {
            if !labels.allSatisfy({ l in
                let (k, v) = (String(l.prefix { $0 != "=" }), l.contains("=") ? String(l.drop { $0 != "=" }.dropFirst()) : nil)
                return n.labels[k] != nil && (v == nil || n.labels[k] == v)
            }) { continue }
            if (try? network.remove(n.id)) != nil { removed.append(n.name) }
        }
        return removed
    }

    /// `POST /networks/{id}/connect`: at once for a running container, else at its next start.
    public func connect(container ref: String, network netRef: String, aliases: [String], address: String?) throws {
        var c = try lookup(ref)
        let n: NetworkRecord
        do { n = try network.network(netRef) } catch { throw error.engineError }
        let mode = Self.networkMode(c)
        if mode == "host" || mode.hasPrefix("container:") || n.driver != "bridge" {
            throw EngineError(.forbidden, "container cannot be disconnected from host network or connected to host network")
        }
        if mode == "none" {
            throw EngineError(.forbidden, "container cannot be connected to multiple networks with one of the networks in private (none) mode")
        }
        var net = c.network ?? ContainerNetworkConfig()
        if net.endpoints[n.name] != nil || mode == n.name || mode == n.id {
            throw EngineError(.forbidden, "endpoint with name \(c.name) already exists in network \(n.name)")
        }
        if c.state.running {
            do { _ = try network.connect(c.id, network: n.id, aliases: aliases, address: address) } catch let e as NetworkError {
                throw e.engineError
            }
        }
        net.endpoints[n.name] = ContainerNetworkConfig.EndpointSettings(aliases: aliases.isEmpty ? nil : aliases, ipv4Address: address)
        c.network = net
        try save(c)
    }

    /// `POST /networks/{id}/disconnect`.
    public func disconnect(container ref: String, network netRef: String) throws {
        var c = try lookup(ref)
        let n: NetworkRecord
        do { n = try network.network(netRef) } catch { throw error.engineError }
        let mode = Self.networkMode(c)
        if mode == "host" || mode.hasPrefix("container:") || n.driver != "bridge" {
            throw EngineError(.forbidden, "container cannot be disconnected from host network or connected to host network")
        }
        var net = c.network ?? ContainerNetworkConfig()
        let configured = net.endpoints[n.name] != nil || mode == n.name
        if c.state.running {
            do { try network.disconnect(c.id, network: n.id) } catch let e as NetworkError { throw e.engineError }
        } else if !configured {
            throw EngineError(.forbidden, "container \(c.id) is not connected to network \(n.name)")
        }
        net.endpoints[n.name] = nil
        c.network = net
        try save(c)
    }
}
