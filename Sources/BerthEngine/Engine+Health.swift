#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthOCI
import BerthRuntime
import BerthSystem

/// Docker's `State.Health`: the status, the current run of failures and the last results.
public struct ContainerHealth: Codable, Sendable, Equatable {
    /// `starting`, `healthy` or `unhealthy`.
    public var status = "starting"
    public var failingStreak = 0
    /// The last `ContainerHealth.maxLog` probes, oldest first.
    public var log: [HealthResult] = []

    /// moby keeps five results and 4 KiB of each probe's output.
    public static let maxLog = 5
    public static let maxOutput = 4096

    public init() {}
}

/// One probe: when it ran, its exit code (-1 when it timed out or could not start) and output.
public struct HealthResult: Codable, Sendable, Equatable {
    public var start: String
    public var end: String
    public var exitCode: Int
    public var output: String
}

/// A container's health check with Docker's defaults filled in (durations in nanoseconds).
struct HealthSettings {
    var command: [String]
    var interval: Int64
    var timeout: Int64
    var startPeriod: Int64
    var startInterval: Int64
    var retries: Int

    /// moby's defaults: 30 s interval and timeout, no start period, 5 s start interval, 3 retries.
    init?(_ h: ImageConfig.Healthcheck?) {
        guard let h, let test = h.test, let kind = test.first else { return nil }
        switch kind {
        case "CMD": command = Array(test.dropFirst())
        case "CMD-SHELL": command = ["/bin/sh", "-c", test.dropFirst().joined(separator: " ")]
        default: return nil   // "NONE", or unknown
        }
        if command.isEmpty { return nil }
        func positive(_ v: Int64?, _ d: Int64) -> Int64 { (v ?? 0) > 0 ? v! : d }
        interval = positive(h.interval, 30_000_000_000)
        timeout = positive(h.timeout, 30_000_000_000)
        startPeriod = positive(h.startPeriod, 0)
        startInterval = positive(h.startInterval, 5_000_000_000)
        retries = (h.retries ?? 0) > 0 ? h.retries! : 3
    }
}

extension Engine {
    /// The container's health check: its `Healthcheck` merged with the image's as moby's
    /// `merge` does (each unset field from the image). Stored at create, so inspect shows it.
    static func mergedHealthcheck(_ user: ImageConfig.Healthcheck?, image: ImageConfig.Healthcheck?) -> ImageConfig.Healthcheck? {
        guard var merged = user else { return image }
        guard let image else { return merged }
        if (merged.test ?? []).isEmpty { merged.test = image.test }
        if (merged.interval ?? 0) == 0 { merged.interval = image.interval }
        if (merged.timeout ?? 0) == 0 { merged.timeout = image.timeout }
        if (merged.startPeriod ?? 0) == 0 { merged.startPeriod = image.startPeriod }
        if (merged.startInterval ?? 0) == 0 { merged.startInterval = image.startInterval }
        if (merged.retries ?? 0) == 0 { merged.retries = image.retries }
        return merged
    }

    /// moby's checks of a create request's health check, in its words.
    static func validateHealthcheck(_ h: ImageConfig.Healthcheck?) throws(EngineError) {
        guard let h else { return }
        let minimum: Int64 = 1_000_000   // 1ms
        for (name, value) in [("Interval", h.interval), ("Timeout", h.timeout), ("StartPeriod", h.startPeriod),
                              ("StartInterval", h.startInterval)] {
            if let v = value, v != 0, v < minimum { throw .invalidArgument("\(name) in Healthcheck cannot be less than 1ms") }
        }
        if (h.retries ?? 0) < 0 { throw .invalidArgument("Retries in Healthcheck cannot be negative") }
    }

    func healthConfig(_ c: Container) -> HealthSettings? { HealthSettings(c.config.healthcheck) }

    /// Starts probing a running container that has a health check; the first probe comes
    /// after one interval (the start interval during the start period), as in moby.
    func startHealthMonitor(_ id: String) {
        guard ops.healthMonitors[id] == nil, let c = containers[id], let settings = healthConfig(c) else { return }
        let started = WallClock.monotonicMillis()
        ops.healthMonitors[id] = Task { [self] in
            while !Task.isCancelled {
                // moby: the start interval applies in the start period while still starting.
                let inStartPeriod = (WallClock.monotonicMillis() - started) * 1_000_000 < settings.startPeriod
                let starting = self.containers[id]?.state.health?.status == "starting"
                let wait = inStartPeriod && starting ? settings.startInterval : settings.interval
                try? await Task.sleep(nanoseconds: UInt64(wait))
                if Task.isCancelled { return }
                // A paused container is not probed (an exec would hang in the frozen cgroup).
                if self.containers[id]?.state.status == "paused" { continue }
                guard let process = self.probeProcess(id, command: settings.command) else { return }
                // moby runs the probe as an exec, with the exec's events.
                let execID = Engine.newID(), command = settings.command.joined(separator: " ")
                self.publish(id, "exec_create: " + command, ["execID": execID])
                self.publish(id, "exec_start: " + command, ["execID": execID])
                let result = await Engine.probe(stateDir: self.shimDir(id), process: process, timeout: settings.timeout)
                self.publish(id, "exec_die", ["execID": execID, "exitCode": String(result.exitCode == -1 ? 137 : result.exitCode)])
                if Task.isCancelled { return }
                self.recordHealth(id, result, settings: settings, startedMillis: started)
            }
        }
    }

    func stopHealthMonitor(_ id: String) {
        ops.healthMonitors.removeValue(forKey: id)?.cancel()
    }

    /// The probe as an exec of the container's own process settings (env, user, cwd,
    /// capabilities), or nil when the container no longer runs.
    private func probeProcess(_ id: String, command: [String]) -> Spec.Process? {
        guard containers[id]?.state.status == "running",
              let bytes = try? Files.read(containerDir(id) + "/config.json"),
              let spec = try? OCIJSON.decode(Spec.self, from: bytes), var process = spec.process else { return nil }
        process.args = command
        process.terminal = false
        process.consoleSize = nil
        return process
    }

    /// moby's `handleProbeResult`: a success makes the container healthy; a failure adds
    /// to the streak (not while starting inside the start period) and `retries` of them
    /// make it unhealthy. A change of status is published as `health_status: …`.
    private func recordHealth(_ id: String, _ result: HealthResult, settings: HealthSettings, startedMillis: Int64) {
        guard var c = containers[id], c.state.status == "running" || c.state.status == "paused" else { return }
        var h = c.state.health ?? ContainerHealth()
        let old = h.status
        if result.exitCode == 0 {
            h.failingStreak = 0
            h.status = "healthy"
        } else {
            let sinceStart = (WallClock.monotonicMillis() - startedMillis) * 1_000_000
            if !(h.status == "starting" && sinceStart < settings.startPeriod) {
                h.failingStreak += 1
                if h.failingStreak >= settings.retries { h.status = "unhealthy" }
            }
        }
        h.log.append(result)
        if h.log.count > ContainerHealth.maxLog { h.log.removeFirst(h.log.count - ContainerHealth.maxLog) }
        c.state.health = h
        try? save(c)
        if h.status != old { publish(c, "health_status: " + h.status) }
    }

    /// Runs one probe through the container's shim on a plain thread: output (both
    /// streams, at most 4 KiB kept) until the exec ends, then its exit code. A probe that
    /// outlives `timeout` is killed and reported with -1, as Docker does.
    static func probe(stateDir: String, process: Spec.Process, timeout: Int64) async -> HealthResult {
        await withCheckedContinuation { (done: CheckedContinuation<HealthResult, Never>) in
            Threads.detach {
                done.resume(returning: probeBlocking(stateDir: stateDir, process: process, timeout: timeout))
            }
        }
    }

    private static func probeBlocking(stateDir: String, process: Spec.Process, timeout: Int64) -> HealthResult {
        let start = WallClock.rfc3339Nano()
        let shim = ShimProcess(stateDir: stateDir)
        var request = ShimRequest(op: "exec")
        request.process = process
        request.stdin = false
        func failed(_ code: Int, _ output: String) -> HealthResult {
            HealthResult(start: start, end: WallClock.rfc3339Nano(), exitCode: code, output: output)
        }
        guard let (status, maybeFD) = try? shim.request(request, keepOpen: true), let fd = maybeFD else {
            return failed(-1, "cannot exec in the container")
        }
        defer { close(fd) }
        if let error = status.error { return failed(-1, "OCI runtime exec failed: \(error)") }
        let deadline = WallClock.monotonicMillis() + timeout / 1_000_000
        var raw: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        var timedOut = false
        while true {
            let left = deadline - WallClock.monotonicMillis()
            if left <= 0 { timedOut = true; break }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, Int32(min(left, 1000)))
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { continue }
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            if raw.count < 64 * 1024 { raw += buf[0..<n] }
        }
        if timedOut {
            if status.pid > 0 { _ = Glibc.kill(status.pid, SIGKILL) }
            let text = timeout % 1_000_000_000 == 0 ? "\(timeout / 1_000_000_000)s" : "\(timeout / 1_000_000)ms"
            return failed(-1, "Health check exceeded timeout (\(text))")
        }
        // moby keeps 4 KiB and marks a cut with "...".
        let bytes = demultiplex(raw)
        var output = String(decoding: bytes.prefix(ContainerHealth.maxOutput), as: UTF8.self)
        if bytes.count > ContainerHealth.maxOutput { output += "..." }
        var code = -1
        for _ in 0..<50 {
            guard let (s, _) = try? shim.request(ShimRequest(op: "exec-status", signal: status.pid)) else { break }
            if let c = s.exitCode { code = Int(c); break }
            usleep(10_000)
        }
        return HealthResult(start: start, end: WallClock.rfc3339Nano(), exitCode: code, output: output)
    }

    /// The payloads of Docker's multiplexed frames, stdout and stderr together.
    static func demultiplex(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i + 8 <= bytes.count {
            let n = Int(bytes[i + 4]) << 24 | Int(bytes[i + 5]) << 16 | Int(bytes[i + 6]) << 8 | Int(bytes[i + 7])
            let end = min(bytes.count, i + 8 + n)
            out += bytes[(i + 8)..<end]
            i = end
        }
        return out
    }
}
