import BerthOCI

/// The container parts of `POST /containers/create` and of inspect, with Docker's field
/// names. Only what the engine acts on so far; unknown fields are ignored.
public struct ContainerConfig: Codable, Sendable, Equatable {
    public var hostname: String?
    public var domainname: String?
    public var user: String?
    public var attachStdin: Bool?
    public var attachStdout: Bool?
    public var attachStderr: Bool?
    public var tty: Bool?
    public var openStdin: Bool?
    public var stdinOnce: Bool?
    public var env: [String]?
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var image: String?
    public var workingDir: String?
    public var labels: [String: String]?
    public var stopSignal: String?
    public var stopTimeout: Int?
    /// `--health-*` flags; fields left zero take the image's HEALTHCHECK values.
    public var healthcheck: ImageConfig.Healthcheck?

    enum CodingKeys: String, CodingKey {
        case hostname = "Hostname", domainname = "Domainname", user = "User", attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout", attachStderr = "AttachStderr", tty = "Tty", openStdin = "OpenStdin"
        case stdinOnce = "StdinOnce", env = "Env", cmd = "Cmd", entrypoint = "Entrypoint", image = "Image"
        case workingDir = "WorkingDir", labels = "Labels", stopSignal = "StopSignal", stopTimeout = "StopTimeout"
        case healthcheck = "Healthcheck"
    }

    public init() {}

    /// Docker's `Cmd`/`Entrypoint` accept a string as well as a list.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hostname = try c.decodeIfPresent(String.self, forKey: .hostname)
        domainname = try c.decodeIfPresent(String.self, forKey: .domainname)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        attachStdin = try c.decodeIfPresent(Bool.self, forKey: .attachStdin)
        attachStdout = try c.decodeIfPresent(Bool.self, forKey: .attachStdout)
        attachStderr = try c.decodeIfPresent(Bool.self, forKey: .attachStderr)
        tty = try c.decodeIfPresent(Bool.self, forKey: .tty)
        openStdin = try c.decodeIfPresent(Bool.self, forKey: .openStdin)
        stdinOnce = try c.decodeIfPresent(Bool.self, forKey: .stdinOnce)
        env = try c.decodeIfPresent([String].self, forKey: .env)
        cmd = try Self.stringOrList(c, .cmd)
        entrypoint = try Self.stringOrList(c, .entrypoint)
        image = try c.decodeIfPresent(String.self, forKey: .image)
        workingDir = try c.decodeIfPresent(String.self, forKey: .workingDir)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
        stopSignal = try c.decodeIfPresent(String.self, forKey: .stopSignal)
        stopTimeout = try c.decodeIfPresent(Int.self, forKey: .stopTimeout)
        healthcheck = try c.decodeIfPresent(ImageConfig.Healthcheck.self, forKey: .healthcheck)
    }

    static func stringOrList(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [String]? {
        if let s = try? c.decodeIfPresent(String.self, forKey: key) { return [s] }
        return try c.decodeIfPresent([String].self, forKey: key)
    }
}

/// The `HostConfig` of `POST /containers/create`: what the engine applies so far.
public struct HostConfig: Codable, Sendable, Equatable {
    public var binds: [String]?
    public var networkMode: String?
    public var autoRemove: Bool?
    public var privileged: Bool?
    public var readonlyRootfs: Bool?
    public var capAdd: [String]?
    public var capDrop: [String]?
    public var securityOpt: [String]?
    public var memory: Int64?
    public var memorySwap: Int64?
    public var nanoCpus: Int64?
    public var cpuShares: Int64?
    public var pidsLimit: Int64?
    /// `--init`: /sbin/docker-init (berth-init) runs as pid 1 and starts the command.
    public var init_: Bool?
    /// `--tmpfs /run:size=1m`: mount point → tmpfs options.
    public var tmpfs: [String: String]?
    /// `--ulimit nofile=100:200`.
    public var ulimits: [Ulimit]?
    /// `-p 8080:80`: `80/tcp` → host bindings. Validated and recorded; publishing comes
    /// with the networking issue.
    public var portBindings: [String: [PortBinding]?]?
    public var restartPolicy: RestartPolicy?
    public var memoryReservation: Int64?
    public var memorySwappiness: Int64?
    public var cpuPeriod: Int64?
    public var cpuQuota: Int64?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var blkioWeight: Int64?
    public var oomKillDisable: Bool?

    enum CodingKeys: String, CodingKey {
        case binds = "Binds", networkMode = "NetworkMode", autoRemove = "AutoRemove", privileged = "Privileged"
        case readonlyRootfs = "ReadonlyRootfs", capAdd = "CapAdd", capDrop = "CapDrop", securityOpt = "SecurityOpt"
        case memory = "Memory", memorySwap = "MemorySwap", nanoCpus = "NanoCpus", cpuShares = "CpuShares"
        case pidsLimit = "PidsLimit", init_ = "Init", tmpfs = "Tmpfs", ulimits = "Ulimits", portBindings = "PortBindings"
        case restartPolicy = "RestartPolicy", memoryReservation = "MemoryReservation"
        case memorySwappiness = "MemorySwappiness", cpuPeriod = "CpuPeriod", cpuQuota = "CpuQuota"
        case cpusetCpus = "CpusetCpus", cpusetMems = "CpusetMems", blkioWeight = "BlkioWeight"
        case oomKillDisable = "OomKillDisable"
    }

    /// One resource limit, as Docker's `{"Name": "nofile", "Soft": 100, "Hard": 200}`.
    public struct Ulimit: Codable, Sendable, Equatable {
        public var name: String
        public var soft: Int64
        public var hard: Int64
        enum CodingKeys: String, CodingKey { case name = "Name", soft = "Soft", hard = "Hard" }
    }

    /// A host side of a published port: `{"HostIp": "", "HostPort": "8080"}`.
    public struct PortBinding: Codable, Sendable, Equatable {
        public var hostIP: String?
        public var hostPort: String?
        enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
    }

    public init() {}
}

/// `HostConfig.RestartPolicy`: `no`, `always`, `unless-stopped` or `on-failure` with an
/// optional maximum retry count.
public struct RestartPolicy: Codable, Sendable, Equatable {
    public var name: String?
    public var maximumRetryCount: Int?

    enum CodingKeys: String, CodingKey { case name = "Name", maximumRetryCount = "MaximumRetryCount" }

    public init(name: String? = nil, maximumRetryCount: Int? = nil) {
        self.name = name
        self.maximumRetryCount = maximumRetryCount
    }
}

/// The body of `POST /containers/create`: Config with HostConfig inside.
public struct CreateRequest: Decodable, Sendable {
    public var config: ContainerConfig
    public var hostConfig: HostConfig
    public var network = ContainerNetworkConfig()
    public var volumes = ContainerVolumeConfig()

    enum CodingKeys: String, CodingKey { case hostConfig = "HostConfig" }

    public init(config: ContainerConfig, hostConfig: HostConfig = HostConfig()) {
        self.config = config
        self.hostConfig = hostConfig
    }

    public init(from decoder: any Decoder) throws {
        config = try ContainerConfig(from: decoder)
        hostConfig = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(HostConfig.self, forKey: .hostConfig)
            ?? HostConfig()
        network = try ContainerNetworkConfig(createBody: decoder)
        volumes = try ContainerVolumeConfig(createBody: decoder)
    }
}
