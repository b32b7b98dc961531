import BerthAPIModels
import BerthSystem

/// What the engine keeps in memory for restart policies, health checks and stats.
struct OpsState {
    /// Restarts waiting out their backoff, by container ID; a stop, kill, start or remove
    /// cancels them.
    var pendingRestarts: [String: Task<Void, Never>] = [:]
    /// The restart manager's current backoff per container, in milliseconds.
    var backoff: [String: Int64] = [:]
    /// Containers being started by their restart policy: their RestartCount is kept.
    var autoStarting: Set<String> = []
    /// Running health monitors by container ID.
    var healthMonitors: [String: Task<Void, Never>] = [:]
}

extension RestartPolicy {
    /// The policy's mode, with Docker's default `no` for an empty name.
    var mode: String { (name ?? "").isEmpty ? "no" : name! }

    /// moby's `ValidateRestartPolicy`, word for word.
    func validate() throws(EngineError) {
        let count = maximumRetryCount ?? 0
        switch name ?? "" {
        case "always", "unless-stopped", "no":
            if count != 0 {
                throw .invalidArgument("invalid restart policy: maximum retry count can only be used with 'on-failure'"
                    + (count < 0 ? " and cannot be negative" : ""))
            }
        case "on-failure":
            if count < 0 { throw .invalidArgument("invalid restart policy: maximum retry count cannot be negative") }
        case "":
            return   // before Docker 25 clients sent an empty name for the default
        default:
            throw .invalidArgument("invalid restart policy: unknown policy '\(name ?? "")'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'")
        }
    }

    /// moby's `RestartManager.ShouldRestart`, without the backoff: whether a container
    /// that exited with `exitCode` after `restartCount` restarts comes back.
    func shouldRestart(exitCode: Int32, restartCount: Int, manuallyStopped: Bool) -> Bool {
        switch mode {
        case "always": return true
        case "unless-stopped": return !manuallyStopped
        case "on-failure":
            let max = maximumRetryCount ?? 0
            return exitCode != 0 && (max == 0 || restartCount < max)
        default: return false
        }
    }
}

extension Engine {
    /// Docker's restart manager: 100 ms, doubling, at most a minute; back to 100 ms once
    /// the container ran 10 s.
    static let firstBackoffMillis: Int64 = 100
    static let maxBackoffMillis: Int64 = 60_000

    /// Validates what create and update accept in HostConfig beyond the spec builder: the
    /// restart policy and its combination with AutoRemove.
    static func validateRestart(_ host: HostConfig) throws(EngineError) {
        guard let policy = host.restartPolicy else { return }
        try policy.validate()
        if host.autoRemove == true && policy.mode != "no" {
            throw .invalidArgument("can't create 'AutoRemove' container with restart policy")
        }
    }

    /// Called once a container runs: a start by the user (not by the policy) resets the
    /// restart count and the manual stop; the health monitor starts; `start` is published.
    func didStart(_ id: String) {
        ops.pendingRestarts.removeValue(forKey: id)?.cancel()
        guard var c = containers[id] else { return }
        if !ops.autoStarting.contains(id) {
            c.restartCount = 0
            c.manuallyStopped = false
            ops.backoff[id] = nil
        }
        if healthConfig(c) != nil {
            var health = c.state.health ?? ContainerHealth()
            health.status = "starting"
            health.failingStreak = 0
            c.state.health = health
        }
        // A --rm container is removed after a crash anyway: no fsync on `run --rm`'s path.
        try? save(c, durable: c.hostConfig.autoRemove != true)
        publish(c, "start")
        startHealthMonitor(id)
    }

    /// Called once an exit is recorded: stops the health monitor, publishes `oom` and
    /// `die`, and schedules a restart when the policy asks for one.
    func didExit(_ id: String, startedAt: String) {
        stopHealthMonitor(id)
        guard var c = containers[id] else { return }
        if c.state.oomKilled { publish(c, "oom") }
        let started = WallClock.epochSeconds(startedAt) ?? 0
        let ran = max(0, (WallClock.epochSeconds(c.state.finishedAt) ?? started) - started)
        publish(c, "die", ["exitCode": String(c.state.exitCode), "execDuration": String(ran)])
        let policy = c.hostConfig.restartPolicy ?? RestartPolicy()
        // A stop or kill by the user ends the policy's restarts, `always` included, until
        // the user starts the container or the daemon restarts.
        guard c.manuallyStopped != true,
              policy.shouldRestart(exitCode: c.state.exitCode, restartCount: c.restartCount ?? 0, manuallyStopped: false)
        else {
            ops.backoff[id] = nil
            return
        }
        var timeout = ran >= 10 ? 0 : ops.backoff[id] ?? 0
        timeout = timeout == 0 ? Self.firstBackoffMillis : min(timeout * 2, Self.maxBackoffMillis)
        ops.backoff[id] = timeout
        c.restartCount = (c.restartCount ?? 0) + 1
        c.state.status = "restarting"
        try? save(c)
        scheduleRestart(id, afterMillis: timeout)
    }

    private func scheduleRestart(_ id: String, afterMillis timeout: Int64) {
        ops.pendingRestarts[id]?.cancel()
        ops.pendingRestarts[id] = Task { [self] in
            try? await Task.sleep(nanoseconds: UInt64(timeout) * 1_000_000)
            if Task.isCancelled { return }
            await self.restartByPolicy(id)
        }
    }

    /// The backoff is over: start the container again, keeping its restart count.
    private func restartByPolicy(_ id: String) async {
        guard ops.pendingRestarts.removeValue(forKey: id) != nil, containers[id]?.state.status == "restarting" else { return }
        ops.autoStarting.insert(id)
        defer { ops.autoStarting.remove(id) }
        do {
            _ = try await start(id)
        } catch {
            guard var c = containers[id], !c.state.running else { return }
            c.state.status = "exited"
            c.state.error = "\(error)"
            try? save(c)
        }
    }

    /// `stop`, or `kill` with a stopping signal: the policy must not bring the container
    /// back (until the daemon restarts, for `always`). Ends a pending restart; returns
    /// true when the container was waiting to restart (it is now exited).
    @discardableResult
    func noteManualStop(_ id: String) -> Bool {
        guard var c = containers[id] else { return false }
        c.manuallyStopped = true
        let pending = ops.pendingRestarts.removeValue(forKey: id)
        pending?.cancel()
        let wasRestarting = c.state.status == "restarting"
        if wasRestarting { c.state.status = "exited" }
        try? save(c)
        return wasRestarting
    }

    /// Forgets what is kept in memory for a removed container.
    func forgetOps(_ id: String) {
        ops.pendingRestarts.removeValue(forKey: id)?.cancel()
        ops.backoff[id] = nil
        stopHealthMonitor(id)
    }

    /// At daemon start, after `restore`: health monitors for running containers again,
    /// restarts that were waiting when the daemon stopped, and Docker's restart at boot —
    /// `always` containers, `unless-stopped` ones the user did not stop, `on-failure` ones
    /// that failed and have retries left.
    func resumeAtBoot() {
        for (id, c) in containers {
            let policy = c.hostConfig.restartPolicy ?? RestartPolicy()
            switch c.state.status {
            case "running", "paused":
                startHealthMonitor(id)
            case "restarting":
                scheduleRestart(id, afterMillis: Self.firstBackoffMillis)
            case "exited" where policy.mode != "no":
                let stopped = c.manuallyStopped ?? false
                let restart = policy.mode == "always"
                    || policy.shouldRestart(exitCode: c.state.exitCode, restartCount: c.restartCount ?? 0, manuallyStopped: stopped)
                guard restart, ops.pendingRestarts[id] == nil else { continue }
                Task { [self] in _ = try? await self.start(id) }
            default:
                continue
            }
        }
    }
}
