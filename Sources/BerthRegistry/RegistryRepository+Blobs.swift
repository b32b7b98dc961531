import AsyncHTTPClient
import BerthOCI
import BerthDigest
import NIOCore
import NIOHTTP1

extension RegistryRepository {
    /// `GET /v2/<name>/blobs/<digest>`, following redirects (to a storage backend; the
    /// `Authorization` header is dropped when the redirect leaves the registry's origin).
    /// From a non-zero `offset`, asks for the rest with `Range: bytes=offset-`; `offset` of the
    /// answer tells where its bytes start (0 when the server ignored the range).
    /// The bytes are not checked: stream them through a `DigestVerifier`, or use `download`.
    public func fetchBlob(_ digest: BerthOCI.Digest, from offset: Int64 = 0) async throws -> BlobDownload {
        let url = apiBase + "/blobs/" + digest.description
        var headers = HTTPHeaders()
        if offset > 0 { headers.add(name: "Range", value: "bytes=\(offset)-") }
        let response = try await send(.init(.GET, url, headers: headers))
        do {
            try await client.expect(response, [200, 206], method: "GET")
        } catch let e as RegistryError {
            throw e.forPull(of: reference)
        }
        let length = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        var start: Int64 = 0
        if response.status == .partialContent {
            // `Content-Range: bytes START-END/TOTAL`
            let range = response.headers.first(name: "Content-Range") ?? ""
            let digits = range.drop(while: { !$0.isNumber }).prefix(while: \.isNumber)
            guard let s = Int64(digits) else {
                _ = try? await response.body.collect(upTo: 1 << 16)
                throw RegistryError(.invalid, "invalid Content-Range \"\(range)\" for blob \(digest)")
            }
            start = s
        }
        return BlobDownload(size: length.map { $0 + start }, offset: start, chunks: BlobChunks(body: response.body, url: url))
    }

    /// Fetches a blob and streams it into `sink` while hashing it; fails, after the last chunk,
    /// unless the bytes have the descriptor's digest and size. On failure some bytes may have
    /// reached the sink: write into a content store ingest and commit only on success (its
    /// own digest check then holds too).
    ///
    /// A connection that breaks (or a 5xx) is retried up to `configuration.downloadRetries`
    /// times, resuming with a `Range` request where the registry allows it, as Docker does.
    ///
    /// Progress: `Downloading` (current/total) as bytes arrive, then `Verifying Checksum` and
    /// `Download complete`.
    @discardableResult
    public func download(_ descriptor: Descriptor, progress: ProgressHandler? = nil,
                         into sink: (UnsafeRawBufferPointer) throws -> Void) async throws -> Int64 {
        let what = Self.what(descriptor)
        var verifier = DigestVerifier(expecting: descriptor.digest, size: descriptor.size, what: what)
        let meter = ProgressMeter(progress, digest: descriptor.digest, status: .downloading, total: descriptor.size)
        var failures = 0
        while true {
            do {
                let blob = try await fetchBlob(descriptor.digest, from: verifier.count)
                if let size = blob.size, size != descriptor.size {
                    throw RegistryError(.digestMismatch, "\(what) size mismatch for digest \(descriptor.digest): "
                        + "registry sent \(size) bytes, expected \(descriptor.size)")
                }
                // Bytes before `verifier.count` were had already (the server ignored the range).
                var skip = verifier.count - blob.offset
                for try await var chunk in blob.chunks {
                    if skip > 0 {
                        let n = Int(Swift.min(Int64(chunk.readableBytes), skip))
                        chunk.moveReaderIndex(forwardBy: n)
                        skip -= Int64(n)
                    }
                    guard chunk.readableBytes > 0 else { continue }
                    try chunk.withUnsafeReadableBytes { buf in
                        try verifier.update(buf)
                        do { try sink(buf) } catch { throw SinkError(error: error) }
                    }
                    meter.advance(Int64(chunk.readableBytes))
                }
                break
            } catch let e as RegistryError where e.kind == .unavailable && failures < client.configuration.downloadRetries {
                failures += 1
                try await Task.sleep(for: client.configuration.retryDelay * failures)
            } catch let e as SinkError {
                throw e.error
            }
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

/// A failure of the caller's sink, kept apart from transfer failures so it is not retried.
private struct SinkError: Error {
    var error: any Error
}

/// A blob response: its announced size and its bytes as they arrive.
public struct BlobDownload: Sendable {
    /// The blob's size: `Content-Length` (plus `offset`), when the registry (or its storage
    /// backend) sent one.
    public var size: Int64?
    /// Where the body starts in the blob: non-zero for an answer to a `Range` request.
    public var offset: Int64
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
    private var hash = SHA256Hasher()
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
        hash.update(buffer)
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
        let actual = hash.finalize()
        guard actual == expected else {
            throw RegistryError(.digestMismatch, "\(what) verification failed for digest \(expected): content has digest \(actual)")
        }
    }
}
