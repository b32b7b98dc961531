#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

extension NetworkManager {
    /// Leases what a container needs before it is created: an address and MAC on each
    /// network, and its host ports. Recorded at once, so nothing is handed out twice.
    public func prepare(_ req: SandboxRequest) throws -> Sandbox {
        let nets = try req.attachments.map { a throws -> (NetworkRecord, SandboxRequest.Attachment) in
            let n = try network(a.network)
            guard n.driver == "bridge" else {
                throw NetworkError(.invalid, "container cannot be connected to network \(n.name) with other networks")
            }
            return (n, a)
        }
        let sb = try state.withLock { s throws -> Sandbox in
            if let old = s.sandboxes[req.containerID], old.active {
                throw NetworkError(.conflict, "container \(req.containerID.prefix(12)) still has its network set up")
            }
            let others = s.sandboxes.values.filter { $0.containerID != req.containerID }
            var endpoints: [Endpoint] = []
            for (i, (n, a)) in nets.enumerated() {
                let used = Set(others.flatMap { $0.endpoints }.filter { $0.networkID == n.id }.compactMap { IPv4Address($0.address) })
                    .union(endpoints.filter { $0.networkID == n.id }.compactMap { IPv4Address($0.address) })
                let addr = try allocate(on: n, used: used, requested: a.address)
                endpoints.append(Endpoint(networkID: n.id, networkName: n.name, endpointID: Self.newID(),
                                          interface: "eth\(i)", address: addr.description,
                                          prefixLength: n.ipv4Subnet?.prefix ?? 0, gateway: n.isInternal ? nil : n.gateway,
                                          macAddress: Self.mac(for: addr), aliases: a.aliases,
                                          links: n.name == "bridge" ? req.links : []))
            }
            let ports = try allocatePorts(req.ports, taken: others.flatMap(\.ports), container: req.containerName,
                                          endpointID: endpoints.first?.endpointID ?? "")
            let sb = Sandbox(containerID: req.containerID, nonce: String(Self.newID().prefix(12)), containerName: req.containerName, hostname: req.hostname,
                             endpoints: endpoints, ports: ports, netnsPath: nil, active: false)
            s.sandboxes[sb.containerID] = sb
            return sb
        }
        do { try save(sb) } catch {
            forget(sb)
            throw NetworkError(.failed, "record network of \(sb.shortID): \(error)")
        }
        return sb
    }

    /// An address on `n`: `requested` if free, else the lowest free one after the gateway.
    func allocate(on n: NetworkRecord, used: Set<IPv4Address>, requested: String?) throws -> IPv4Address {
        guard let subnet = n.ipv4Subnet else { throw NetworkError(.failed, "network \(n.name) has no subnet") }
        let reserved: Set<IPv4Address> = [n.ipv4Gateway, n.anchorAddress].compactMap { $0 }.reduce(into: []) { $0.insert($1) }
        if let requested, !requested.isEmpty {
            guard let a = IPv4Address(requested) else { throw NetworkError(.invalid, "invalid IPv4 address: \(requested)") }
            guard subnet.contains(a), a != subnet.network, a != subnet.broadcast else {
                throw NetworkError(.invalid, "no configured subnet or ip-range contain the IP address \(requested)")
            }
            guard !used.contains(a), !reserved.contains(a) else { throw NetworkError(.forbidden, "Address already in use") }
            return a
        }
        var v = subnet.firstHost.value
        while v <= subnet.lastHost.value {
            let a = IPv4Address(v)
            if !used.contains(a) && !reserved.contains(a) { return a }
            v += 1
        }
        throw NetworkError(.failed, "no available IPv4 addresses on this network's address pools: \(n.name) (\(n.id))")
    }

    /// Sets the sandbox's endpoints up in the namespace at `path` (see `activateInBackground`).
    /// On failure, tears down what was made and drops the sandbox and its leases.
    func setUp(_ sb: Sandbox, netns path: String) throws {
        do {
            try withTool {
                for (i, e) in sb.endpoints.enumerated() {
                    let n = try network(e.networkID)
                    try ensureAnchor(n)
                    try netavark.setup(netns: path, options(n, e, sb, first: i == 0))
                    if !needsFirewall(n, sb, first: i == 0), let gw = n.ipv4Gateway {
                        try RouteNetlink.addDefaultRoute(netns: path, gateway: gw)
                    }
                }
            }
        } catch {
            releaseNow(sb.containerID, nonce: sb.nonce)
            if let e = error as? NetworkError { throw e }
            throw NetworkError(.failed, "set up network of container \(sb.containerID.prefix(12)): \(error)")
        }
    }

    /// Tears the container's network down (endpoints, port rules, DNS records), then drops
    /// its namespace mount and its leases. Safe to call twice and after a crash. With `nonce`,
    /// only that run's sandbox. Waits for a setup still under way first.
    public func release(_ containerID: String, nonce: String? = nil) {
        waitActivation(containerID)
        releaseNow(containerID, nonce: nonce)
    }

    func releaseNow(_ containerID: String, nonce: String?) {
        guard let sb = sandbox(containerID), nonce == nil || sb.nonce == nonce else { return }
        if sb.active, let path = sb.netnsPath {
            withTool {
                for (i, e) in sb.endpoints.enumerated().reversed() {
                    guard let n = try? network(e.networkID) else { continue }
                    try? netavark.teardown(netns: path, options(n, e, sb, first: i == 0))
                }
            }
        }
        if let path = sb.netnsPath {
            while berth_umount2(path, 2 /* MNT_DETACH */) == 0 {}
            unlink(path)
        }
        forget(sb)
    }

    /// `POST /networks/{id}/connect` for a running container: a new endpoint (`ethN`), set up
    /// at once.
    public func connect(_ containerID: String, network ref: String, aliases: [String], address: String?) throws -> Endpoint {
        let n = try network(ref)
        guard n.driver == "bridge" else {
            throw NetworkError(.forbidden, "container cannot be disconnected from host network or connected to host network")
        }
        let (sb, e) = try state.withLock { s throws -> (Sandbox, Endpoint) in
            guard var sb = s.sandboxes[containerID] else { throw NetworkError(.conflict, "container is not running") }
            if sb.endpoints.contains(where: { $0.networkID == n.id }) {
                throw NetworkError(.forbidden, "endpoint with name \(sb.containerName) already exists in network \(n.name)")
            }
            let used = Set(s.sandboxes.values.flatMap { $0.endpoints }.filter { $0.networkID == n.id }
                .compactMap { IPv4Address($0.address) })
            let addr = try allocate(on: n, used: used, requested: address)
            let taken = Set(sb.endpoints.map(\.interface))
            let iface = (0...).lazy.map { "eth\($0)" }.first { !taken.contains($0) }!
            let e = Endpoint(networkID: n.id, networkName: n.name, endpointID: Self.newID(), interface: iface,
                             address: addr.description, prefixLength: n.ipv4Subnet?.prefix ?? 0,
                             gateway: n.isInternal ? nil : n.gateway, macAddress: Self.mac(for: addr), aliases: aliases, links: [])
            sb.endpoints.append(e)
            s.sandboxes[containerID] = sb
            return (sb, e)
        }
        try save(sb)
        if sb.active, let path = sb.netnsPath {
            do {
                try withTool {
                    try ensureAnchor(n)
                    try netavark.setup(netns: path, options(n, e, sb, first: false))
                }
            } catch {
                var back = sb
                back.endpoints.removeAll { $0.endpointID == e.endpointID }
                try? save(back)
                throw error
            }
        }
        return e
    }

    /// `POST /networks/{id}/disconnect` for a running container.
    public func disconnect(_ containerID: String, network ref: String) throws {
        let n = try network(ref)
        guard var sb = sandbox(containerID), let i = sb.endpoints.firstIndex(where: { $0.networkID == n.id }) else {
            throw NetworkError(.forbidden, "container \(containerID) is not connected to network \(n.name)")
        }
        let e = sb.endpoints[i]
        if sb.active, let path = sb.netnsPath {
            try withTool { try netavark.teardown(netns: path, options(n, e, sb, first: i == 0)) }
        }
        sb.endpoints.remove(at: i)
        if i == 0 { sb.ports = [] }   // the published ports went with the first endpoint
        try save(sb)
    }
}
