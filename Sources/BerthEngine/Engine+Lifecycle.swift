#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthRuntime
import BerthSystem

extension Engine {
    /// `POST /containers/{id}/wait`: the exit code, per Docker's conditions.
    public func wait(_ ref: String, condition: String) async throws -> Int32 {
        let c = try lookup(ref)
        switch condition {
        case "removed":
            return await withCheckedContinuation { removeWaiters[c.id, default: []].append($0) }
        case "next-exit":
            return await withCheckedContinuation { exitWaiters[c.id, default: []].append($0) }
        default:
            if !c.state.running { return c.state.exitCode }
            return await withCheckedContinuation { exitWaiters[c.id, default: []].append($0) }
        }
    }

    /// `POST /containers/{id}/kill`.
    public func kill(_ ref: String, signal: String?) throws {
        let c = try lookup(ref)
        guard c.state.running else { throw EngineError.conflict("Container \(c.id) is not running") }
        let sig: Int32 = try signal.map { s throws(EngineError) in
            guard let n = Signals.parse(s) else { throw .invalidArgument("Invalid signal: \(s)") }
            return n
        } ?? SIGKILL
        try signalShim(c.id, sig)
    }

    func signalShim(_ id: String, _ sig: Int32) throws {
        do { _ = try ShimProcess(stateDir: shimDir(id)).request(ShimRequest(op: "kill", signal: sig, all: sig == SIGKILL)) } catch {
            throw EngineError.internalError("signal container \(id.prefix(12))", cause: BerthError("\(error)"))
        }
    }

    /// `POST /containers/{id}/stop`: StopSignal, then SIGKILL after the timeout.
    public func stop(_ ref: String, timeout: Int?, signal: String?) async throws -> Bool {
        let c = try lookup(ref)
        guard c.state.running else { return false }
        let sig = (signal ?? c.config.stopSignal).flatMap { Signals.parse($0) } ?? SIGTERM
        let seconds = timeout ?? c.config.stopTimeout ?? 10
        try? signalShim(c.id, sig)
        if await exited(c.id, within: seconds) { return true }
        try? signalShim(c.id, SIGKILL)
        _ = await exited(c.id, within: 30)
        return true
    }

    /// Polls until the container is no longer running, up to `seconds`.
    func exited(_ id: String, within seconds: Int) async -> Bool {
        let deadline = WallClock.monotonicMillis() + Int64(max(0, seconds)) * 1000
        while WallClock.monotonicMillis() < deadline || seconds == 0 {
            if containers[id]?.state.running != true { return true }
            if seconds == 0 { return false }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return containers[id]?.state.running != true
    }

    /// `DELETE /containers/{id}`.
    public func remove(_ ref: String, force: Bool) async throws {
        let c = try lookup(ref)
        if c.state.running {
            guard force else {
                throw EngineError.conflict("You cannot remove a running container \(c.id). Stop the container before attempting removal or force remove")
            }
            try? signalShim(c.id, SIGKILL)
            _ = await exited(c.id, within: 30)
        }
        if containers[c.id] != nil { try removeNow(c.id) }
    }

    /// Removes everything of a stopped container.
    func removeNow(_ id: String) throws {
        guard let c = containers[id] else { return }
        unmountRootfs(containerDir(id) + "/rootfs")
        if !c.state.running { releaseNetworkLater(id) }
        try? snapshots.removeContainer(id: id)
        try Files.removeAll(containerDir(id))
        try? Files.removeAll(shimDir(id))
        containers[id] = nil
        for w in exitWaiters.removeValue(forKey: id) ?? [] { w.resume(returning: c.state.exitCode) }
        for w in removeWaiters.removeValue(forKey: id) ?? [] { w.resume(returning: c.state.exitCode) }
    }
}
