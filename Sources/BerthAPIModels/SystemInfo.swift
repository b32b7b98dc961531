/// `GET /info`: the daemon's configuration and the host it runs on. Field names are
/// Docker's; the docker CLI prints most of them in `docker info`.
public struct SystemInfo: Codable, Sendable, Equatable {
    public var id: String = ""
    public var containers: Int = 0
    public var containersRunning: Int = 0
    public var containersPaused: Int = 0
    public var containersStopped: Int = 0
    public var images: Int = 0
    public var driver: String = "overlay2"
    /// Pairs such as `["Backing Filesystem", "extfs"]`.
    public var driverStatus: [[String]] = []
    public var dockerRootDir: String = ""
    public var plugins: Plugins = Plugins()
    public var memoryLimit: Bool = false
    public var swapLimit: Bool = false
    public var cpuCfsPeriod: Bool = false
    public var cpuCfsQuota: Bool = false
    public var cpuShares: Bool = false
    public var cpuSet: Bool = false
    public var pidsLimit: Bool = false
    public var oomKillDisable: Bool = false
    public var ipv4Forwarding: Bool = false
    public var debug: Bool = false
    public var nFd: Int = 0
    public var nGoroutines: Int = 0
    /// RFC 3339 with nanoseconds, as Go prints `time.Now()`.
    public var systemTime: String = ""
    public var loggingDriver: String = "json-file"
    public var cgroupDriver: String = "cgroupfs"
    /// `"1"` or `"2"`.
    public var cgroupVersion: String = "2"
    public var nEventsListener: Int = 0
    public var kernelVersion: String = ""
    public var operatingSystem: String = ""
    public var osVersion: String = ""
    public var osType: String = "linux"
    /// `uname -m` spelling (`x86_64`), unlike `/version`'s `Arch`.
    public var architecture: String = ""
    public var ncpu: Int = 0
    public var memTotal: Int64 = 0
    public var indexServerAddress: String = "https://index.docker.io/v1/"
    public var registryConfig: RegistryConfig = RegistryConfig()
    public var httpProxy: String = ""
    public var httpsProxy: String = ""
    public var noProxy: String = ""
    public var name: String = ""
    public var labels: [String] = []
    public var experimentalBuild: Bool = false
    public var serverVersion: String = ""
    public var runtimes: [String: Runtime] = [:]
    public var defaultRuntime: String = ""
    public var swarm: Swarm = Swarm()
    public var liveRestoreEnabled: Bool = false
    public var isolation: String = ""
    public var initBinary: String = ""
    public var containerdCommit: Commit = Commit()
    public var runcCommit: Commit = Commit()
    public var initCommit: Commit = Commit()
    /// `name=seccomp,profile=builtin` style entries.
    public var securityOptions: [String] = []
    public var cdiSpecDirs: [String] = []
    public var warnings: [String] = []

    public init() {}

    /// The plugin names the daemon offers, by kind.
    public struct Plugins: Codable, Sendable, Equatable {
        public var volume: [String] = ["local"]
        public var network: [String] = ["bridge", "host", "none"]
        public var authorization: [String]? = nil
        public var log: [String] = ["json-file"]
        public init() {}
        enum CodingKeys: String, CodingKey {
            case volume = "Volume", network = "Network", authorization = "Authorization", log = "Log"
        }
    }

    /// An OCI runtime the daemon can start containers with.
    public struct Runtime: Codable, Sendable, Equatable {
        public var path: String
        public var runtimeArgs: [String]?
        public init(path: String, runtimeArgs: [String]? = nil) {
            self.path = path
            self.runtimeArgs = runtimeArgs
        }
        enum CodingKeys: String, CodingKey { case path, runtimeArgs }
    }

    /// Swarm mode: never active in Berth, but clients read `LocalNodeState`.
    public struct Swarm: Codable, Sendable, Equatable {
        public var nodeID: String = ""
        public var nodeAddr: String = ""
        public var localNodeState: String = "inactive"
        public var controlAvailable: Bool = false
        public var error: String = ""
        public var remoteManagers: [String]? = nil
        public init() {}
        enum CodingKeys: String, CodingKey {
            case nodeID = "NodeID", nodeAddr = "NodeAddr", localNodeState = "LocalNodeState"
            case controlAvailable = "ControlAvailable", error = "Error", remoteManagers = "RemoteManagers"
        }
    }

    /// A component's commit, `{"ID": "..."}`.
    public struct Commit: Codable, Sendable, Equatable {
        public var id: String = ""
        public init(id: String = "") { self.id = id }
        enum CodingKeys: String, CodingKey { case id = "ID" }
    }

    /// Registry settings: insecure CIDRs, per-index settings and mirrors.
    public struct RegistryConfig: Codable, Sendable, Equatable {
        public var insecureRegistryCIDRs: [String] = ["::1/128", "127.0.0.0/8"]
        public var indexConfigs: [String: IndexInfo] = [
            "docker.io": IndexInfo(name: "docker.io", mirrors: [], secure: true, official: true),
        ]
        public var mirrors: [String] = []
        public init() {}
        enum CodingKeys: String, CodingKey {
            case insecureRegistryCIDRs = "InsecureRegistryCIDRs", indexConfigs = "IndexConfigs", mirrors = "Mirrors"
        }
    }

    /// One registry index's settings.
    public struct IndexInfo: Codable, Sendable, Equatable {
        public var name: String
        public var mirrors: [String]
        public var secure: Bool
        public var official: Bool
        public init(name: String, mirrors: [String], secure: Bool, official: Bool) {
            self.name = name
            self.mirrors = mirrors
            self.secure = secure
            self.official = official
        }
        enum CodingKeys: String, CodingKey {
            case name = "Name", mirrors = "Mirrors", secure = "Secure", official = "Official"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID", containers = "Containers", containersRunning = "ContainersRunning"
        case containersPaused = "ContainersPaused", containersStopped = "ContainersStopped"
        case images = "Images", driver = "Driver", driverStatus = "DriverStatus"
        case dockerRootDir = "DockerRootDir", plugins = "Plugins", memoryLimit = "MemoryLimit"
        case swapLimit = "SwapLimit", cpuCfsPeriod = "CpuCfsPeriod", cpuCfsQuota = "CpuCfsQuota"
        case cpuShares = "CPUShares", cpuSet = "CPUSet", pidsLimit = "PidsLimit"
        case oomKillDisable = "OomKillDisable", ipv4Forwarding = "IPv4Forwarding", debug = "Debug"
        case nFd = "NFd", nGoroutines = "NGoroutines", systemTime = "SystemTime"
        case loggingDriver = "LoggingDriver", cgroupDriver = "CgroupDriver", cgroupVersion = "CgroupVersion"
        case nEventsListener = "NEventsListener", kernelVersion = "KernelVersion"
        case operatingSystem = "OperatingSystem", osVersion = "OSVersion", osType = "OSType"
        case architecture = "Architecture", ncpu = "NCPU", memTotal = "MemTotal"
        case indexServerAddress = "IndexServerAddress", registryConfig = "RegistryConfig"
        case httpProxy = "HttpProxy", httpsProxy = "HttpsProxy", noProxy = "NoProxy", name = "Name"
        case labels = "Labels", experimentalBuild = "ExperimentalBuild", serverVersion = "ServerVersion"
        case runtimes = "Runtimes", defaultRuntime = "DefaultRuntime", swarm = "Swarm"
        case liveRestoreEnabled = "LiveRestoreEnabled", isolation = "Isolation", initBinary = "InitBinary"
        case containerdCommit = "ContainerdCommit", runcCommit = "RuncCommit", initCommit = "InitCommit"
        case securityOptions = "SecurityOptions", cdiSpecDirs = "CDISpecDirs", warnings = "Warnings"
    }
}
