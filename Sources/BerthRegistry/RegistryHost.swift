/// Where a reference's registry is reached, and how.
///
/// Docker Hub's reference domain `docker.io` is served by `registry-1.docker.io`, and its
/// credentials live under `https://index.docker.io/v1/` in `config.json`. Plain HTTP is used
/// for loopback registries (`localhost`, `127.0.0.0/8`, `::1`) and for those configured as
/// insecure, as Docker's `--insecure-registry` does; everything else is HTTPS.
public struct RegistryHost: Sendable, Hashable, CustomStringConvertible {
    /// The domain as it appears in references: `docker.io`, `127.0.0.1:5000`.
    public var domain: String
    /// The host (and port) the API is served from: `registry-1.docker.io`, `127.0.0.1:5000`.
    public var apiHost: String
    /// `http` or `https`.
    public var scheme: String

    /// Docker Hub's API host.
    public static let dockerHubAPIHost = "registry-1.docker.io"
    /// Docker Hub's v1 index, which serves search.
    public static let dockerHubIndexHost = "index.docker.io"
    /// The `config.json` key of Docker Hub credentials.
    public static let dockerHubCredentialKey = "https://index.docker.io/v1/"

    /// The host for a reference domain. `insecure` lists registries (`host:port`, `host`, or an
    /// IPv4 CIDR like `10.0.0.0/8`) to reach over plain HTTP.
    public init(domain: String, insecure: [String] = []) {
        let d = domain == "index.docker.io" || domain == "registry-1.docker.io" ? "docker.io" : domain
        self.domain = d
        apiHost = d == "docker.io" ? Self.dockerHubAPIHost : d
        scheme = Self.isPlainHTTP(d, insecure: insecure) ? "http" : "https"
    }

    /// True for Docker Hub.
    public var isDockerHub: Bool { domain == "docker.io" }

    /// `scheme://apiHost`, no trailing slash.
    public var baseURL: String { "\(scheme)://\(apiHost)" }

    /// The key of this registry's entry in `config.json`'s `auths`.
    public var credentialKey: String { isDockerHub ? Self.dockerHubCredentialKey : domain }

    public var description: String { baseURL }

    /// Whether `domain` is reached over plain HTTP: loopback, or listed in `insecure`.
    static func isPlainHTTP(_ domain: String, insecure: [String]) -> Bool {
        let host = hostPart(domain)
        if host == "localhost" || host == "::1" { return true }
        if let ip = IPv4(host), ip.octets[0] == 127 { return true }
        for entry in insecure {
            if entry == domain || entry == host { return true }
            if let cidr = IPv4CIDR(entry), let ip = IPv4(host), cidr.contains(ip) { return true }
        }
        return false
    }

    /// `domain` without its port and IPv6 brackets: `[::1]:5000` → `::1`, `a:5000` → `a`.
    static func hostPart(_ domain: String) -> String {
        if domain.hasPrefix("["), let close = domain.firstIndex(of: "]") {
            return String(domain[domain.index(after: domain.startIndex)..<close])
        }
        if domain.filter({ $0 == ":" }).count > 1 { return domain }   // bare IPv6
        return domain.split(separator: ":", maxSplits: 1).first.map(String.init) ?? domain
    }
}

/// A dotted-quad IPv4 address.
struct IPv4: Equatable {
    var octets: [UInt8]
    init?(_ s: String) {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isNumber), let v = UInt8(p) else { return nil }
            out.append(v)
        }
        octets = out
    }
    var value: UInt32 { octets.reduce(0) { $0 << 8 | UInt32($1) } }
}

/// An IPv4 network such as `10.0.0.0/8`.
struct IPv4CIDR {
    var base: UInt32
    var bits: Int
    init?(_ s: String) {
        let parts = s.split(separator: "/")
        guard parts.count == 2, let ip = IPv4(String(parts[0])), let bits = Int(parts[1]), (0...32).contains(bits) else {
            return nil
        }
        self.bits = bits
        base = ip.value & Self.mask(bits)
    }
    static func mask(_ bits: Int) -> UInt32 { bits == 0 ? 0 : UInt32.max << (32 - bits) }
    func contains(_ ip: IPv4) -> Bool { ip.value & Self.mask(bits) == base }
}
