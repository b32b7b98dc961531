/// Docker's multiplexed stream for attach, exec and logs without a TTY: each frame is an
/// 8-byte header — stream (0 stdin, 1 stdout, 2 stderr, 3 system error), three zero
/// bytes, payload length as big-endian UInt32 — then the payload. The content type is
/// `application/vnd.docker.multiplexed-stream`.
public enum MultiplexedStream {
    /// Which stream a frame belongs to.
    public enum Kind: UInt8, Sendable {
        case stdin = 0, stdout = 1, stderr = 2, systemError = 3
    }

    /// One frame carrying `payload` (which may be any length up to 4 GiB).
    public static func frame(_ kind: Kind, _ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [kind.rawValue, 0, 0, 0, UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + payload
    }

    /// Splits bytes as they arrive into frames; partial frames wait for more bytes.
    public struct Decoder: Sendable {
        private var buffer: [UInt8] = []

        public init() {}

        /// Adds `bytes` and returns the frames now complete. An unknown stream byte is
        /// reported as `systemError` rather than dropped.
        public mutating func feed(_ bytes: [UInt8]) -> [(kind: Kind, payload: [UInt8])] {
            buffer.append(contentsOf: bytes)
            var frames: [(Kind, [UInt8])] = []
            var offset = 0
            while buffer.count - offset >= 8 {
                let header = buffer[offset..<(offset + 8)]
                let size = header.suffix(4).reduce(0) { $0 << 8 | Int($1) }
                guard buffer.count - offset - 8 >= size else { break }
                let kind = Kind(rawValue: header.first!) ?? .systemError
                frames.append((kind, Array(buffer[(offset + 8)..<(offset + 8 + size)])))
                offset += 8 + size
            }
            buffer.removeFirst(offset)
            return frames
        }

        /// Bytes of an incomplete frame still waiting.
        public var pendingCount: Int { buffer.count }
    }
}
