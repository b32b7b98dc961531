import BerthAPIModels
import BerthSystem

/// `/version` and `/info` from the host and the daemon's settings. Object counts come
/// from `counts`, which the engine supplies once it exists; until then they are zero.
public struct HostSystemBackend: SystemBackend {
    /// Containers by state, and images.
    public struct Counts: Sendable {
        public var running = 0, paused = 0, stopped = 0, images = 0
        public init(running: Int = 0, paused: Int = 0, stopped: Int = 0, images: Int = 0) {
            self.running = running
            self.paused = paused
            self.stopped = stopped
            self.images = images
        }
    }

    public var dataRoot: String
    public var debug: Bool
    public var engineID: String
    public var counts: @Sendable () async -> Counts

    /// - Parameter engineID: the daemon's stable ID; see `loadEngineID(dataRoot:)`.
    public init(dataRoot: String, engineID: String, debug: Bool = false, counts: @escaping @Sendable () async -> Counts = { Counts() }) {
        self.dataRoot = dataRoot
        self.engineID = engineID
        self.debug = debug
        self.counts = counts
    }

    /// The ID kept in `<data-root>/engine-id`, created on first start as Docker does.
    public static func loadEngineID(dataRoot: String) throws -> String {
        let path = Files.join(dataRoot, "engine-id")
        if let text = try? Files.readString(path) {
            let id = text.drop(while: \.isWhitespace).prefix(while: { !$0.isWhitespace })
            if !id.isEmpty { return String(id) }
        }
        let id = HostFacts.randomUUID()
        try Files.writeAtomic(path, Array(id.utf8), mode: 0o600)
        return id
    }

    public func version() async throws -> SystemVersion {
        let host = HostFacts.uname()
        let arch = GoPlatform.arch(fromMachine: host.machine)
        let engine = SystemVersion.Component(name: "Engine", version: BerthVersionInfo.version, details: [
            "ApiVersion": APIVersion.current.description, "Arch": arch, "BuildTime": "",
            "Experimental": "false", "GitCommit": BerthVersionInfo.gitCommit,
            "GoVersion": BerthVersionInfo.compilerVersion, "KernelVersion": host.release,
            "MinAPIVersion": APIVersion.minimum.description, "Os": "linux",
        ])
        let runtime = SystemVersion.Component(name: "berth-runtime", version: BerthVersionInfo.version, details: [
            "GitCommit": BerthVersionInfo.gitCommit,
        ])
        return SystemVersion(
            platform: .init(name: "Berth Engine"), components: [engine, runtime], version: BerthVersionInfo.version,
            apiVersion: APIVersion.current.description, minAPIVersion: APIVersion.minimum.description,
            gitCommit: BerthVersionInfo.gitCommit, goVersion: BerthVersionInfo.compilerVersion, os: "linux",
            arch: arch, kernelVersion: host.release, buildTime: "")
    }

    public func info() async throws -> SystemInfo {
        let host = HostFacts.uname()
        let os = HostFacts.operatingSystem()
        let counts = await counts()
        let process = HostFacts.processCounts()
        var info = SystemInfo()
        info.id = engineID
        info.containersRunning = counts.running
        info.containersPaused = counts.paused
        info.containersStopped = counts.stopped
        info.containers = counts.running + counts.paused + counts.stopped
        info.images = counts.images
        info.driverStatus = [["Backing Filesystem", HostFacts.backingFileSystem(dataRoot)], ["Supports d_type", "true"]]
        info.dockerRootDir = dataRoot
        info.debug = debug
        info.nFd = process.fds
        info.nGoroutines = process.threads
        info.systemTime = Timestamp.rfc3339Nano()
        info.kernelVersion = host.release
        info.operatingSystem = os.name
        info.osVersion = os.version
        info.architecture = host.machine
        info.ncpu = HostFacts.cpuCount()
        info.memTotal = HostFacts.memoryTotal()
        info.name = host.nodename
        info.serverVersion = BerthVersionInfo.version
        info.runtimes = ["berth-runtime": .init(path: "berth-runtime")]
        info.defaultRuntime = "berth-runtime"
        info.ipv4Forwarding = HostFacts.ipv4Forwarding()
        applyCgroupFacts(to: &info)
        return info
    }

    private func applyCgroupFacts(to info: inout SystemInfo) {
        info.cgroupVersion = HostFacts.cgroupVersion()
        var security: [String] = []
        if HostFacts.appArmorEnabled() { security.append("name=apparmor") }
        security.append("name=seccomp,profile=builtin")
        if info.cgroupVersion == "2" {
            security.append("name=cgroupns")
            let controllers = HostFacts.cgroupControllers()
            info.memoryLimit = controllers.contains("memory")
            info.swapLimit = controllers.contains("memory")
            info.cpuCfsPeriod = controllers.contains("cpu")
            info.cpuCfsQuota = controllers.contains("cpu")
            info.cpuShares = controllers.contains("cpu")
            info.cpuSet = controllers.contains("cpuset")
            info.pidsLimit = controllers.contains("pids")
        } else {
            info.memoryLimit = Files.isDirectory("/sys/fs/cgroup/memory")
            info.swapLimit = Files.exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
            info.cpuCfsPeriod = Files.exists("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
            info.cpuCfsQuota = info.cpuCfsPeriod
            info.cpuShares = Files.exists("/sys/fs/cgroup/cpu/cpu.shares")
            info.cpuSet = Files.isDirectory("/sys/fs/cgroup/cpuset")
            info.pidsLimit = Files.isDirectory("/sys/fs/cgroup/pids")
        }
        info.securityOptions = security
    }
}
