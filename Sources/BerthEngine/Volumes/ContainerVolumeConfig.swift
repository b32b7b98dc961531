/// The volume parts of `POST /containers/create`, kept apart from `ContainerConfig` and
/// `HostConfig` as the network parts are: `Config.Volumes`, `HostConfig.Mounts`,
/// `HostConfig.VolumesFrom`, `HostConfig.VolumeDriver`, and the mount points create
/// resolved them to (with `Binds` and the image's `Volumes`).
public struct ContainerVolumeConfig: Codable, Sendable, Equatable {
    /// `Config.Volumes`: container paths that get anonymous volumes (`-v /data`).
    public var configVolumes: [String] = []
    /// `HostConfig.Mounts` (`--mount`).
    public var mounts: [MountSpec] = []
    /// `HostConfig.VolumesFrom`: `container[:ro|rw]`.
    public var volumesFrom: [String] = []
    /// `HostConfig.VolumeDriver`: the driver of volumes `-v name:/path` creates.
    public var volumeDriver: String = ""
    /// What create resolved, in Docker's order; inspect's `Mounts`.
    public var mountPoints: [MountPoint] = []

    public init() {}

    private struct Body: Decodable {
        var Volumes: [String: EmptyValue]?
        var HostConfig: Host?
    }
    private struct EmptyValue: Decodable {}
    private struct Host: Decodable {
        var Mounts: [MountSpec]?
        var VolumesFrom: [String]?
        var VolumeDriver: String?
    }

    /// The volume settings of a create request body.
    public init(createBody decoder: any Decoder) throws {
        let b = try Body(from: decoder)
        configVolumes = (b.Volumes ?? [:]).keys.sorted()
        mounts = b.HostConfig?.Mounts ?? []
        volumesFrom = b.HostConfig?.VolumesFrom ?? []
        volumeDriver = b.HostConfig?.VolumeDriver ?? ""
    }
}

/// One resolved mount of a container, as inspect's `Mounts` shows it and the spec builder
/// mounts it: a host bind, a volume (by name) or a tmpfs.
public struct MountPoint: Codable, Sendable, Equatable {
    /// `bind`, `volume` or `tmpfs`.
    public var type: String
    /// The volume's name (volumes only).
    public var name: String = ""
    /// The host path: a bind's source, a volume's `_data`; empty for tmpfs.
    public var source: String = ""
    public var destination: String
    /// `local` for volumes.
    public var driver: String = ""
    /// The `-v` mode text (`ro`, `z`, `rshared`…), as Docker shows it.
    public var mode: String = ""
    public var rw: Bool = true
    /// `rprivate` for binds unless asked otherwise; empty for volumes and tmpfs.
    public var propagation: String = ""
    /// Fill a new, empty volume with the image's content at the destination on the next start.
    public var copyData: Bool = false
    /// `-v /host:/path` creates a missing host path at start; `--mount type=bind` refuses it.
    public var createSource: Bool = false
    /// tmpfs mount data: `size=…k`, `mode=…`.
    public var tmpfsOptions: [String] = []
    /// A path inside the volume to mount (`volume-subpath`).
    public var subpath: String = ""
    /// `bind-nonrecursive`: the bind leaves out the mounts under its source.
    public var nonRecursive: Bool?

    public init(type: String, destination: String) {
        self.type = type
        self.destination = destination
    }
}

/// `HostConfig.Mounts[]`: Docker's `mount.Mount` with its field names.
public struct MountSpec: Codable, Sendable, Equatable {
    public var type: String?
    public var source: String?
    public var target: String?
    public var readOnly: Bool?
    public var consistency: String?
    public var bindOptions: BindOptions?
    public var volumeOptions: VolumeOptions?
    public var tmpfsOptions: TmpfsOptions?

    enum CodingKeys: String, CodingKey {
        case type = "Type", source = "Source", target = "Target", readOnly = "ReadOnly", consistency = "Consistency"
        case bindOptions = "BindOptions", volumeOptions = "VolumeOptions", tmpfsOptions = "TmpfsOptions"
    }

    public struct BindOptions: Codable, Sendable, Equatable {
        public var propagation: String?
        public var nonRecursive: Bool?
        public var createMountpoint: Bool?
        enum CodingKeys: String, CodingKey {
            case propagation = "Propagation", nonRecursive = "NonRecursive", createMountpoint = "CreateMountpoint"
        }
    }

    public struct VolumeOptions: Codable, Sendable, Equatable {
        public var noCopy: Bool?
        public var labels: [String: String]?
        public var driverConfig: DriverConfig?
        public var subpath: String?
        enum CodingKeys: String, CodingKey {
            case noCopy = "NoCopy", labels = "Labels", driverConfig = "DriverConfig", subpath = "Subpath"
        }
    }

    public struct DriverConfig: Codable, Sendable, Equatable {
        public var name: String?
        public var options: [String: String]?
        enum CodingKeys: String, CodingKey { case name = "Name", options = "Options" }
    }

    public struct TmpfsOptions: Codable, Sendable, Equatable {
        public var sizeBytes: Int64?
        public var mode: UInt32?
        public var options: [[String]]?
        enum CodingKeys: String, CodingKey { case sizeBytes = "SizeBytes", mode = "Mode", options = "Options" }
    }

    public init(type: String? = nil, source: String? = nil, target: String? = nil) {
        self.type = type
        self.source = source
        self.target = target
    }
}
