/// An image reference with Docker's normalisation: `ubuntu` is `docker.io/library/ubuntu`,
/// `user/img:tag` is `docker.io/user/img:tag`, and a first component with a `.` or `:` or
/// equal to `localhost` is a registry host (`localhost:5000/x`).
///
/// The grammar and error texts are those of Docker's `distribution/reference` package
/// (`ParseNormalizedNamed`); see `ReferenceGrammar.swift`.
public struct Reference: Hashable, Sendable, CustomStringConvertible {
    /// The registry host, with its port if any: `docker.io`, `localhost:5000`, `[::1]:5000`.
    public var domain: String
    /// The repository path in the registry: `library/ubuntu`, `user/img`.
    public var path: String
    /// The tag, if one was given (see `withDefaultTag`).
    public var tag: String?
    /// The digest, if one was given.
    public var digest: Digest?

    /// Docker Hub's canonical domain.
    public static let defaultDomain = "docker.io"
    /// The old Docker Hub domain, normalised to `defaultDomain`.
    public static let legacyDefaultDomain = "index.docker.io"
    /// The prefix of Docker Hub's official images.
    public static let officialRepoPrefix = "library/"
    /// The tag used when none is given.
    public static let defaultTag = "latest"
    /// Longest allowed name (domain and path), in bytes.
    public static let nameTotalLengthMax = 255

    /// Makes a reference from parts that are already normalised.
    public init(domain: String, path: String, tag: String? = nil, digest: Digest? = nil) {
        self.domain = domain; self.path = path; self.tag = tag; self.digest = digest
    }

    /// Parses and normalises `string` as `docker pull` does, without adding a default tag.
    public init(parsing string: String) throws(ReferenceError) {
        self = try ReferenceGrammar.parseNormalized(string)
    }

    /// Parses, normalises and adds `:latest` when neither tag nor digest was given
    /// (Docker's `ParseDockerRef`).
    public static func parseDocker(_ string: String) throws(ReferenceError) -> Reference {
        try Reference(parsing: string).withDefaultTag()
    }

    /// `domain/path`: `docker.io/library/ubuntu`.
    public var name: String { "\(domain)/\(path)" }

    /// The full normalised form: `docker.io/library/ubuntu:latest`, `name@sha256:…`.
    public var description: String {
        name + (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0)" } ?? "")
    }

    /// The short name Docker prints: `ubuntu`, `user/img`, `localhost:5000/x`.
    public var familiarName: String {
        guard domain == Self.defaultDomain else { return name }
        if path.hasPrefix(Self.officialRepoPrefix) {
            let rest = path.dropFirst(Self.officialRepoPrefix.count)
            if !rest.contains("/") { return String(rest) }
        }
        return path
    }

    /// The short form Docker prints: `ubuntu:14.04`, `localhost:5000/x:latest`, `ubuntu@sha256:…`.
    public var familiarString: String {
        familiarName + (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0)" } ?? "")
    }

    /// This reference with `:latest` when it has neither tag nor digest.
    public func withDefaultTag() -> Reference {
        guard tag == nil && digest == nil else { return self }
        var r = self
        r.tag = Self.defaultTag
        return r
    }

    /// This reference's repository with another tag and no digest.
    public func with(tag: String) -> Reference { Reference(domain: domain, path: path, tag: tag) }

    /// This reference's repository with a digest and no tag.
    public func with(digest: Digest) -> Reference { Reference(domain: domain, path: path, digest: digest) }

    /// The repository alone, with neither tag nor digest.
    public var repository: Reference { Reference(domain: domain, path: path) }

    /// True for a 64-hex string: Docker refuses it as a name because it is an image ID.
    public static func isFullIdentifier(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ReferenceGrammar.isLowerHex($0) }
    }
}

/// Why a reference did not parse. `description` is Docker's text, word for word.
public enum ReferenceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `invalid reference format`
    case invalidFormat
    /// `invalid reference format: repository name (library/UPPER) must be lowercase`
    case remoteNameNotLowercase(String)
    /// `repository name must be lowercase`
    case nameContainsUppercase
    /// `repository name must have at least one component`
    case nameEmpty
    /// `repository name must not be more than 255 characters`
    case nameTooLong
    /// `invalid repository name (…), cannot specify 64-byte hexadecimal strings`
    case identifierAsName(String)
    /// `invalid checksum digest format`
    case digestInvalidFormat
    /// `invalid checksum digest length`
    case digestInvalidLength
    /// `unsupported digest algorithm`
    case digestUnsupported
    /// `invalid tag format`
    case tagInvalidFormat

    public var description: String {
        switch self {
        case .invalidFormat: "invalid reference format"
        case .remoteNameNotLowercase(let name): "invalid reference format: repository name (\(name)) must be lowercase"
        case .nameContainsUppercase: "repository name must be lowercase"
        case .nameEmpty: "repository name must have at least one component"
        case .nameTooLong: "repository name must not be more than 255 characters"
        case .identifierAsName(let s): "invalid repository name (\(s)), cannot specify 64-byte hexadecimal strings"
        case .digestInvalidFormat: "invalid checksum digest format"
        case .digestInvalidLength: "invalid checksum digest length"
        case .digestUnsupported: "unsupported digest algorithm"
        case .tagInvalidFormat: "invalid tag format"
        }
    }
}
