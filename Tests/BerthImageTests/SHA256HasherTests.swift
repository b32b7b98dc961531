import BerthDigest
import BerthOCI
import Testing

/// Nettle's sha256 behind `SHA256Hasher`: the FIPS 180-2 vectors, and the same digest
/// whatever the chunking.
@Suite struct SHA256HasherTests {
    @Test func knownVectors() {
        #expect(Digest.sha256(of: []).encoded == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256(of: Array("abc".utf8)).encoded == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).encoded
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func chunkingDoesNotMatter() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var h = SHA256Hasher()
        var i = 0
        for size in [1, 63, 64, 65, 1000, 4096, 30_000] where i < bytes.count {
            let end = min(i + size, bytes.count)
            h.update(Array(bytes[i..<end]))
            i = end
        }
        h.update(Array(bytes[i...]))
        #expect(h.count == Int64(bytes.count))
        #expect(h.finalize() == Digest.sha256(of: bytes))
        // finalize leaves the running hash as it was
        #expect(h.finalize() == Digest.sha256(of: bytes))
    }
}
