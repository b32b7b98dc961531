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

    enum CodingKeys: String, CodingKey {
        case hostname = "Hostname", domainname = "Domainname", user = "User", attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout", attachStderr = "AttachStderr", tty = "Tty", openStdin = "OpenStdin"
        case stdinOnce = "StdinOnce", env = "Env", cmd = "Cmd", entrypoint = "Entrypoint", image = "Image"
        case workingDir = "WorkingDir", labels = "Labels", stopSignal = "StopSignal", stopTimeout = "StopTimeout"
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
    public var init_: Bool?

    enum CodingKeys: String, CodingKey {
        case binds = "Binds", networkMode = "NetworkMode", autoRemove = "AutoRemove", privileged = "Privileged"
        case readonlyRootfs = "ReadonlyRootfs", capAdd = "CapAdd", capDrop = "CapDrop", securityOpt = "SecurityOpt"
        case memory = "Memory", memorySwap = "MemorySwap", nanoCpus = "NanoCpus", cpuShares = "CpuShares"
        case pidsLimit = "PidsLimit", init_ = "Init"
    }

    public init() {}
}

/// The body of `POST /containers/create`: Config with HostConfig inside.
public struct CreateRequest: Decodable, Sendable {
    public var config: ContainerConfig
    public var hostConfig: HostConfig
    public var network = ContainerNetworkConfig()

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
    }
}
