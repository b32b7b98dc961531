#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth
import Synchronization

/// A container's network being set up on a thread of its own while the shim creates the
/// container: `wait()` joins it (any number of callers, any number of times).
public final class Activation: @unchecked Sendable {
    final class Work {
        let body: () throws -> Void
        var error: (any Error)?
        init(_ body: @escaping () throws -> Void) { self.body = body }
    }

    private let thread: pthread_t?
    private let work: Work
    private let outcome = Mutex<Result<Void, any Error>?>(nil)

    init(_ body: @escaping () throws -> Void) {
        work = Work(body)
        let raw = Unmanaged.passRetained(work).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let work = Unmanaged<Work>.fromOpaque(arg!).takeRetainedValue()
            do { try work.body() } catch { work.error = error }
            return nil
        }, raw)
        if rc == 0 {
            thread = t
        } else {
            // No thread: do the work here, before anyone can wait.
            Unmanaged<Work>.fromOpaque(raw).release()
            thread = nil
            do { try work.body() } catch { work.error = error }
        }
    }

    /// Waits for the setup; rethrows its error.
    public func wait() throws {
        try outcome.withLock { r in
            if r == nil {
                if let thread { pthread_join(thread, nil) }
                r = work.error.map { .failure($0) } ?? .success(())
            }
            return try r!.get()
        }
    }
}

extension NetworkManager {
    /// Makes the container's network namespace now (so the shim's container joins it) and
    /// sets its endpoints up there on a thread of its own, while the shim creates the container.
    /// `Activation.wait()` before the container starts; `release` waits for it too. nil when
    /// the container has no sandbox.
    public func activateInBackground(_ containerID: String) throws -> (path: String, activation: Activation)? {
        guard var sb = sandbox(containerID) else { return nil }
        let path = runDir + "/netns/\(containerID)-\(sb.nonce)"
        do {
            if !Files.exists(path) { try Files.write(path, [], mode: 0o600) }
            try NetworkNamespace.create(at: path)
            sb.netnsPath = path
            sb.active = true
            try save(sb)
        } catch {
            releaseNow(containerID, nonce: sb.nonce)
            while berth_umount2(path, 2 /* MNT_DETACH */) == 0 {}
            unlink(path)
            throw NetworkError(.failed, "create network namespace of container \(containerID.prefix(12)): \(error)")
        }
        let activation = Activation { [self] in try setUp(sb, netns: path) }
        state.withLock { $0.activations[containerID] = activation }
        return (path, activation)
    }

    /// Waits for an activation of the container still under way, so a release never races it.
    func waitActivation(_ containerID: String) {
        guard let a = state.withLock({ $0.activations.removeValue(forKey: containerID) }) else { return }
        try? a.wait()
    }
}
