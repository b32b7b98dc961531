/// An Engine API version such as `1.47`, as it appears in `/v1.47/...` paths and in the
/// `Api-Version` header. Compared numerically, so `1.9 < 1.10`.
public struct APIVersion: Comparable, Hashable, Sendable, CustomStringConvertible, Codable {
    public var major: Int
    public var minor: Int

    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `MAJOR.MINOR` (digits only, as Docker's `versions.Compare` expects). An
    /// optional leading `v` is accepted so path segments can be passed as they are.
    public init?(_ string: some StringProtocol) {
        var text = Substring(string)
        if text.first == "v" { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.utf8.allSatisfy { (48...57).contains($0) } }),
              let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        self.init(major, minor)
    }

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: APIVersion, rhs: APIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = APIVersion(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid API version \"\(text)\""))
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The highest version Berth speaks and the default for unversioned paths. 1.47 is
    /// recent enough that docker CLI 28 and docker-py 7 use it without downgrading.
    public static let current = APIVersion(1, 47)
    /// The oldest version Berth accepts, as Docker does.
    public static let minimum = APIVersion(1, 24)

    /// Whether a request at this version is served, and if not, Docker's error text.
    public func checkSupported(current: APIVersion = .current, minimum: APIVersion = .minimum) -> String? {
        if self > current {
            return "client version \(self) is too new. Maximum supported API version is \(current)"
        }
        if self < minimum {
            return "client version \(self) is too old. Minimum supported API version is \(minimum), please upgrade your client to a newer version"
        }
        return nil
    }
}
