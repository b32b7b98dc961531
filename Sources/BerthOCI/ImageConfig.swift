/// An image config blob (`application/vnd.oci.image.config.v1+json` or Docker's
/// `application/vnd.docker.container.image.v1+json`). Field names are the spec's and
/// Docker's; fields Berth does not know are dropped on decoding, so never re-encode a config
/// to compute its digest: the image ID is the digest of the bytes as stored.
public struct ImageConfig: Codable, Sendable, Equatable {
    /// Creation time, RFC 3339.
    public var created: String?
    /// Author.
    public var author: String?
    /// CPU architecture, e.g. `amd64`.
    public var architecture: String
    /// Operating system, e.g. `linux`.
    public var os: String
    /// OS version (Windows).
    public var osVersion: String?
    /// OS features (Windows).
    public var osFeatures: [String]?
    /// CPU variant, e.g. `v8`.
    public var variant: String?
    /// The defaults for containers run from the image.
    public var config: Container?
    /// The layers' uncompressed digests.
    public var rootfs: RootFS
    /// How each layer was made.
    public var history: [History]?
    /// Docker's legacy field: the id of the build container.
    public var container: String?
    /// Docker's legacy field: the config of the build container.
    public var containerConfig: Container?
    /// Docker's version that built the image.
    public var dockerVersion: String?
    /// Docker's legacy `comment` field (set by `docker import -m`).
    public var comment: String?

    enum CodingKeys: String, CodingKey {
        case created, author, architecture, os, variant, config, rootfs, history, container, comment
        case osVersion = "os.version"
        case osFeatures = "os.features"
        case containerConfig = "container_config"
        case dockerVersion = "docker_version"
    }

    /// Makes a config for `platform` with the given layers.
    public init(platform: Platform = .current, config: Container? = nil, diffIDs: [Digest] = [],
                history: [History]? = nil, created: String? = nil, author: String? = nil) {
        architecture = platform.architecture; os = platform.os; variant = platform.variant
        self.config = config; rootfs = RootFS(diffIDs: diffIDs); self.history = history
        self.created = created; self.author = author
    }

    /// The image's platform.
    public var platform: Platform {
        var p = Platform(os: os, architecture: architecture, variant: variant)
        p.osVersion = osVersion; p.osFeatures = osFeatures
        return p
    }

    /// `rootfs`: the diff IDs of the layers, base first.
    public struct RootFS: Codable, Sendable, Equatable {
        /// Always `layers`.
        public var type: String
        /// Digests of the uncompressed layer tars.
        public var diffIDs: [Digest]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }

        /// Makes a `layers` rootfs.
        public init(diffIDs: [Digest]) { type = "layers"; self.diffIDs = diffIDs }
    }

    /// One `history` entry.
    public struct History: Codable, Sendable, Equatable {
        /// When, RFC 3339.
        public var created: String?
        /// Who.
        public var author: String?
        /// The command, e.g. `/bin/sh -c #(nop) CMD ["sh"]`.
        public var createdBy: String?
        /// A comment.
        public var comment: String?
        /// True when the step made no layer.
        public var emptyLayer: Bool?

        enum CodingKeys: String, CodingKey {
            case created, author, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }

        /// Makes an entry.
        public init(created: String? = nil, author: String? = nil, createdBy: String? = nil,
                    comment: String? = nil, emptyLayer: Bool? = nil) {
            self.created = created; self.author = author; self.createdBy = createdBy
            self.comment = comment; self.emptyLayer = emptyLayer
        }
    }

    /// The `config` object: defaults for containers, in Docker's capitalised field names.
    public struct Container: Codable, Sendable, Equatable {
        /// `user[:group]`.
        public var user: String?
        /// `port/proto` → `{}`.
        public var exposedPorts: [String: EmptyObject]?
        /// `KEY=value` entries.
        public var env: [String]?
        /// The entrypoint; JSON null and absent are both nil.
        public var entrypoint: [String]?
        /// The default command.
        public var cmd: [String]?
        /// Container paths that get anonymous volumes → `{}`.
        public var volumes: [String: EmptyObject]?
        /// The working directory.
        public var workingDir: String?
        /// Labels.
        public var labels: [String: String]?
        /// The stop signal, e.g. `SIGTERM`.
        public var stopSignal: String?
        /// Windows only: Cmd is already escaped.
        public var argsEscaped: Bool?
        /// Docker's health check.
        public var healthcheck: Healthcheck?
        /// Docker's ONBUILD triggers.
        public var onBuild: [String]?
        /// Docker's SHELL.
        public var shell: [String]?
        /// Docker's legacy fields, kept so `docker inspect` can show them.
        public var hostname: String?
        /// Docker's legacy field.
        public var domainname: String?
        /// Docker's legacy field: stop timeout in seconds.
        public var stopTimeout: Int?

        enum CodingKeys: String, CodingKey {
            case user = "User", exposedPorts = "ExposedPorts", env = "Env", entrypoint = "Entrypoint"
            case cmd = "Cmd", volumes = "Volumes", workingDir = "WorkingDir", labels = "Labels"
            case stopSignal = "StopSignal", argsEscaped = "ArgsEscaped", healthcheck = "Healthcheck"
            case onBuild = "OnBuild", shell = "Shell", hostname = "Hostname", domainname = "Domainname"
            case stopTimeout = "StopTimeout"
        }

        /// Makes an empty config.
        public init(user: String? = nil, env: [String]? = nil, entrypoint: [String]? = nil, cmd: [String]? = nil,
                    workingDir: String? = nil, labels: [String: String]? = nil) {
            self.user = user; self.env = env; self.entrypoint = entrypoint; self.cmd = cmd
            self.workingDir = workingDir; self.labels = labels
        }
    }

    /// Docker's `Healthcheck`; durations are nanoseconds.
    public struct Healthcheck: Codable, Sendable, Equatable {
        /// `[]` inherit, `["NONE"]`, `["CMD", args…]` or `["CMD-SHELL", command]`.
        public var test: [String]?
        /// Time between checks, ns.
        public var interval: Int64?
        /// Time one check may take, ns.
        public var timeout: Int64?
        /// Grace period before failures count, ns.
        public var startPeriod: Int64?
        /// Time between checks during the start period, ns.
        public var startInterval: Int64?
        /// Consecutive failures before unhealthy.
        public var retries: Int?

        enum CodingKeys: String, CodingKey {
            case test = "Test", interval = "Interval", timeout = "Timeout", startPeriod = "StartPeriod"
            case startInterval = "StartInterval", retries = "Retries"
        }

        /// Makes a health check.
        public init(test: [String]? = nil, interval: Int64? = nil, timeout: Int64? = nil,
                    startPeriod: Int64? = nil, startInterval: Int64? = nil, retries: Int? = nil) {
            self.test = test; self.interval = interval; self.timeout = timeout
            self.startPeriod = startPeriod; self.startInterval = startInterval; self.retries = retries
        }
    }
}

/// The `{}` value of Go's `map[string]struct{}` (ExposedPorts, Volumes).
public struct EmptyObject: Codable, Sendable, Hashable {
    /// The empty object.
    public init() {}
    private struct NoKeys: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    public init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: NoKeys.self) }
    public func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: NoKeys.self) }
}
