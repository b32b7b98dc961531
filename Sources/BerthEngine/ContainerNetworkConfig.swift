import BerthNetwork

/// The network parts of `POST /containers/create`, kept apart from `ContainerConfig` and
/// `HostConfig`: `Config.ExposedPorts`; `HostConfig.PortBindings`, `PublishAllPorts`, `Links`,
/// `Dns`, `DnsSearch`, `DnsOptions`, `ExtraHosts`; `NetworkingConfig.EndpointsConfig`.
public struct ContainerNetworkConfig: Codable, Sendable, Equatable {
    /// `80/tcp`, …
    public var exposedPorts: [String] = []
    /// `80/tcp` → bindings, as Docker's `nat.PortMap`.
    public var portBindings: [String: [HostBinding]] = [:]
    public var publishAllPorts = false
    /// `name:alias`, as the docker CLI sends them.
    public var links: [String] = []
    public var dns: [String] = []
    public var dnsSearch: [String] = []
    public var dnsOptions: [String] = []
    /// `host:ip` (or `host=ip`).
    public var extraHosts: [String] = []
    /// Per network (by the name the user gave): aliases and a fixed address.
    public var endpoints: [String: EndpointSettings] = [:]

    public struct HostBinding: Codable, Sendable, Equatable {
        public var hostIP: String?
        public var hostPort: String?
        enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
        public init(hostIP: String?, hostPort: String?) { self.hostIP = hostIP; self.hostPort = hostPort }
    }

    public struct EndpointSettings: Codable, Sendable, Equatable {
        public var aliases: [String]?
        public var ipv4Address: String?
        public init(aliases: [String]? = nil, ipv4Address: String? = nil) { self.aliases = aliases; self.ipv4Address = ipv4Address }
    }

    public init() {}

    // MARK: decoding the create body

    private struct Body: Decodable {
        var ExposedPorts: [String: EmptyValue]?
        var HostConfig: Host?
        var NetworkingConfig: Networking?
    }
    private struct EmptyValue: Decodable {}
    private struct Host: Decodable {
        var PortBindings: [String: [HostBinding]?]?
        var PublishAllPorts: Bool?
        var Links: [String]?
        var Dns: [String]?
        var DnsSearch: [String]?
        var DnsOptions: [String]?
        var ExtraHosts: [String]?
    }
    private struct Networking: Decodable { var EndpointsConfig: [String: Endpoint?]? }
    private struct Endpoint: Decodable {
        var Aliases: [String]?
        var IPAMConfig: IPAM?
    }
    private struct IPAM: Decodable { var IPv4Address: String? }

    /// The network settings of a create request body.
    public init(createBody decoder: any Decoder) throws {
        let b = try Body(from: decoder)
        exposedPorts = (b.ExposedPorts ?? [:]).keys.sorted()
        portBindings = (b.HostConfig?.PortBindings ?? [:]).compactMapValues { $0 }
        publishAllPorts = b.HostConfig?.PublishAllPorts ?? false
        links = b.HostConfig?.Links ?? []
        dns = b.HostConfig?.Dns ?? []
        dnsSearch = b.HostConfig?.DnsSearch ?? []
        dnsOptions = b.HostConfig?.DnsOptions ?? []
        extraHosts = b.HostConfig?.ExtraHosts ?? []
        for (name, e) in b.NetworkingConfig?.EndpointsConfig ?? [:] {
            endpoints[name] = EndpointSettings(aliases: e?.Aliases, ipv4Address: e?.IPAMConfig?.IPv4Address)
        }
    }

    // MARK: ports

    /// `80/tcp` → (80, "tcp"); Docker's `nat.ParsePort` rules.
    static func parsePort(_ key: String) throws(EngineErrorLike) -> (Int, String) {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let proto = parts.count > 1 ? parts[1].lowercased() : "tcp"
        guard let port = Int(parts[0]), (1...65535).contains(port), ["tcp", "udp", "sctp"].contains(proto) else {
            throw .invalid("invalid port specification: \"\(key)\"")
        }
        return (port, proto)
    }

    /// The bindings to publish: `-p` ones, and with `-P` every exposed port (the container's
    /// and the image's) that has none, on a free host port.
    func bindings(imageExposed: [String]) throws(EngineErrorLike) -> [PortBinding] {
        var out: [PortBinding] = []
        for key in portBindings.keys.sorted() {
            let (port, proto) = try Self.parsePort(key)
            for b in portBindings[key] ?? [] {
                let text = b.hostPort ?? ""
                var hostPort = 0
                if !text.isEmpty {
                    // A range (`8000-8010`) binds its first free port; Berth takes the first.
                    let first = text.split(separator: "-").first.map(String.init) ?? text
                    guard let n = Int(first), (0...65535).contains(n) else {
                        throw .invalid("invalid port specification: \"\(text)\"")
                    }
                    hostPort = n
                }
                out.append(PortBinding(proto: proto, containerPort: port, hostIP: b.hostIP ?? "", hostPort: hostPort))
            }
        }
        if publishAllPorts {
            for key in Set(exposedPorts + imageExposed).sorted() where portBindings[key] == nil {
                let (port, proto) = try Self.parsePort(key)
                out.append(PortBinding(proto: proto, containerPort: port, hostIP: "", hostPort: 0))
            }
        }
        return out
    }
}
