#if canImport(Glibc)
import Glibc
#endif
import BerthJSON
import BerthSystem
import CBerth
import Synchronization

/// The daemon's settings for networks (dockerd's `--bridge`, `--bip`, `default-address-pools`).
public struct NetworkDefaults: Sendable, Equatable {
    /// The default `bridge` network's interface.
    public var bridgeName = "berth0"
    /// The default bridge's gateway and prefix. Not Docker's 172.17.0.1/16, so both engines
    /// can run on one host.
    public var bip = "172.30.0.1/16"
    /// Where user networks without `--subnet` get theirs: each base split into `size` subnets.
    public var pools: [Pool] = [Pool(base: "172.31.0.0/16", size: 24)]

    public struct Pool: Sendable, Equatable {
        public var base: String
        public var size: Int
        public init(base: String, size: Int) { self.base = base; self.size = size }
    }

    public init() {}
}

/// Networks and the containers' endpoints on them: records, IPAM (addresses and host ports),
/// and netavark runs. Thread-safe; its methods block (netavark runs take tens of ms), so the
/// engine calls them where blocking is acceptable and tears down from plain threads.
///
/// Each bridge network has an *anchor*: a small network namespace (`/run/netns/berth-<id12>`)
/// with one endpoint on the bridge. netavark removes a bridge and all of its network's firewall
/// rules when the last endpoint leaves, and re-creates them for the next one; the anchor keeps
/// the network's bridge and rules for the network's lifetime, as Docker keeps its bridges, so a
/// container's setup and teardown only add and remove what is the container's own.
public final class NetworkManager: @unchecked Sendable {
    let root: String
    let runDir: String
    let defaults: NetworkDefaults
    let netavark: Netavark
    let state: Mutex<State>
    /// netavark runs one at a time: one run's teardown of a bridge must not race another's setup.
    let tool = Mutex<Void>(())

    struct State {
        var networks: [String: NetworkRecord] = [:]
        var sandboxes: [String: Sandbox] = [:]
        /// Setups under way on their own threads, by container ID.
        var activations: [String: Activation] = [:]
    }

    /// Loads the records under `<dataRoot>/network` and makes sure the predefined networks exist.
    public init(dataRoot: String, defaults: NetworkDefaults = NetworkDefaults()) throws {
        root = dataRoot + "/network"
        runDir = root + "/run"
        self.defaults = defaults
        netavark = Netavark(configDir: runDir + "/netavark", scratch: runDir)
        for dir in [root + "/networks", root + "/sandboxes", runDir + "/netavark", runDir + "/netns"] {
            try Files.mkdirAll(dir, mode: 0o700)
        }
        var s = State()
        for file in (try? Files.list(root + "/networks")) ?? [] where file.hasSuffix(".json") {
            if let bytes = try? Files.read(root + "/networks/" + file),
               let n = try? BerthJSONDecoder().decode(NetworkRecord.self, from: bytes) { s.networks[n.id] = n }
        }
        for file in (try? Files.list(root + "/sandboxes")) ?? [] where file.hasSuffix(".json") {
            if let bytes = try? Files.read(root + "/sandboxes/" + file),
               let sb = try? BerthJSONDecoder().decode(Sandbox.self, from: bytes) { s.sandboxes[sb.containerID] = sb }
        }
        state = Mutex(s)
        try ensurePredefined()
    }

    private func ensurePredefined() throws {
        guard let bip = IPv4Subnet(defaults.bip), let gw = IPv4Address(defaults.bip.split(separator: "/")[0]) else {
            throw NetworkError(.invalid, "invalid bip: \(defaults.bip)")
        }
        let existing = state.withLock { s in Dictionary(s.networks.values.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }) }
        var bridge = existing["bridge"] ?? NetworkRecord(id: Self.newID(), name: "bridge", driver: "bridge",
                                                          created: WallClock.rfc3339Nano())
        bridge.subnet = bip.description
        bridge.gateway = gw.description
        bridge.bridge = defaults.bridgeName
        bridge.options = ["com.docker.network.bridge.default_bridge": "true",
                          "com.docker.network.bridge.enable_icc": "true",
                          "com.docker.network.bridge.enable_ip_masquerade": "true",
                          "com.docker.network.bridge.name": defaults.bridgeName]
        if bridge != existing["bridge"] { try save(bridge) }
        for (name, driver) in [("host", "host"), ("none", "null")] where existing[name] == nil {
            try save(NetworkRecord(id: Self.newID(), name: name, driver: driver, created: WallClock.rfc3339Nano()))
        }
    }

    // MARK: records

    func save(_ n: NetworkRecord) throws {
        try Files.writeAtomic(root + "/networks/\(n.id).json", try BerthJSONEncoder(sortedKeys: true).encode(n))
        state.withLock { $0.networks[n.id] = n }
    }

    /// Not synced to disk: a sandbox records kernel state (a namespace mount, veths, rules)
    /// that a reboot takes away with it; a daemon crash leaves the record in the page cache.
    func save(_ sb: Sandbox) throws {
        try Files.writeAtomic(root + "/sandboxes/\(sb.containerID).json", try BerthJSONEncoder(sortedKeys: true).encode(sb),
                              durable: false)
        state.withLock { $0.sandboxes[sb.containerID] = sb }
    }

    /// Drops a sandbox's record, unless a newer run of the container replaced it.
    func forget(_ sb: Sandbox) {
        state.withLock { s in
            guard s.sandboxes[sb.containerID]?.nonce == sb.nonce else { return }
            s.sandboxes[sb.containerID] = nil
            unlink(root + "/sandboxes/\(sb.containerID).json")
        }
    }

    /// All networks, predefined ones included.
    public func networks() -> [NetworkRecord] {
        state.withLock { Array($0.networks.values) }.sorted { $0.created < $1.created }
    }

    /// A network by full ID, exact name, or unique ID prefix, as Docker looks them up.
    public func network(_ ref: String) throws(NetworkError) -> NetworkRecord {
        let all = networks()
        if let n = all.first(where: { $0.id == ref }) ?? all.first(where: { $0.name == ref }) { return n }
        let matches = ref.isEmpty ? [] : all.filter { $0.id.hasPrefix(ref) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw NetworkError(.invalid, "network \(ref) is ambiguous (\(matches.count) matches found based on ID prefix)") }
        throw NetworkError(.notFound, "network \(ref) not found")
    }

    /// The container's current sandbox, if its network is set up or owed a teardown.
    public func sandbox(_ containerID: String) -> Sandbox? {
        state.withLock { $0.sandboxes[containerID] }
    }

    public func sandboxes() -> [Sandbox] { state.withLock { Array($0.sandboxes.values) } }

    /// The endpoints on one network, with their sandboxes.
    public func endpoints(on networkID: String) -> [(Sandbox, Endpoint)] {
        sandboxes().flatMap { sb in sb.endpoints.filter { $0.networkID == networkID }.map { (sb, $0) } }
    }

    static func newID() -> String {
        var rng = SystemRandomNumberGenerator()   // getrandom(2)
        return (0..<32).map { _ in
            let b = UInt8.random(in: 0...255, using: &rng)
            return (b < 16 ? "0" : "") + String(b, radix: 16)
        }.joined()
    }

    // MARK: netavark, serialised

    func withTool<T>(_ body: () throws -> T) rethrows -> T {
        try tool.withLock { _ in try body() }
    }

    /// The netavark document for endpoint `e` of `sb`; the first endpoint carries the ports.
    func options(_ n: NetworkRecord, _ e: Endpoint, _ sb: Sandbox, first: Bool) -> Netavark.Options {
        Netavark.options(network: n, endpoint: e, containerID: sb.containerID, containerName: sb.containerName,
                         ports: first ? sb.ports : [], firewall: needsFirewall(n, sb, first: first))
    }

    /// Whether netavark's firewall driver has work for this endpoint: only its published ports
    /// are the container's own (the anchor keeps the network's rules). The first endpoint
    /// without ports skips it and gets its default route from `RouteNetlink`; later endpoints
    /// keep netavark's whole run, so the default route stays the first network's, as it was.
    func needsFirewall(_ n: NetworkRecord, _ sb: Sandbox, first: Bool) -> Bool {
        !first || !sb.ports.isEmpty || n.isInternal
    }
}
