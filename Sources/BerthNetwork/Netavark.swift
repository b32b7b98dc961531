import BerthJSON
import BerthSystem

/// podman's network stack as Berth drives it: `netavark setup|teardown NETNS` with a network
/// options document on stdin (netavark's `src/network/types.rs`, v1.4). netavark creates the
/// bridge, the veth pair, addresses and routes, the iptables NAT, forwarding and port rules,
/// and starts aardvark-dns for networks with DNS; the caller does IPAM, as podman does.
struct Netavark {
    /// Binaries: Debian installs them under /usr/lib/podman. `BERTH_NETAVARK` overrides.
    static let binary = Self.find(env: "BERTH_NETAVARK", ["/usr/lib/podman/netavark", "/usr/libexec/podman/netavark",
                                                           "/usr/local/lib/podman/netavark"])
    static let aardvark = Self.find(env: "BERTH_AARDVARK_DNS", ["/usr/lib/podman/aardvark-dns",
                                                                 "/usr/libexec/podman/aardvark-dns"])

    /// netavark's state directory (aardvark-dns's records and pid file); a tmpfs.
    let configDir: String
    let scratch: String

    static func find(env: String, _ candidates: [String]) -> String {
        if let p = getenv(env) { return String(cString: p) }
        return candidates.first { access($0, X_OK) == 0 } ?? candidates[0]
    }

    // MARK: the document netavark reads

    struct Options: Encodable {
        var container_id: String
        var container_name: String
        var port_mappings: [PortMapping]?
        var networks: [String: PerNetwork]
        var network_info: [String: Network]
    }

    struct PerNetwork: Encodable {
        var aliases: [String]?
        var interface_name: String
        var static_ips: [String]
        var static_mac: String?
    }

    struct Network: Encodable {
        var dns_enabled: Bool
        var driver = "bridge"
        var id: String
        var `internal`: Bool
        var ipv6_enabled = false
        var name: String
        var network_interface: String
        var options: [String: String]?
        var ipam_options = ["driver": "host-local"]
        var subnets: [Subnet]
    }

    struct Subnet: Encodable {
        var subnet: String
        var gateway: String?
    }

    struct PortMapping: Encodable {
        var host_ip: String
        var container_port: Int
        var host_port: Int
        var range = 1
        var `protocol`: String
    }

    /// The document for one container on one network.
    ///
    /// With `firewall: false` netavark is told the network is internal, which makes it skip its
    /// firewall driver altogether and add no default route. That is for a container endpoint
    /// on a network whose anchor is up and that publishes no ports: the anchor's run made every
    /// rule of the network (NAT, forwarding, isolation, the port-forwarding chains), none of
    /// them is the container's own, and netavark 1.4 re-checks them all with some 20 `iptables`
    /// runs (two thirds of a setup's time). The caller adds the default route (`RouteNetlink`).
    static func options(network n: NetworkRecord, endpoint e: Endpoint, containerID: String, containerName: String,
                        ports: [PortBinding], firewall: Bool = true) -> Options {
        // Docker isolates bridge networks from one another; netavark does it with `isolate`.
        var opts = n.options.filter { $0.key == "mtu" }
        opts["isolate"] = "true"
        // netavark names its iptables chains after a hash of the network *name*: every daemon
        // has a `bridge`, so the name netavark sees is the unique ID.
        let name = "berth-" + n.id.prefix(12)
        let net = Network(dns_enabled: n.dns, id: n.id, internal: n.isInternal || !firewall, name: name,
                          network_interface: n.bridge ?? "", options: opts,
                          subnets: [Subnet(subnet: n.subnet ?? "", gateway: n.gateway)])
        let names = n.dns ? e.aliases + [String(containerID.prefix(12))] : nil
        let per = PerNetwork(aliases: names, interface_name: e.interface, static_ips: [e.address],
                             static_mac: e.macAddress)
        return Options(container_id: containerID, container_name: containerName,
                       port_mappings: ports.isEmpty ? nil : ports.map {
                           PortMapping(host_ip: $0.hostIP, container_port: $0.containerPort, host_port: $0.hostPort,
                                       protocol: $0.proto)
                       },
                       networks: [name: per], network_info: [name: net])
    }

    // MARK: running it

    func setup(netns: String, _ options: Options) throws {
        try run("setup", netns: netns, options)
    }

    func teardown(netns: String, _ options: Options) throws {
        try run("teardown", netns: netns, options)
    }

    /// netavark's firewall rules share chains (`NETAVARK_ISOLATION_*`, `NETAVARK_FORWARD`) across
    /// networks and daemons, and a setup racing a teardown can leave them briefly without the
    /// isolation rules: runs are serialised on this lock file, as podman serialises its own.
    static let lockPath = "/run/berth/netavark.lock"

    private func run(_ verb: String, netns: String, _ options: Options) throws {
        let input = try BerthJSONEncoder(sortedKeys: true).encode(options)
        try? Files.mkdirAll("/run/berth", mode: 0o711)
        let lock = try FD.open(Self.lockPath, O_RDWR | O_CREAT, mode: 0o600)
        defer { close(lock) }
        _ = try sys("flock", path: Self.lockPath) { flock(lock, LOCK_EX) }
        let r = try Subprocess.run([Self.binary, "--config", configDir, "--aardvark-binary", Self.aardvark, verb, netns],
                                   input: input, scratch: scratch)
        guard r.status == 0 else {
            throw NetworkError(.failed, "netavark \(verb): \(Self.message(r))")
        }
    }

    /// netavark reports failures as `{"error":"…"}` on stdout.
    static func message(_ r: Subprocess.Result) -> String {
        let out = String(decoding: r.stdout, as: UTF8.self)
        struct Failure: Decodable { var error: String? }
        if let s = (try? BerthJSONDecoder().decode(Failure.self, from: r.stdout))?.error { return s }
        let text = (out + r.stderr).split(separator: "\n").filter { !$0.includes("failed to connect to syslog") }
        return text.joined(separator: "; ").isEmpty ? "exit status \(r.status)" : text.joined(separator: "; ")
    }
}

#if canImport(Glibc)
import Glibc
#endif
