#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// Options of `create` and `run`, as runc's command line names them.
public struct CreateOptions: Sendable {
    public var bundle: String = "."
    public var pidFile: String?
    public var consoleSocket: String?
    public var noPivot = false
    public var preserveFDs = 0
    /// An already connected console socket (used by `run` in the foreground).
    public var consoleFD: Int32?
    /// Where compiled seccomp filters are kept between containers (see `SeccompProgram`);
    /// nil compiles the profile for every container, as runc does.
    public var seccompCacheDir: String?
    /// Bring up `lo` in a network namespace the container creates, as Docker's containers
    /// have it; the OCI spec leaves the namespace's configuration to hooks (runc, CNI).
    public var loopbackUp = false
    public init() {}
}

/// The runtime: containers in a state directory, driven through the OCI lifecycle.
public struct Runtime: Sendable {
    public let store: StateStore

    public init(root: String) { store = StateStore(root: root) }

    /// The state the spec defines: creating/created/running/paused/stopped.
    public func status(of record: ContainerRecord) -> String {
        guard let pid = record.pid, ProcFS.isAlive(pid, startTime: record.pidStartTime) else { return "stopped" }
        if Files.exists(store.fifoPath(record.id)) { return "created" }
        if Cgroup(path: record.cgroupPath).isFrozen { return "paused" }
        return "running"
    }

    public func state(_ id: String) throws -> ContainerState {
        let record = try store.load(id)
        let status = status(of: record)
        return ContainerState(id: id, status: status, pid: status == "stopped" ? 0 : record.pid,
                              bundle: record.bundle, annotations: record.annotations)
    }

    /// Creates the container: namespaces, cgroup, mounts, and an init process waiting on
    /// the exec FIFO. Returns the init's host pid. On any failure nothing is left behind.
    @discardableResult
    public func create(id: String, options: CreateOptions, bundle parsed: Bundle? = nil) throws -> Int32 {
        try StateStore.validate(id: id)
        let bundle = try parsed ?? Bundle(path: options.bundle)
        guard bundle.spec.process != nil else { throw RuntimeError.invalidBundle("config.json: process: missing required field") }
        guard bundle.has(.mount) else {
            throw RuntimeError.invalidBundle("config.json: linux.namespaces: a mount namespace is required")
        }
        SecurityLabels.warnUnsupported(bundle.spec.process)
        try store.reserve(id)
        let cgroupPath = bundle.spec.linux?.cgroupsPath.flatMap { $0.isEmpty ? nil : $0 } ?? "/berth/\(id)"
        if cgroupPath.contains(":") && !cgroupPath.hasPrefix("/") {
            try? store.remove(id)
            throw RuntimeError.invalidArgument("linux.cgroupsPath: \"\(cgroupPath)\" is a systemd slice; berth-runtime manages cgroupfs paths only")
        }
        var record = ContainerRecord(id: id, bundle: bundle.path, rootfs: bundle.rootfs, pid: nil, pidStartTime: nil,
                                     created: WallClock.rfc3339Nano(), cgroupPath: cgroupPath,
                                     owner: "root", annotations: bundle.spec.annotations)
        let cgroup = Cgroup(path: cgroupPath)
        var pid: Int32 = -1
        do {
            try store.save(record)   // first, so `delete --force` can clean up after a kill -9
            try store.saveConfig(id, bundle.configBytes)
            try cgroup.create()
            try cgroup.apply(CgroupResources(spec: bundle.spec.linux?.resources, defaultDevices: true))
            let fifo = store.fifoPath(id)
            try sys("mkfifo", path: fifo) { mkfifo(fifo, 0o622) }
            try sys("chmod", path: fifo) { chmod(fifo, 0o622) }   // past the umask: any container user writes it
            let fifoFD = try FD.open(fifo, BERTH_O_PATH)
            defer { close(fifoFD) }
            pid = try spawnInit(id: id, bundle: bundle, cgroup: cgroup, fifoFD: fifoFD, options: options) { pid in
                record.pid = pid
                record.pidStartTime = ProcFS.stat(pid)?.startTime
                try store.save(record)
                if let pidFile = options.pidFile {
                    try Files.writeAtomic(Files.absolute(pidFile), Array("\(pid)".utf8))
                }
            }
            return pid
        } catch {
            if pid > 0 { Glibc.kill(pid, SIGKILL) }
            for p in cgroup.pids() { Glibc.kill(p, SIGKILL) }
            try? cgroup.destroy()
            try? store.remove(id)
            throw error
        }
    }

    /// Clones the init into its namespaces and walks it through setup. `recorded` runs
    /// once the init is ready, before it is told it may outlive us.
    func spawnInit(id: String, bundle: Bundle, cgroup: Cgroup, fifoFD: Int32?, options: CreateOptions,
                   recorded: (Int32) throws -> Void) throws -> Int32 {
        let seccomp = try bundle.spec.linux?.seccomp.flatMap { try SeccompProgram.make($0, cacheDir: options.seccompCacheDir) }
        let (parentEnd, childEnd) = try SyncChannel.pair()
        defer { close(parentEnd) }
        var consoleFD: Int32? = nil
        if let path = options.consoleSocket {
            consoleFD = try sys("connect", path: path) { berth_unix_connect(path) }
        }
        defer { if let consoleFD, options.consoleFD == nil { close(consoleFD) } }
        if consoleFD == nil { consoleFD = options.consoleFD }

        var flags: UInt = 0
        var joins: [(type: Spec.NamespaceType, path: String)] = []
        var created = Set<Spec.NamespaceType>()
        for ns in bundle.namespaces {
            if let path = ns.path {
                if ns.type == .pid {
                    // A pid namespace is entered by the children of whoever joins it.
                    let fd = try FD.open(path, O_RDONLY)
                    defer { close(fd) }
                    try sys("setns", path: path) { berth_setns(fd, Int32(BERTH_CLONE_NEWPID)) }
                } else {
                    joins.append((ns.type, path))
                }
            } else {
                // A cgroup namespace is unshared by the init once it is in its cgroup, so
                // the namespace's root is the container's cgroup.
                if ns.type != .cgroup { flags |= Runtime.cloneFlag(ns.type) }
                created.insert(ns.type)
            }
        }
        // The user namespace is joined first, the mount namespace last (runc's order).
        joins.sort { Runtime.joinOrder($0.type) < Runtime.joinOrder($1.type) }
        let ctx = InitContext(id: id, bundle: bundle, cgroup: cgroup, syncFD: childEnd, fifoFD: fifoFD,
                              consoleSocket: consoleFD, noPivot: options.noPivot, preserveFDs: options.preserveFDs,
                              joins: joins, newNamespaces: created,
                              selfAttachCgroup: !created.contains(.user) && !joins.contains { $0.type == .user },
                              seccomp: seccomp, loopbackUp: options.loopbackUp)
        let pid = berth_clone(flags)
        if pid < 0 { close(childEnd); throw SyscallError(syscall: "clone", code: errno) }
        if pid == 0 { ContainerInit.main(ctx) }
        close(childEnd)
        do {
            // The init joins its cgroup itself (cheaper, see Cgroup.addSelf) unless it is
            // already in a new user namespace, where host cgroup files are not its to write.
            if !ctx.selfAttachCgroup { try cgroup.add(pid: pid) }
            if created.contains(.user) { try writeIDMaps(pid: pid, linux: bundle.spec.linux) }
            if let adj = bundle.spec.process?.oomScoreAdj {
                try Files.writeExisting("/proc/\(pid)/oom_score_adj", "\(adj)")
            }
            let channel = SyncChannel(fd: parentEnd)
            try channel.send(.go)
            while true {
                guard let message = try channel.receive() else {
                    throw RuntimeError.system("container init exited during setup (\(Runtime.reap(pid)))")
                }
                switch message {
                case .runCreateRuntimeHooks:
                    let state = ContainerState(id: id, status: "creating", pid: pid, bundle: bundle.path,
                                               annotations: bundle.spec.annotations)
                    try Hooks.run(bundle.spec.hooks?.prestart, "prestart", state: state)
                    try Hooks.run(bundle.spec.hooks?.createRuntime, "createRuntime", state: state)
                    try channel.send(.hooksDone)
                case .created:
                    try recorded(pid)
                    try channel.send(.ack)
                    // The init drops PDEATHSIG and then closes its end: only then may we exit.
                    _ = try? channel.receive()
                    return pid
                case .failed(let failure):
                    _ = Runtime.reap(pid)
                    throw RuntimeError.initFailed(failure)
                case .go, .hooksDone, .ack:
                    throw RuntimeError.system("sync: unexpected message from init")
                }
            }
        } catch {
            Glibc.kill(pid, SIGKILL)
            _ = Runtime.reap(pid)
            throw error
        }
    }

    private func writeIDMaps(pid: Int32, linux: Spec.Linux?) throws {
        func format(_ maps: [Spec.IDMapping]?) -> String {
            (maps ?? []).map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
        }
        try Files.writeExisting("/proc/\(pid)/uid_map", format(linux?.uidMappings))
        try Files.writeExisting("/proc/\(pid)/gid_map", format(linux?.gidMappings))
    }

    /// Waits for a child and describes how it ended.
    static func reap(_ pid: Int32) -> String {
        var status: Int32 = 0
        guard waitpid(pid, &status, 0) == pid else { return "unknown status" }
        if status & 0x7f == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "killed by signal \(status & 0x7f)"
    }

    static func cloneFlag(_ type: Spec.NamespaceType) -> UInt {
        switch type {
        case .pid: UInt(BERTH_CLONE_NEWPID)
        case .network: UInt(BERTH_CLONE_NEWNET)
        case .mount: UInt(BERTH_CLONE_NEWNS)
        case .ipc: UInt(BERTH_CLONE_NEWIPC)
        case .uts: UInt(BERTH_CLONE_NEWUTS)
        case .user: UInt(BERTH_CLONE_NEWUSER)
        case .cgroup: UInt(BERTH_CLONE_NEWCGROUP)
        case .time: 0   // clone(2) cannot take CLONE_NEWTIME; not supported
        }
    }

    static func joinOrder(_ type: Spec.NamespaceType) -> Int {
        switch type {
        case .user: 0
        case .ipc: 1
        case .uts: 2
        case .network: 3
        case .pid: 4
        case .cgroup: 5
        case .time: 6
        case .mount: 7
        }
    }
}
