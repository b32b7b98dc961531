import AsyncHTTPClient
import BerthOCI
import Crypto
import NIOCore
import NIOHTTP1

extension RegistryRepository {
    /// `GET /v2/<name>/blobs/<digest>`, following redirects (to a storage backend; the
    /// `Authorization` header is dropped when the redirect leaves the registry's origin).
    /// The bytes are not checked: stream them through a `DigestVerifier`, or use `download`.
    public func fetchBlob(_ digest: BerthOCI.Digest) async throws -> BlobDownload {
        let url = apiBase + "/blobs/" + digest.description
        let response = try await send(.init(.GET, url))
        do {
            try await client.expect(response, [200], method: "GET")
        } catch let e as RegistryError {
            throw e.forPull(of: reference)
        }
        let size = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        return BlobDownload(size: size, chunks: BlobChunks(body: response.body, url: url))
    }

    /// Fetches a blob and streams it into `sink` while hashing it; fails, after the last chunk,
    /// unless the bytes have the descriptor's digest and size. On failure some bytes may have
    /// reached the sink: write into a content store ingest and commit only on success (its
    /// own digest check then holds too).
    ///
    /// Progress: `Downloading` (current/total) as bytes arrive, then `Verifying Checksum` and
    /// `Download complete`.
    @discardableResult
    public func download(_ descriptor: Descriptor, progress: ProgressHandler? = nil,
                         into sink: (UnsafeRawBufferPointer) throws -> Void) async throws -> Int64 {
        let blob = try await fetchBlob(descriptor.digest)
        if let size = blob.size, size != descriptor.size {
            throw RegistryError(.digestMismatch, "\(Self.what(descriptor)) size mismatch for digest \(descriptor.digest): "
                + "registry sent \(size) bytes, expected \(descriptor.size)")
        }
        var verifier = DigestVerifier(expecting: descriptor.digest, size: descriptor.size, what: Self.what(descriptor))
        let meter = ProgressMeter(progress, digest: descriptor.digest, status: .downloading, total: descriptor.size)
        for try await chunk in blob.chunks {
            try chunk.withUnsafeReadableBytes { buf in
                try verifier.update(buf)
                try sink(buf)
            }
            meter.advance(Int64(chunk.readableBytes))
        }
        let id = ProgressEvent.shortID(descriptor.digest)
        progress?(ProgressEvent(id: id, status: .verifyingChecksum))
        try verifier.finish()
        progress?(ProgressEvent(id: id, status: .downloadComplete))
        return verifier.count
    }

    /// Docker's word for a blob in messages: `filesystem layer` for layers.
    static func what(_ d: Descriptor) -> String { MediaType.isLayer(d.mediaType) ? "filesystem layer" : "blob" }
}

/// A blob response: its announced size and its bytes as they arrive.
public struct BlobDownload: Sendable {
    /// `Content-Length`, when the registry (or its storage backend) sent one.
    public var size: Int64?
    /// The body. Iterate it once.
    public var chunks: BlobChunks
}

/// A blob's bytes as an async sequence of buffers. A broken connection surfaces as a
/// `RegistryError` of kind `.unavailable`.
public struct BlobChunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let body: HTTPClientResponse.Body
    let url: String

    public struct AsyncIterator: AsyncIteratorProtocol {
        var inner: HTTPClientResponse.Body.AsyncIterator
        let url: String
        public mutating func next() async throws -> ByteBuffer? {
            do {
                return try await inner.next()
            } catch {
                throw RegistryError(.unavailable, "reading blob from \(url): \(error)", cause: SendableDescription("\(error)"))
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: body.makeAsyncIterator(), url: url) }
}

/// Hashes bytes as they pass and checks them against an expected digest and size, as
/// Docker's verifier does for every layer it pulls. Only sha256 is supported.
public struct DigestVerifier {
    /// The digest the content must have.
    public let expected: BerthOCI.Digest
    /// The size it must have, if known.
    public let size: Int64?
    private let what: String
    private var hash = SHA256()
    /// Bytes seen so far.
    public private(set) var count: Int64 = 0

    /// Starts checking for `expected` (and `size`). `what` names the content in messages.
    public init(expecting expected: BerthOCI.Digest, size: Int64? = nil, what: String = "blob") {
        self.expected = expected; self.size = size; self.what = what
    }

    /// Adds bytes; fails at once when they go past the expected size.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) throws {
        count += Int64(buffer.count)
        if let size, count > size {
            throw RegistryError(.digestMismatch, "\(what) size mismatch for digest \(expected): more than \(size) bytes received")
        }
        hash.update(bufferPointer: buffer)
    }

    /// Adds bytes.
    public mutating func update(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try update($0) } }

    /// Fails unless everything seen has the expected size and digest.
    public func finish() throws {
        if let size, count != size {
            throw RegistryError(.digestMismatch, "\(what) size mismatch for digest \(expected): got \(count) bytes, expected \(size): unexpected EOF")
        }
        guard expected.algorithm == "sha256" else {
            throw RegistryError(.unsupported, "unsupported digest algorithm \(expected.algorithm)")
        }
        let actual = BerthOCI.Digest(sha256Hex: hexString(hash.finalize()))
        guard actual == expected else {
            throw RegistryError(.digestMismatch, "\(what) verification failed for digest \(expected): content has digest \(actual)")
        }
    }
}

func hexString<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xf)]) }
    return String(decoding: out, as: UTF8.self)
}

extension BerthOCI.Digest {
    /// sha256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> BerthOCI.Digest { BerthOCI.Digest(sha256Hex: hexString(SHA256.hash(data: bytes))) }
}
