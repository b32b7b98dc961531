/// `GET /version`: the daemon's version and the API versions it speaks.
public struct SystemVersion: Codable, Sendable, Equatable {
    /// `{"Name": "Berth Engine"}`: the docker CLI prints it after `Server:`.
    public struct Platform: Codable, Sendable, Equatable {
        public var name: String
        public init(name: String) { self.name = name }
        enum CodingKeys: String, CodingKey { case name = "Name" }
    }

    /// One part of the engine (the engine itself, the runtime, the shim), printed by
    /// `docker version` as its own block.
    public struct Component: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        /// Free-form strings; the CLI prints them in order.
        public var details: [String: String]?

        public init(name: String, version: String, details: [String: String]? = nil) {
            self.name = name
            self.version = version
            self.details = details
        }

        enum CodingKeys: String, CodingKey {
            case name = "Name", version = "Version", details = "Details"
        }
    }

    public var platform: Platform
    public var components: [Component]
    public var version: String
    public var apiVersion: String
    public var minAPIVersion: String
    public var gitCommit: String
    public var goVersion: String
    public var os: String
    public var arch: String
    public var kernelVersion: String?
    public var experimental: Bool?
    public var buildTime: String

    public init(
        platform: Platform, components: [Component], version: String, apiVersion: String,
        minAPIVersion: String, gitCommit: String, goVersion: String, os: String, arch: String,
        kernelVersion: String?, experimental: Bool? = nil, buildTime: String
    ) {
        self.platform = platform
        self.components = components
        self.version = version
        self.apiVersion = apiVersion
        self.minAPIVersion = minAPIVersion
        self.gitCommit = gitCommit
        self.goVersion = goVersion
        self.os = os
        self.arch = arch
        self.kernelVersion = kernelVersion
        self.experimental = experimental
        self.buildTime = buildTime
    }

    enum CodingKeys: String, CodingKey {
        case platform = "Platform", components = "Components", version = "Version"
        case apiVersion = "ApiVersion", minAPIVersion = "MinAPIVersion", gitCommit = "GitCommit"
        case goVersion = "GoVersion", os = "Os", arch = "Arch", kernelVersion = "KernelVersion"
        case experimental = "Experimental", buildTime = "BuildTime"
    }
}

/// Names for what the engine runs on, in Go's spelling, which clients expect
/// (`amd64`, not `x86_64`).
public enum GoPlatform {
    /// `GOARCH` for a `uname -m` machine name.
    public static func arch(fromMachine machine: String) -> String {
        switch machine {
        case "x86_64": "amd64"
        case "aarch64", "arm64": "arm64"
        case "i386", "i686": "386"
        case "armv7l", "armv6l": "arm"
        case "ppc64le": "ppc64le"
        case "s390x": "s390x"
        case "riscv64": "riscv64"
        default: machine
        }
    }
}
