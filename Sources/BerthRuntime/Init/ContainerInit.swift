#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// What the container's init inherits from the runtime across clone.
struct InitContext {
    var id: String
    var bundle: Bundle
    var cgroup: Cgroup
    var syncFD: Int32
    /// O_PATH descriptor of the exec FIFO; nil for `run`'s own start (no wait).
    var fifoFD: Int32?
    var consoleSocket: Int32?
    var noPivot: Bool
    var preserveFDs: Int
    /// Namespaces to join by path, in the order to join them.
    var joins: [(type: Spec.NamespaceType, path: String)]
    var newNamespaces: Set<Spec.NamespaceType>
    /// Whether the init moves itself into its cgroup (see `Cgroup.addSelf`).
    var selfAttachCgroup: Bool
    /// The spec's seccomp filter, compiled by the runtime before the clone.
    var seccomp: SeccompProgram?
    /// Bring up `lo` in a network namespace the container creates (`CreateOptions.loopbackUp`).
    var loopbackUp: Bool
}

/// The container's pid 1 before it becomes the user's program: runs in the new namespaces
/// right after clone, in the single-threaded runtime process.
enum ContainerInit {
    static func main(_ ctx: InitContext) -> Never {
        _ = berth_set_name("berth:[init]")
        let channel = SyncChannel(fd: ctx.syncFD)
        do {
            try run(ctx, channel)
        } catch {
            let failure = error as? ChildFailure ?? ChildFailure(stage: "init", message: "\(error)")
            try? channel.send(.failed(failure))
            _exit(1)
        }
    }

    private static func run(_ ctx: InitContext, _ channel: SyncChannel) throws -> Never {
        let spec = ctx.bundle.spec
        guard let process = spec.process else { throw ChildFailure(stage: "init", message: "config.json: process: missing") }
        // Die with the runtime until it has recorded us.
        _ = berth_prctl(1 /* PR_SET_PDEATHSIG */, UInt(SIGKILL), 0, 0, 0)
        if ctx.selfAttachCgroup { try stage("join cgroup") { try ctx.cgroup.addSelf() } }
        guard case .go = try channel.receive() else { throw ChildFailure(stage: "init", message: "sync: expected go") }

        for join in ctx.joins {
            try stage("join \(join.type.rawValue) namespace") {
                let fd = try FD.open(join.path, O_RDONLY)
                defer { close(fd) }
                try sys("setns", path: join.path) { berth_setns(fd, 0) }
            }
        }
        let userNS = ctx.newNamespaces.contains(.user) || ctx.joins.contains { $0.type == .user }
        if userNS {
            try stage("become root in the user namespace") {
                try sys("setresgid") { berth_setresgid(0, 0, 0) }
                try sys("setresuid") { berth_setresuid(0, 0, 0) }
            }
        }
        if ctx.newNamespaces.contains(.cgroup) {
            try stage("unshare cgroup namespace") { try sys("unshare(CLONE_NEWCGROUP)") { berth_unshare(Int32(BERTH_CLONE_NEWCGROUP)) } }
        }
        try stage("setsid") { _ = setsid() }
        if ctx.loopbackUp && ctx.newNamespaces.contains(.network) {
            try stage("set loopback up") { try sys("ioctl(SIOCSIFFLAGS)", path: "lo") { berth_if_up("lo") } }
        }

        let rootfs = Rootfs(bundle: ctx.bundle, cgroup: ctx.cgroup, userNamespace: userNS,
                            newCgroupNamespace: ctx.newNamespaces.contains(.cgroup))
        try rootfs.prepare()

        let hooks = spec.hooks
        if !(hooks?.prestart ?? []).isEmpty || !(hooks?.createRuntime ?? []).isEmpty {
            try channel.send(.runCreateRuntimeHooks)
            guard case .hooksDone = try channel.receive() else {
                throw ChildFailure(stage: "hooks", message: "sync: expected hooksDone")
            }
        }
        let state = ContainerState(id: ctx.id, status: "creating", pid: getpid(), bundle: ctx.bundle.path,
                                   annotations: spec.annotations)
        try stage("createContainer hooks") { try Hooks.run(hooks?.createContainer, "createContainer", state: state) }

        try rootfs.pivot(noPivot: ctx.noPivot)
        try rootfs.finish()

        if ctx.newNamespaces.contains(.uts) {
            if let h = spec.hostname { try stage("sethostname") { try sys("sethostname") { berth_sethostname(h, h.utf8.count) } } }
            if let d = spec.domainname { try stage("setdomainname") { try sys("setdomainname") { berth_setdomainname(d, d.utf8.count) } } }
        }
        if let p = spec.linux?.personality {
            try stage("personality") {
                let persona: UInt = p.domain == "LINUX32" ? 0x0008 : 0
                try sys("personality") { berth_personality(persona) }
            }
        }
        if process.terminal == true, let socket = ctx.consoleSocket {
            try stage("console") { try Console.setup(socket: socket, size: process.consoleSize, bindConsole: true) }
            close(socket)
        }
        let setup = ProcessSetup(process: process, seccomp: spec.linux?.seccomp, program: ctx.seccomp)
        try setup.applyRlimits()
        try stage("chdir") {
            try Files.mkdirAll(process.cwd)
            try sys("chdir", path: process.cwd) { chdir(process.cwd) }
        }
        try setup.finalize()
        let program = try setup.lookPath()

        try channel.send(.created)
        guard case .ack = try channel.receive() else { throw ChildFailure(stage: "init", message: "sync: expected ack") }
        _ = berth_prctl(1, 0, 0, 0, 0)
        close(ctx.syncFD)

        if let fifo = ctx.fifoFD {
            // Blocks until `start` opens the FIFO for reading (runc's exec.fifo). After a
            // switch to another user the process is not dumpable and /proc/self/fd belongs
            // to root; the exec below resets dumpability from the program anyway.
            _ = berth_prctl(4 /* PR_SET_DUMPABLE */, 1, 0, 0, 0)
            let w = open("/proc/self/fd/\(fifo)", O_WRONLY | O_CLOEXEC)
            if w < 0 { fatal("open exec fifo: \(String(cString: strerror(errno)))") }
            _ = write(w, "0", 1)
            close(w)
            close(fifo)
        }
        var started = state
        started.status = "running"
        do { try Hooks.run(hooks?.startContainer, "startContainer", state: started) } catch { fatal("\(error)") }
        do { try setup.lateSeccomp() } catch { fatal("\(error)") }
        setup.exec(program, preserveFDs: ctx.preserveFDs)
    }

    /// After the runtime has gone there is nobody to report to but stderr.
    static func fatal(_ message: String) -> Never {
        let line = "berth-runtime: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        _exit(127)
    }
}
