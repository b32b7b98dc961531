import Synchronization

/// The bytes of one request body between the connection (producer, on the event loop) and
/// the route (consumer, on a task), with backpressure: `yield` reports when more than
/// `highWatermark` bytes wait, the connection stops reading, and `onDrain` runs once the
/// route has taken enough that fewer than `lowWatermark` wait. Image loads and build
/// contexts therefore stream through without piling up in memory.
final class BodyChannel: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var chunkStart = 0
        var buffered = 0
        var finished = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var paused = false
    }

    private let state = Mutex(State())
    private let highWatermark: Int
    private let lowWatermark: Int
    private let onDrain: @Sendable () -> Void

    init(highWatermark: Int = 1 << 20, lowWatermark: Int = 256 << 10, onDrain: @escaping @Sendable () -> Void = {}) {
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
        self.onDrain = onDrain
    }

    /// Adds bytes from the connection. Returns true when the producer should stop reading
    /// until `onDrain` runs.
    func yield(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return false }
        let (waiter, pause) = state.withLock { s -> (CheckedContinuation<[UInt8]?, any Error>?, Bool) in
            guard !s.finished else { return (nil, false) }
            if let waiter = s.waiter {
                s.waiter = nil
                return (waiter, false)
            }
            s.chunks.append(bytes)
            s.buffered += bytes.count
            if s.buffered > highWatermark { s.paused = true }
            return (nil, s.paused)
        }
        waiter?.resume(returning: bytes)
        return pause
    }

    /// Ends the body; `error` makes the consumer's next read throw it.
    func finish(error: (any Error)? = nil) {
        let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            guard !s.finished else { return nil }
            s.finished = true
            s.failure = error
            defer { s.waiter = nil }
            return s.waiter
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    /// The next chunk, nil at the end of the body.
    func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
            enum Outcome { case chunk([UInt8], drained: Bool), end, failed(any Error), wait }
            let outcome = state.withLock { s -> Outcome in
                if s.chunkStart < s.chunks.count {
                    let chunk = s.chunks[s.chunkStart]
                    s.chunkStart += 1
                    if s.chunkStart == s.chunks.count {
                        s.chunks.removeAll(keepingCapacity: true)
                        s.chunkStart = 0
                    }
                    s.buffered -= chunk.count
                    let drained = s.paused && s.buffered < lowWatermark
                    if drained { s.paused = false }
                    return .chunk(chunk, drained: drained)
                }
                if s.finished { return s.failure.map { .failed($0) } ?? .end }
                s.waiter = continuation
                return .wait
            }
            switch outcome {
            case .chunk(let chunk, let drained):
                if drained { onDrain() }
                continuation.resume(returning: chunk)
            case .end: continuation.resume(returning: nil)
            case .failed(let error): continuation.resume(throwing: error)
            case .wait: break
            }
        }
    }
}
