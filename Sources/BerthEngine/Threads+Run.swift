extension Threads {
    /// Runs blocking work (a layer unpack, a big file write) on a plain thread and waits
    /// for it without holding one of the cooperative pool's few threads.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            detach { continuation.resume(with: Result { try body() }) }
        }
    }
}
