/// What the engine keeps about a volume, in `volumes/<name>/volume.json`.
public struct VolumeRecord: Codable, Sendable, Equatable {
    public var name: String
    /// Always `local` for now: the only driver Berth has.
    public var driver: String
    public var labels: [String: String]
    /// The local driver's options: `type`, `device`, `o`.
    public var options: [String: String]
    /// RFC 3339, seconds, UTC: Docker's `CreatedAt`.
    public var createdAt: String

    /// The label moby (≥ 23) puts on anonymous volumes; prune (API ≥ 1.42) takes only
    /// those unless `all=true`.
    public static let anonymousLabel = "com.docker.volume.anonymous"

    public var isAnonymous: Bool { labels[Self.anonymousLabel] != nil }

    /// Whether the volume is a mount made at first use (`--opt type=…,device=…`) rather than
    /// a plain directory.
    public var isMounted: Bool { !(options["type"] ?? "").isEmpty || !(options["device"] ?? "").isEmpty }

    public init(name: String, driver: String = "local", labels: [String: String] = [:], options: [String: String] = [:],
                createdAt: String) {
        self.name = name
        self.driver = driver
        self.labels = labels
        self.options = options
        self.createdAt = createdAt
    }
}

/// A volume with what `system df` wants of it: its size in bytes and how many containers
/// use it.
public struct VolumeUsage: Sendable {
    public var volume: VolumeRecord
    public var mountpoint: String
    public var size: Int64
    public var refCount: Int
}
