import BerthOCI

/// What the engine keeps about a container, in `containers/<id>/container.json`.
public struct Container: Codable, Sendable {
    public var id: String
    public var name: String
    public var created: String
    /// The image as the user named it, and the image it resolved to.
    public var image: String
    public var imageID: Digest
    public var path: String
    public var args: [String]
    public var config: ContainerConfig
    public var hostConfig: HostConfig
    public var state: State
    /// Restarts by the restart policy since the user last started it (Docker's RestartCount).
    public var restartCount: Int?
    /// Set by `stop`/`kill`, cleared by `start`: `unless-stopped` stays down at daemon start.
    public var manuallyStopped: Bool?
    /// Ports, links, DNS and endpoint settings (nil in records written before networking).
    public var network: ContainerNetworkConfig?
    /// `Config.Volumes`, `Mounts`, `VolumesFrom` and the mount points they resolved to (nil
    /// in records written before volumes).
    public var volumes: ContainerVolumeConfig?

    /// Docker's `State` object.
    public struct State: Codable, Sendable, Equatable {
        /// created, running, paused, restarting, removing, exited, dead
        public var status: String = "created"
        public var pid: Int32 = 0
        public var exitCode: Int32 = 0
        public var oomKilled = false
        public var error = ""
        public var startedAt = "0001-01-01T00:00:00Z"
        public var finishedAt = "0001-01-01T00:00:00Z"
        /// `State.Health`, when the container has a health check.
        public var health: ContainerHealth?
        /// Whether a shim holds the container (a `restarting` one waits without one).
        public var running: Bool { status == "running" || status == "paused" }
    }

    /// The first 12 hex digits, as `docker ps` shows IDs.
    public var shortID: String { String(id.prefix(12)) }
}
