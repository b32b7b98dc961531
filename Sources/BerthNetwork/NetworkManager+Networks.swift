#if canImport(Glibc)
import Glibc
#endif
import BerthSystem

/// `POST /networks/create`'s parameters.
public struct NetworkCreateRequest: Sendable {
    public var name: String
    public var driver: String
    public var subnet: String?
    public var gateway: String?
    public var isInternal: Bool
    public var attachable: Bool
    public var labels: [String: String]
    public var options: [String: String]

    public init(name: String, driver: String = "bridge", subnet: String? = nil, gateway: String? = nil,
                isInternal: Bool = false, attachable: Bool = false, labels: [String: String] = [:],
                options: [String: String] = [:]) {
        self.name = name; self.driver = driver; self.subnet = subnet; self.gateway = gateway
        self.isInternal = isInternal; self.attachable = attachable; self.labels = labels; self.options = options
    }
}

extension NetworkManager {
    /// Creates a user-defined bridge network with its bridge (the anchor makes it), as
    /// `docker network create` does. Errors are Docker's.
    public func create(_ req: NetworkCreateRequest) throws -> NetworkRecord {
        guard !req.name.isEmpty else { throw NetworkError(.invalid, "network name cannot be empty") }
        guard req.name.allSatisfy({ $0.isLetter || $0.isNumber || "_.-".contains($0) }), req.name.first?.isLetter == true
                || req.name.first?.isNumber == true else {
            throw NetworkError(.invalid, "invalid network name \"\(req.name)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        switch req.driver {
        case "bridge": break
        case "host", "null":
            throw NetworkError(.forbidden, "only one instance of \"\(req.driver)\" network is allowed")
        default:
            throw NetworkError(.notFound, "plugin \"\(req.driver)\" not found")
        }
        let existing = networks()
        if existing.contains(where: { $0.name == req.name }) {
            throw NetworkError(.conflict, "network with name \(req.name) already exists")
        }
        let subnet: IPv4Subnet
        if let text = req.subnet, !text.isEmpty {
            guard let loose = IPv4Subnet(text) else { throw NetworkError(.invalid, "invalid CIDR address: \(text)") }
            guard IPv4Subnet(text, strict: true) != nil else {
                throw NetworkError(.invalid, "invalid subnet \(text) : it should be \(loose)")
            }
            guard loose.prefix <= 30 else { throw NetworkError(.invalid, "invalid subnet \(text): too small for a network") }
            if existing.contains(where: { $0.ipv4Subnet?.overlaps(loose) == true }) {
                throw NetworkError(.forbidden, "Pool overlaps with other one on this address space")
            }
            subnet = loose
        } else {
            subnet = try freeSubnet(taken: existing.compactMap(\.ipv4Subnet))
        }
        var gateway = subnet.firstHost
        if let text = req.gateway, !text.isEmpty {
            guard let g = IPv4Address(text) else { throw NetworkError(.invalid, "invalid gateway address: \(text)") }
            guard subnet.contains(g), g != subnet.network, g != subnet.broadcast, g != subnet.lastHost else {
                throw NetworkError(.invalid, "no matching subnet for gateway \(text)")
            }
            gateway = g
        }
        let id = Self.newID()
        let bridge = req.options["com.docker.network.bridge.name"] ?? "br-" + id.prefix(12)
        guard bridge.utf8.count <= 15 else { throw NetworkError(.invalid, "bridge name \(bridge) is longer than 15 characters") }
        if existing.contains(where: { $0.bridge == bridge }) {
            throw NetworkError(.conflict, "bridge name \(bridge) is already in use")
        }
        let n = NetworkRecord(id: id, name: req.name, driver: "bridge", created: WallClock.rfc3339Nano(),
                              subnet: subnet.description, gateway: gateway.description, isInternal: req.isInternal,
                              attachable: req.attachable, labels: req.labels, options: req.options, bridge: bridge,
                              dns: true)
        try save(n)
        do {
            try withTool { try ensureAnchor(n) }
        } catch {
            deleteRecord(n)
            throw error
        }
        return n
    }

    /// The first subnet of the address pools that overlaps no network and no route on the
    /// host (so two daemons, or Docker and Berth, do not pick the same one).
    func freeSubnet(taken: [IPv4Subnet]) throws -> IPv4Subnet {
        let routes = Self.hostRoutes()
        for pool in defaults.pools {
            guard let base = IPv4Subnet(pool.base), pool.size >= base.prefix, pool.size <= 30 else { continue }
            let step = UInt64(1) << UInt64(32 - pool.size)
            var v = UInt64(base.network.value)
            while v <= UInt64(base.broadcast.value) {
                let s = IPv4Subnet(network: IPv4Address(UInt32(v)), prefix: pool.size)
                if !taken.contains(where: { $0.overlaps(s) }) && !routes.contains(where: { $0.overlaps(s) }) { return s }
                v += step
            }
        }
        throw NetworkError(.forbidden, "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network")
    }

    /// The host's IPv4 routes other than default routes, from /proc/net/route.
    static func hostRoutes() -> [IPv4Subnet] {
        let text = (try? Files.readString("/proc/net/route")) ?? ""
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard f.count > 7, let dst = UInt32(f[1], radix: 16), let mask = UInt32(f[7], radix: 16), mask != 0 else { return nil }
            // Little-endian hex, as the kernel prints it.
            return IPv4Subnet(network: IPv4Address(dst.byteSwapped), prefix: mask.nonzeroBitCount)
        }
    }

    /// `DELETE /networks/{id}`. `inUse` names a container still attached, if any.
    public func remove(_ ref: String) throws {
        let n = try network(ref)
        if n.isPredefined {
            throw NetworkError(.forbidden, "\(n.name) is a pre-defined network and cannot be removed")
        }
        if !endpoints(on: n.id).isEmpty {
            throw NetworkError(.forbidden, "error while removing network: network \(n.name) id \(n.id) has active endpoints")
        }
        try withTool { try removeAnchor(n) }
        deleteRecord(n)
    }

    func deleteRecord(_ n: NetworkRecord) {
        unlink(root + "/networks/\(n.id).json")
        state.withLock { _ = $0.networks.removeValue(forKey: n.id) }
    }

    // MARK: anchors

    func anchorName(_ n: NetworkRecord) -> String { "berth-" + n.id.prefix(12) }
    func anchorPath(_ n: NetworkRecord) -> String { "/run/netns/" + anchorName(n) }

    func anchorEndpoint(_ n: NetworkRecord) -> Endpoint {
        let addr = n.anchorAddress ?? IPv4Address(0)
        return Endpoint(networkID: n.id, networkName: n.name, endpointID: n.id, interface: "eth0", address: addr.description,
                        prefixLength: n.ipv4Subnet?.prefix ?? 0, gateway: n.gateway, macAddress: Self.mac(for: addr),
                        aliases: [], links: [])
    }

    func anchorOptions(_ n: NetworkRecord) -> Netavark.Options {
        var quiet = n
        quiet.dns = false   // the anchor needs no name and starts no aardvark-dns
        return Netavark.options(network: quiet, endpoint: anchorEndpoint(n), containerID: "berth-anchor-" + n.id,
                                containerName: anchorName(n), ports: [])
    }

    /// Sets the network's anchor up unless it is (call inside `withTool`).
    func ensureAnchor(_ n: NetworkRecord) throws {
        guard n.driver == "bridge", !Files.exists(anchorPath(n)) else { return }
        try ip(["netns", "add", anchorName(n)])
        do {
            try netavark.setup(netns: anchorPath(n), anchorOptions(n))
        } catch {
            try? netavark.teardown(netns: anchorPath(n), anchorOptions(n))
            try? ip(["netns", "delete", anchorName(n)])
            throw error
        }
    }

    /// Tears the anchor down, and with it the bridge and the network's firewall rules.
    func removeAnchor(_ n: NetworkRecord) throws {
        guard Files.exists(anchorPath(n)) else { return }
        do { try netavark.teardown(netns: anchorPath(n), anchorOptions(n)) } catch {
            throw NetworkError(.failed, "remove network \(n.name): \(error)")
        }
        try? ip(["netns", "delete", anchorName(n)])
    }

    /// At a clean daemon stop with no container running: the bridges go until next used.
    public func removeAnchorsIfIdle() {
        guard sandboxes().isEmpty else { return }
        withTool { for n in networks() { try? removeAnchor(n) } }
    }

    func ip(_ args: [String]) throws {
        let r = try Subprocess.run(["/usr/sbin/ip"] + args, scratch: runDir)
        guard r.status == 0 else {
            throw NetworkError(.failed, "ip \(args.joined(separator: " ")): \(r.stderr.trimmingCharacters(in: "\n "))")
        }
    }

    /// Docker's MAC addresses: 02:42 and the four bytes of the IPv4 address.
    static func mac(for a: IPv4Address) -> String {
        ([0x02, 0x42] + a.bytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
