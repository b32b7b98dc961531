/// A content digest, `algorithm:hex`, as in the OCI image spec's descriptor.
public struct Digest: Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    public let algorithm: String
    public let encoded: String

    public enum ParseError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self { case .invalid(let s): "invalid digest \"\(s)\"" }
        }
    }

    /// Parses `sha256:<64 hex>` (and `sha512:<128 hex>`).
    public init(parsing string: String) throws {
        let parts = string.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { throw ParseError.invalid(string) }
        let alg = String(parts[0]), hex = String(parts[1])
        let want: Int
        switch alg {
        case "sha256": want = 64
        case "sha512": want = 128
        default: throw ParseError.invalid(string)
        }
        guard hex.utf8.count == want, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw ParseError.invalid(string)
        }
        algorithm = alg
        encoded = hex
    }

    public init(sha256Hex hex: String) {
        algorithm = "sha256"
        encoded = hex
    }

    public var description: String { "\(algorithm):\(encoded)" }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: s)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }
}
