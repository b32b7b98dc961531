#if canImport(Glibc)
import Glibc
#endif

/// Plain threads for blocking waits, so they never occupy Swift's small cooperative pool.
public enum Threads {
    final class Box { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }

    public static func detach(_ body: @escaping () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, 256 * 1024)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        pthread_create(&thread, &attr, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        pthread_attr_destroy(&attr)
    }

    /// Runs blocking work (a layer unpack, a big file write) on a plain thread and waits
    /// for it without holding one of the cooperative pool's few threads.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            detach { continuation.resume(with: Result { try body() }) }
        }
    }
}
