/// A network as Berth keeps it, in `<data-root>/network/networks/<id>.json`. The built-in
/// `bridge`, `host` and `none` networks are records too, so IDs stay stable across restarts.
public struct NetworkRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// `bridge`, `host` or `null` (Docker's driver names).
    public var driver: String
    public var created: String
    /// CIDR (`172.30.0.0/16`) and gateway, for bridge networks.
    public var subnet: String?
    public var gateway: String?
    public var isInternal: Bool
    public var attachable: Bool
    public var labels: [String: String]
    public var options: [String: String]
    /// The bridge interface on the host (`berth0`, `br-<id12>`).
    public var bridge: String?
    /// Name resolution through aardvark-dns: user-defined bridge networks only, as in Docker.
    public var dns: Bool

    public init(id: String, name: String, driver: String, created: String, subnet: String? = nil, gateway: String? = nil,
                isInternal: Bool = false, attachable: Bool = false, labels: [String: String] = [:],
                options: [String: String] = [:], bridge: String? = nil, dns: Bool = false) {
        self.id = id; self.name = name; self.driver = driver; self.created = created; self.subnet = subnet
        self.gateway = gateway; self.isInternal = isInternal; self.attachable = attachable; self.labels = labels
        self.options = options; self.bridge = bridge; self.dns = dns
    }

    /// Docker's three networks that always exist and cannot be removed.
    public var isPredefined: Bool { ["bridge", "host", "none"].contains(name) }

    var ipv4Subnet: IPv4Subnet? { subnet.flatMap { IPv4Subnet($0) } }
    var ipv4Gateway: IPv4Address? { gateway.flatMap { IPv4Address($0) } }
    /// The address the network's anchor endpoint holds (see `NetworkManager`): the subnet's
    /// last host address, which Berth's IPAM never hands to a container.
    var anchorAddress: IPv4Address? { ipv4Subnet?.lastHost }
}

/// One container's attachment to one network: its IP lease, MAC address and DNS names.
public struct Endpoint: Codable, Sendable, Equatable {
    public var networkID: String
    public var networkName: String
    public var endpointID: String
    /// The interface inside the container (`eth0`, `eth1`, …).
    public var interface: String
    public var address: String
    public var prefixLength: Int
    public var gateway: String?
    public var macAddress: String
    /// `--network-alias` / `connect --alias` names.
    public var aliases: [String]
    /// `--link` targets on the default bridge, as `name:alias`.
    public var links: [String]
}

/// A published port: `hostIP:hostPort -> containerPort/proto`.
public struct PortBinding: Codable, Sendable, Equatable, Hashable {
    public var proto: String
    public var containerPort: Int
    /// Empty for every host address (shown as `0.0.0.0`).
    public var hostIP: String
    public var hostPort: Int

    public init(proto: String, containerPort: Int, hostIP: String, hostPort: Int) {
        self.proto = proto; self.containerPort = containerPort; self.hostIP = hostIP; self.hostPort = hostPort
    }
}

/// A container's network state, in `<data-root>/network/sandboxes/<container-id>.json`. It is
/// written before anything is set up and removed only after everything is torn down, so the
/// leases it holds (addresses, host ports) and the teardown it owes survive a crash of berthd.
public struct Sandbox: Codable, Sendable, Equatable {
    public var containerID: String
    /// New for each start, so a late teardown of an earlier run cannot touch this one.
    public var nonce: String
    public var containerName: String
    public var hostname: String
    public var endpoints: [Endpoint]
    public var ports: [PortBinding]
    /// The bind mount that keeps the container's network namespace alive until teardown.
    public var netnsPath: String?
    /// netavark set the endpoints up: teardown is owed.
    public var active: Bool

    public var shortID: String { String(containerID.prefix(12)) }
}

/// What a container asks of the network at start.
public struct SandboxRequest: Sendable {
    public struct Attachment: Sendable {
        public var network: String
        public var aliases: [String]
        /// `--ip`: a fixed address in a user network.
        public var address: String?
        public init(network: String, aliases: [String] = [], address: String? = nil) {
            self.network = network; self.aliases = aliases; self.address = address
        }
    }
    public var containerID: String
    public var containerName: String
    public var hostname: String
    public var attachments: [Attachment]
    /// Requested bindings; a `hostPort` of 0 asks for a free port.
    public var ports: [PortBinding]
    public var links: [String]

    public init(containerID: String, containerName: String, hostname: String, attachments: [Attachment],
                ports: [PortBinding], links: [String] = []) {
        self.containerID = containerID; self.containerName = containerName; self.hostname = hostname
        self.attachments = attachments; self.ports = ports; self.links = links
    }
}

/// Network failures, classified so the engine can map them to Docker's statuses.
public struct NetworkError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case notFound, conflict, invalid, forbidden, failed }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}
