#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Bytes to upload, readable from any offset so that a chunked upload can send ranges and a
/// request can be sent again after an authentication challenge.
public struct BlobSource: Sendable {
    /// Total size in bytes.
    public var size: Int64
    /// Reads up to `maxLength` bytes at `offset`; fewer only at the end.
    public var read: @Sendable (_ offset: Int64, _ maxLength: Int) async throws -> [UInt8]

    /// A source from a read function.
    public init(size: Int64, read: @escaping @Sendable (_ offset: Int64, _ maxLength: Int) async throws -> [UInt8]) {
        self.size = size; self.read = read
    }

    /// Bytes in memory (manifests, configs, tests).
    public static func bytes(_ bytes: [UInt8]) -> BlobSource {
        BlobSource(size: Int64(bytes.count)) { offset, max in
            let start = Int(min(offset, Int64(bytes.count)))
            return Array(bytes[start..<min(start + max, bytes.count)])
        }
    }

    /// A file, read with `pread` (a content store's blob file).
    public static func file(_ path: String) throws -> BlobSource {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw RegistryError(.invalid, "stat \(path): \(String(cString: strerror(errno)))")
        }
        return BlobSource(size: Int64(st.st_size)) { offset, max in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw RegistryError(.invalid, "open \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            var out = [UInt8](repeating: 0, count: max)
            var got = 0
            while got < max {
                let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, max - got, off_t(offset) + off_t(got)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw RegistryError(.invalid, "read \(path): \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                got += n
            }
            out.removeSubrange(got...)
            return out
        }
    }
}

/// A range of a `BlobSource` as the request body stream: 1 MiB per chunk, read on demand,
/// so an upload only holds one chunk in memory.
struct BlobChunkSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let source: BlobSource
    let range: Range<Int64>
    let progress: (@Sendable (Int64) -> Void)?
    static let chunk = 1 << 20

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: BlobSource
        var offset: Int64
        let end: Int64
        let progress: (@Sendable (Int64) -> Void)?

        mutating func next() async throws -> ByteBuffer? {
            guard offset < end else { return nil }
            let want = Int(Swift.min(Int64(BlobChunkSequence.chunk), end - offset))
            let bytes = try await source.read(offset, want)
            guard !bytes.isEmpty else {
                throw RegistryError(.invalid, "blob source ended at \(offset) of \(end) bytes")
            }
            offset += Int64(bytes.count)
            progress?(Int64(bytes.count))
            return ByteBuffer(bytes: bytes)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: source, offset: range.lowerBound, end: range.upperBound, progress: progress)
    }
}
