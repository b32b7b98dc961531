import BerthSystem
import Dispatch
import Synchronization

/// Bytes that a blocking producer (a tar writer over libarchive) writes on a thread of its
/// own, read by an async consumer (an HTTP response) as a sequence of chunks.
///
/// The producer blocks while `capacity` chunks are unread, so a slow client holds at most
/// that much in memory; when the consumer goes away (client disconnected) the producer's
/// next write throws `Cancelled` and it stops.
public final class BlockingByteStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    /// What a producer's write throws once nobody reads any more.
    public struct Cancelled: Error, CustomStringConvertible {
        public var description: String { "the reader went away" }
    }

    private let stream: AsyncThrowingStream<[UInt8], any Error>
    private let slots: DispatchSemaphore
    private let cancelled = CancelFlag()

    /// Set once the consumer is gone; read by the producer's thread.
    final class CancelFlag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// Starts `produce` on a new thread. It gets a sink for its bytes; they are handed on in
    /// chunks of `chunkSize`. Its error, if any, ends the sequence with that error.
    public init(capacity: Int = 8, chunkSize: Int = 256 << 10,
                produce: @escaping @Sendable (_ sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> Void) {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        self.stream = stream
        let slots = DispatchSemaphore(value: capacity)
        self.slots = slots
        let cancelled = self.cancelled
        continuation.onTermination = { _ in
            cancelled.set()
            for _ in 0...capacity { slots.signal() }    // wakes a producer waiting for a slot
        }
        Threads.detach {
            final class Pending { var bytes: [UInt8] = [] }
            let pending = Pending()
            pending.bytes.reserveCapacity(chunkSize)
            let flush = {
                // Once cancelled, no slot is taken any more (a tar writer still flushes as it
                // closes), and the one taken by the wake-up is given back: libdispatch traps
                // when a semaphore is freed with less than its initial count.
                if cancelled.isSet { throw Cancelled() }
                slots.wait()
                if cancelled.isSet {
                    slots.signal()
                    throw Cancelled()
                }
                continuation.yield(pending.bytes)
                pending.bytes.removeAll(keepingCapacity: true)
            }
            do {
                try produce { chunk in
                    pending.bytes.append(contentsOf: chunk)
                    if pending.bytes.count >= chunkSize { try flush() }
                }
                if !pending.bytes.isEmpty { try flush() }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var inner: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let slots: DispatchSemaphore

        public mutating func next() async throws -> [UInt8]? {
            let chunk = try await inner.next()
            if chunk != nil { slots.signal() }          // one more chunk may be produced
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: stream.makeAsyncIterator(), slots: slots) }
}
