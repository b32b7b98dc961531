import BerthOCI
import CNettle

/// A running sha256 that ends in a `Digest`: the digest of blobs, layers and manifests.
/// Nettle's code (libnettle, which libarchive loads anyway), not a crypto framework: hashing
/// is all Berth needs, and swift-crypto would link Foundation into every program that hashes.
public struct SHA256Hasher {
    private var context = sha256_ctx()
    /// Bytes hashed so far.
    public private(set) var count: Int64 = 0

    public init() { nettle_sha256_init(&context) }

    public mutating func update(_ chunk: UnsafeRawBufferPointer) {
        guard let base = chunk.baseAddress, !chunk.isEmpty else { return }
        nettle_sha256_update(&context, chunk.count, base.assumingMemoryBound(to: UInt8.self))
        count += Int64(chunk.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything hashed so far; the hasher itself is unchanged.
    public func finalize() -> Digest {
        var context = self.context  // nettle's digest call resets the context it is given
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_SIZE))
        out.withUnsafeMutableBufferPointer { nettle_sha256_digest(&context, $0.count, $0.baseAddress) }
        return Digest(sha256Hex: Self.hex(out))
    }

    /// Lowercase hex of `bytes`.
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Digest {
    /// The sha256 of `bytes`.
    public static func sha256(of bytes: [UInt8]) -> Digest {
        var h = SHA256Hasher()
        h.update(bytes)
        return h.finalize()
    }
}
