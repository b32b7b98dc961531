/// An IPv4 address as a 32-bit number, for IPAM arithmetic.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Dotted quad only (`10.1.2.3`); no leading zeros beyond a single `0`, as Go's ParseIP.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let n = UInt32(p), n <= 255,
                  !(p.count > 1 && p.first == "0") else { return nil }
            v = v << 8 | n
        }
        value = v
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    /// The address's four bytes, most significant first.
    public var bytes: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
}

/// An IPv4 subnet in CIDR form (`172.30.0.0/16`), normalised to its network address.
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
    public var network: IPv4Address
    public var prefix: Int

    public init(network: IPv4Address, prefix: Int) {
        self.prefix = prefix
        self.network = IPv4Address(network.value & Self.mask(prefix))
    }

    /// `a.b.c.d/n`. With `strict`, host bits must be zero (Docker refuses `10.1.2.3/24` as a
    /// subnet); otherwise they are cleared (a `bip` such as `172.30.0.1/16` names its subnet).
    public init?(_ text: some StringProtocol, strict: Bool = false) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let addr = IPv4Address(parts[0]), let p = Int(parts[1]), (0...32).contains(p) else {
            return nil
        }
        if strict && addr.value & ~Self.mask(p) != 0 { return nil }
        self.init(network: addr, prefix: p)
    }

    static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix) }

    public var mask: UInt32 { Self.mask(prefix) }
    public var broadcast: IPv4Address { IPv4Address(network.value | ~mask) }
    /// The first and last addresses a host may use (network and broadcast excluded).
    public var firstHost: IPv4Address { IPv4Address(network.value + (prefix >= 31 ? 0 : 1)) }
    public var lastHost: IPv4Address { IPv4Address(broadcast.value - (prefix >= 31 ? 0 : 1)) }

    public func contains(_ a: IPv4Address) -> Bool { a.value & mask == network.value }

    public func overlaps(_ other: IPv4Subnet) -> Bool {
        let p = min(prefix, other.prefix)
        return network.value & Self.mask(p) == other.network.value & Self.mask(p)
    }

    public var description: String { "\(network)/\(prefix)" }
}
