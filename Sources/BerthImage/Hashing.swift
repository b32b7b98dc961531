import BerthOCI
import Crypto

/// A running sha256 that ends in a `Digest`.
struct DigestHasher {
    private var hash = SHA256()
    private(set) var count: Int64 = 0

    mutating func update(_ chunk: UnsafeRawBufferPointer) {
        hash.update(bufferPointer: chunk)
        count += Int64(chunk.count)
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    func finalize() -> BerthOCI.Digest {
        BerthOCI.Digest(sha256Hex: Self.hex(hash.finalize()))
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// sha256 of `bytes` as a digest.
    static func digest(_ bytes: [UInt8]) -> BerthOCI.Digest {
        var h = DigestHasher()
        h.update(bytes)
        return h.finalize()
    }
}

extension BerthOCI.Digest {
    /// The sha256 of `bytes`.
    public static func sha256(of bytes: [UInt8]) -> BerthOCI.Digest { DigestHasher.digest(bytes) }
}
