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
        // moby: a kill between two runs only ends the restart policy's restarts.
        if c.state.status == "restarting" { noteManualStop(c.id); return }
        guard c.state.running else { throw EngineError.conflict("Container \(c.id) is not running") }
        let sig: Int32 = try signal.map { s throws(EngineError) in
            guard let n = Signals.parse(s) else { throw .invalidArgument("Invalid signal: \(s)") }
            return n
        } ?? SIGKILL
        // As moby: a stopping signal ends the restart policy's restarts.
        if sig == SIGKILL || sig == (c.config.stopSignal.flatMap { Signals.parse($0) } ?? SIGTERM) { noteManualStop(c.id) }
        try signalShim(c.id, sig)
    }

    func signalShim(_ id: String, _ sig: Int32) throws {
        publish(id, "kill", ["signal": String(sig)])
        do { _ = try ShimProcess(stateDir: shimDir(id)).request(ShimRequest(op: "kill", signal: sig, all: sig == SIGKILL)) } catch {
            throw EngineError.internalError("signal container \(id.prefix(12))", cause: BerthError("\(error)"))
        }
        // As dockerd: a paused container is thawed once the signal is sent, or it could not
        // act on it (a force remove waited 30 s, then removed a container that still ran).
        if sig == SIGKILL || sig == SIGTERM, var c = containers[id], c.state.status == "paused" {
            try? runtime(id).resume(id)
            c.state.status = "running"
            try? save(c)
        }
    }

    /// `POST /containers/{id}/stop`: StopSignal, then SIGKILL after the timeout.
    public func stop(_ ref: String, timeout: Int?, signal: String?) async throws -> Bool {
        let c = try lookup(ref)
        if noteManualStop(c.id) { publish(c.id, "stop"); return true }   // was waiting to restart
        guard c.state.running else { return false }
        let sig = (signal ?? c.config.stopSignal).flatMap { Signals.parse($0) } ?? SIGTERM
        let seconds = timeout ?? c.config.stopTimeout ?? 10
        try? signalShim(c.id, sig)
        if await exited(c.id, within: seconds) { publish(c.id, "stop"); return true }
        try? signalShim(c.id, SIGKILL)
        _ = await exited(c.id, within: 30)
        publish(c.id, "stop")
        return true
    }

    /// Polls until the container is no longer running, up to `seconds`; a negative
    /// timeout waits for good, as Docker's `t=-1`.
    func exited(_ id: String, within seconds: Int) async -> Bool {
        // Clamped: `t=9223372036854775807` must not overflow (the fuzz test found it).
        let millis = seconds < 0 || seconds > 1_000_000_000 ? Int64.max / 4 : Int64(seconds) * 1000
        let deadline = WallClock.monotonicMillis() + millis
        while WallClock.monotonicMillis() < deadline || seconds == 0 {
            if containers[id]?.state.running != true { return true }
            if seconds == 0 { return false }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return containers[id]?.state.running != true
    }

    /// `DELETE /containers/{id}`.
    public func remove(_ ref: String, force: Bool, volumes: Bool = false) async throws {
        let c = try lookup(ref)
        if c.state.status == "restarting" {
            guard force else {
                throw EngineError.conflict("You cannot remove a restarting container \(c.id). Stop the container before attempting removal or force remove")
            }
            noteManualStop(c.id)
        }
        if c.state.running {
            guard force else {
                throw EngineError.conflict("You cannot remove a running container \(c.id). Stop the container before attempting removal or force remove")
            }
            noteManualStop(c.id)
            // Sent again each second: a concurrent start may bring up a new shim after the first
            // signal, and a container frozen meanwhile must be thawed to die.
            var gone = false
            for _ in 0..<30 where !gone {
                try? signalShim(c.id, SIGKILL)
                if containers[c.id]?.state.status == "running" { try? runtime(c.id).resume(c.id) }
                gone = await exited(c.id, within: 1)
            }
            if !gone {
                // A container whose shim is gone is not running, whatever the record says.
                let shim = ShimProcess(stateDir: shimDir(c.id))
                guard !shim.isAlive else {
                    throw EngineError.internalError("Could not kill running container \(c.id), cannot remove")
                }
                recordExit(c.id, shim.exitStatus ?? ShimStatus(id: c.id, pid: 0, status: "stopped", exitCode: 137,
                                                                exitedAt: WallClock.rfc3339Nano()))
            }
        }
        // A copy reading or writing the stopped container's layers through a temporary
        // overlay: its upper directory must not go away underneath it.
        if ContainerRoot.inUse(c.id) {
            throw EngineError.conflict("container \(c.id) is busy: a copy into or out of its file system is in progress")
        }
        if containers[c.id] != nil { try removeNow(c.id, volumes: volumes) }
    }

    /// Removes everything of a stopped container; with `volumes` (and always for `--rm`
    /// containers, as Docker) its anonymous volumes too.
    func removeNow(_ id: String, volumes: Bool = false) throws {
        guard let c = containers[id] else { return }
        forgetOps(id)
        unmountRootfs(containerDir(id) + "/rootfs")
        if !c.state.running { releaseNetworkLater(id) }
        try? snapshots.removeContainer(id: id)
        try Files.removeAll(containerDir(id))
        try? Files.removeAll(shimDir(id))
        containers[id] = nil
        if volumes || c.hostConfig.autoRemove == true { removeAnonymousVolumes(of: c) }
        publish(c, "destroy")
        for w in exitWaiters.removeValue(forKey: id) ?? [] { w.resume(returning: c.state.exitCode) }
        for w in removeWaiters.removeValue(forKey: id) ?? [] { w.resume(returning: c.state.exitCode) }
    }
}
