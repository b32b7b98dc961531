#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthImage
import BerthOCI
import BerthRuntime
import BerthSystem
import CBerth

extension Engine {
    /// `POST /containers/{id}/start`: mounts the rootfs, writes the bundle, spawns the
    /// shim (which creates the container), lets pending attaches connect, then starts it.
    /// Returns false when it was already running (Docker's 304).
    public func start(_ ref: String) async throws -> Bool {
        var c = try lookup(ref)
        if c.state.running { return false }
        let (record, imageConfig) = try containerImage(c)
        let chain = try await prepareLayers(record, imageConfig)
        // Another start or a remove may have run while this one waited for the layers.
        guard let current = containers[c.id] else { throw EngineError.notFound("No such container: \(ref)") }
        if current.state.running { return false }
        if ContainerRoot.inUse(c.id) {
            throw EngineError.conflict("container \(c.id) is busy: a copy into or out of its file system is in progress")
        }
        let dir = containerDir(c.id)
        let rootfs = dir + "/rootfs"
        var attached = false
        do {
            try mountRootfs(c.id, rootfs: rootfs, lowers: chain)
            try attachVolumes(&c, rootfs: rootfs)
            attached = true
            var builder = specBuilder(c, imageConfig: imageConfig.config)
            let net = try planNetwork(c, hostname: builder.hostname,
                                      imageExposed: Array((imageConfig.config?.exposedPorts ?? [:]).keys))
            builder.apply(net)
            try writeEtcFiles(dir: dir, net)
            let spec: Spec
            do { spec = try builder.build() } catch let e as EngineErrorLike { throw EngineError.invalidArgument(e.description) }
            try Files.writeAtomic(dir + "/config.json", try OCIJSON.encode(spec), durable: false)
            try? Files.removeAll(shimDir(c.id))
            let shim = try ShimProcess.spawn(id: c.id, bundle: dir, stateDir: shimDir(c.id), seccompCache: seccompCacheDir,
                                             tty: c.config.tty ?? false,
                                             stdin: c.config.openStdin ?? false, stdinOnce: c.config.stdinOnce ?? false)
            if net.activation != nil {
                do {
                    try awaitNetwork(net)
                } catch {
                    _ = try? shim.request(ShimRequest(op: "kill", signal: SIGKILL, all: true))
                    throw error
                }
            }
            for connect in pendingAttach.removeValue(forKey: c.id) ?? [] { connect(shim) }
            let (status, _) = try shim.request(ShimRequest(op: "start"))
            if let error = status.error { throw BerthError(error) }
            c.state = Container.State()
            c.state.status = "running"
            c.state.pid = status.pid
            c.state.startedAt = WallClock.rfc3339Nano()
            try save(c, durable: false)
            watch(c.id)
            didStart(c.id)
            return true
        } catch {
            unmountRootfs(rootfs)
            if attached { detachVolumes(c) }
            network.release(c.id)
            for connect in pendingAttach.removeValue(forKey: c.id) ?? [] { connect(nil) }
            c.state.error = "\(error)"
            // As dockerd's translateContainerdStartErr: a command that is missing (127) or
            // cannot run (126) is the caller's mistake, a 400.
            let text = c.state.error.lowercased()
            let invalid: Int32? = text.includes("executable file not found") || text.includes("no such file or directory") ? 127
                : text.includes("permission denied") ? 126 : nil
            c.state.exitCode = invalid ?? 128
            try? save(c, durable: false)
            if c.hostConfig.autoRemove == true { try? removeNow(c.id) }   // as dockerd: `run --rm` waits for it
            if let e = error as? EngineError { throw e }
            let message = "failed to start container \(c.shortID): \(error)"
            if invalid != nil { throw EngineError.invalidArgument(message) }
            throw EngineError.internalError("failed to start container \(c.shortID)", cause: BerthError("\(error)"))
        }
    }

    func mountRootfs(_ id: String, rootfs: String, lowers: [Digest]) throws {
        guard let snapshot = try snapshots.container(id: id) else {
            throw EngineError.internalError("container \(id) has no snapshot")
        }
        let overlay = try snapshots.mount(for: snapshot)
        try Files.mkdirAll(rootfs)
        unmountRootfs(rootfs)
        try sys("mount", path: rootfs) { berth_mount("overlay", rootfs, "overlay", 0, overlay.options) }
    }

    func unmountRootfs(_ rootfs: String) {
        while berth_umount2(rootfs, 2 /* MNT_DETACH */) == 0 {}
    }

    /// /etc/hostname, /etc/hosts and /etc/resolv.conf as the network mode made them.
    private func writeEtcFiles(dir: String, _ net: NetworkPlan) throws {
        try Files.write(dir + "/hostname", net.hostname + "\n")
        try Files.write(dir + "/hosts", net.hosts)
        try Files.write(dir + "/resolv.conf", net.resolvConf)
    }

    /// Watches a running container for its exit (with the ExitWatcher's thread).
    func watch(_ id: String) {
        let shim = ShimProcess(stateDir: shimDir(id))
        // The shim answers `wait` when the container exits; no answer (a shim that is gone)
        // falls back to the exit status it wrote, else 255.
        let exited: @Sendable (ShimStatus?) -> Void = { [self] answer in
            let status = answer ?? shim.exitStatus
                ?? ShimStatus(id: id, pid: 0, status: "stopped", exitCode: 255, exitedAt: WallClock.rfc3339Nano())
            Task { await self.recordExit(id, status) }
        }
        guard let fd = try? shim.send(ShimRequest(op: "wait")) else { return exited(nil) }
        ExitWatcher.shared.whenReadable(fd) { fd in exited(try? ShimProcess.answer(fd, exact: false)) }
    }

    /// The container has exited: record it, unmount, wake waiters, and auto-remove.
    func recordExit(_ id: String, _ status: ShimStatus) {
        guard var c = containers[id] else { return }
        c.state.status = "exited"
        c.state.pid = 0
        c.state.exitCode = status.exitCode ?? 255
        c.state.oomKilled = status.oomKilled ?? false
        c.state.finishedAt = status.exitedAt ?? WallClock.rfc3339Nano()
        unmountRootfs(containerDir(id) + "/rootfs")
        detachVolumes(c)
        releaseNetworkLater(id)
        containers[id] = c
        // A --rm container's record goes next: written only if the removal fails.
        if c.hostConfig.autoRemove != true { try? save(c, durable: false) }
        didExit(id, startedAt: c.state.startedAt)
        for w in exitWaiters.removeValue(forKey: id) ?? [] { w.resume(returning: c.state.exitCode) }
        if c.hostConfig.autoRemove == true {
            do { try removeNow(id) } catch { try? save(c, durable: false) }
        }
    }
}
