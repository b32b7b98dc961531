/// An image's platform: OS, CPU architecture and variant, as in an index entry or a config.
public struct Platform: Codable, Sendable, Hashable, CustomStringConvertible {
    /// CPU architecture in Go's spelling: `amd64`, `arm64`, `arm`, `386`, `ppc64le`, `s390x`, `riscv64`.
    public var architecture: String
    /// Operating system, e.g. `linux`.
    public var os: String
    /// OS version (Windows images).
    public var osVersion: String?
    /// OS features (Windows images).
    public var osFeatures: [String]?
    /// CPU variant: `v5`/`v6`/`v7` for arm, `v8` for arm64, `v2`/`v3` for amd64.
    public var variant: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    /// Makes a platform; pass Go's names (`amd64`) or the kernel's (`x86_64`), see `normalized`.
    public init(os: String = "linux", architecture: String, variant: String? = nil) {
        self.os = os; self.architecture = architecture; self.variant = variant
    }

    /// Parses `os/arch[/variant]` or `arch` alone (as `docker run --platform` does).
    public init(parsing string: String) throws(PlatformError) {
        let parts = string.lowercased().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty) else { throw .invalid(string) }
        switch parts.count {
        case 1: self.init(architecture: parts[0])
        case 2: self.init(os: parts[0], architecture: parts[1])
        case 3: self.init(os: parts[0], architecture: parts[1], variant: parts[2])
        default: throw .invalid(string)
        }
        self = normalized
    }

    /// `os/arch[/variant]`.
    public var description: String {
        "\(os)/\(architecture)" + (variant.map { "/\($0)" } ?? "")
    }

    /// The same platform in the spelling containerd's `platforms.Normalize` uses:
    /// `x86_64`→`amd64`, `aarch64`→`arm64`, arm64's `v8` variant dropped, arm's default `v7`.
    public var normalized: Platform {
        var p = self
        p.os = os.lowercased()
        switch architecture.lowercased() {
        case "x86_64", "x86-64", "amd64": p.architecture = "amd64"; if variant == "v1" { p.variant = nil }
        case "i386", "386": p.architecture = "386"; p.variant = nil
        case "aarch64", "arm64":
            p.architecture = "arm64"
            if variant == "8" || variant == "v8" { p.variant = nil }
        case "armhf": p.architecture = "arm"; p.variant = "v7"
        case "armel": p.architecture = "arm"; p.variant = "v6"
        case "arm":
            p.architecture = "arm"
            switch variant {
            case nil, "7": p.variant = "v7"
            case "5", "6", "8": p.variant = "v" + variant!
            default: break
            }
        default: p.architecture = architecture.lowercased()
        }
        return p
    }

    /// The platform this process runs on.
    public static var current: Platform {
        #if arch(x86_64)
        Platform(architecture: "amd64")
        #elseif arch(arm64)
        Platform(architecture: "arm64")
        #elseif arch(arm)
        Platform(architecture: "arm", variant: "v7")
        #elseif arch(i386)
        Platform(architecture: "386")
        #elseif arch(s390x)
        Platform(architecture: "s390x")
        #elseif arch(powerpc64le)
        Platform(architecture: "ppc64le")
        #elseif arch(riscv64)
        Platform(architecture: "riscv64")
        #else
        Platform(architecture: "unknown")
        #endif
    }

    /// True when an image for `other` runs on `self`. OS and architecture must be equal
    /// after normalising. A wanted variant accepts an image of an older variant (an arm/v7
    /// host runs arm/v6 images, as containerd's matcher allows); no variant on either side matches.
    public func matches(_ other: Platform) -> Bool {
        let a = normalized, b = other.normalized
        guard a.os == b.os, a.architecture == b.architecture else { return false }
        guard let want = a.variant, let have = b.variant else { return true }
        if want == have { return true }
        return Self.variantRank(a.architecture, want).map { w in
            Self.variantRank(b.architecture, have).map { $0 <= w } ?? false
        } ?? false
    }

    /// Orders variants so an older one can stand in for a newer one.
    static func variantRank(_ arch: String, _ variant: String) -> Int? {
        guard variant.hasPrefix("v"), let n = Int(variant.dropFirst()) else { return nil }
        return arch == "arm" || arch == "amd64" || arch == "arm64" ? n : nil
    }

    /// How well `other` fits `self`: higher is better, nil for no match. An exact variant
    /// beats an older one, which beats an unspecified one.
    public func score(_ other: Platform) -> Int? {
        guard matches(other) else { return nil }
        let a = normalized, b = other.normalized
        if a.variant == b.variant { return 1000 }
        if let have = b.variant, let rank = Self.variantRank(b.architecture, have) { return rank }
        return 0
    }
}

/// A platform string that could not be parsed.
public enum PlatformError: Error, CustomStringConvertible, Sendable {
    case invalid(String)
    public var description: String {
        switch self {
        case .invalid(let s): "invalid platform \"\(s)\": expected os/arch[/variant]"
        }
    }
}
