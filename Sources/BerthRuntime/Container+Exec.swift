#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// Options of `exec`.
public struct ExecOptions: Sendable {
    public var process: Spec.Process
    public var detach = false
    public var pidFile: String?
    public var consoleSocket: String?
    /// An already connected console socket (berth-shim's own pair).
    public var consoleFD: Int32?
    public var preserveFDs = 0
    public init(process: Spec.Process) { self.process = process }
}

extension Runtime {
    /// The container's own process settings, for `exec` with plain arguments.
    public func defaultProcess(_ id: String) throws -> Spec.Process {
        guard var p = try store.spec(id).process else { throw RuntimeError.invalidState("container \(id) has no process") }
        p.terminal = false
        p.consoleSize = nil
        return p
    }

    /// Runs a new process in a running container's namespaces and cgroup, with its
    /// seccomp filter. Returns its exit code, or 0 at once with `detach`.
    public func exec(_ id: String, options: ExecOptions) throws -> Int32 {
        var proxy: TerminalProxy? = nil
        var opts = options
        if options.process.terminal == true && options.consoleSocket == nil && options.consoleFD == nil {
            let (ours, theirs) = try SyncChannel.pair()
            opts.consoleFD = theirs
            proxy = TerminalProxy(socket: ours)
        }
        let pid = try spawnExec(id, options: opts)
        if let fd = opts.consoleFD, options.consoleFD == nil { close(fd) }
        if options.detach { return 0 }
        Runtime.forwardSignals(to: pid)
        if let proxy { TerminalProxy.pump(master: try proxy.receiveMaster(), child: pid) }
        return Runtime.waitExitCode(pid)
    }

    /// Starts the process and returns its host pid once it has exec'd; it is our child.
    public func spawnExec(_ id: String, options: ExecOptions) throws -> Int32 {
        let record = try store.load(id)
        let status = status(of: record)
        guard status == "running", let target = record.pid else {
            throw RuntimeError.invalidState("cannot exec in a \(status) container")
        }
        let seccomp = try store.spec(id).linux?.seccomp
        SecurityLabels.warnUnsupported(options.process)
        let joins = try Runtime.namespacesToJoin(of: target)
        for (type, fd) in joins where type == .pid {
            try sys("setns", path: "/proc/\(target)/ns/pid") { berth_setns(fd, Int32(BERTH_CLONE_NEWPID)) }
        }
        var consoleFD: Int32? = options.consoleFD
        var connected = false
        if options.process.terminal == true, consoleFD == nil, let path = options.consoleSocket {
            consoleFD = try sys("connect", path: path) { berth_unix_connect(path) }
            connected = true
        }
        let (parentEnd, childEnd) = try SyncChannel.pair()
        let pid = berth_clone(0)
        if pid < 0 { throw SyscallError(syscall: "clone", code: errno) }
        if pid == 0 {
            ExecInit.main(process: options.process, seccomp: seccomp, joins: joins,
                          cgroup: Cgroup(path: record.cgroupPath),
                          syncFD: childEnd, consoleFD: consoleFD, preserveFDs: options.preserveFDs)
        }
        close(childEnd)
        for (_, fd) in joins { close(fd) }
        if let consoleFD, connected { close(consoleFD) }
        let channel = SyncChannel(fd: parentEnd)
        defer { close(parentEnd) }
        do {
            try channel.send(.go)
            switch try channel.receive() {
            case .created: break
            case .failed(let f): throw RuntimeError.initFailed(f)
            default: throw RuntimeError.system("exec process exited during setup (\(Runtime.reap(pid)))")
            }
            if let pidFile = options.pidFile { try Files.writeAtomic(Files.absolute(pidFile), Array("\(pid)".utf8)) }
            try channel.send(.ack)
            // EOF once the process has dropped PDEATHSIG and exec'd (the socket is close-on-exec).
            _ = try? channel.receive()
        } catch {
            Glibc.kill(pid, SIGKILL)
            _ = Runtime.reap(pid)
            throw error
        }
        return pid
    }

    /// Open descriptors of the target's namespaces that differ from ours; the user
    /// namespace first and the mount namespace last.
    static func namespacesToJoin(of pid: Int32) throws -> [(Spec.NamespaceType, Int32)] {
        let order: [(Spec.NamespaceType, String)] = [(.user, "user"), (.ipc, "ipc"), (.uts, "uts"), (.network, "net"),
                                                     (.pid, "pid"), (.cgroup, "cgroup"), (.mount, "mnt")]
        var out: [(Spec.NamespaceType, Int32)] = []
        for (type, name) in order {
            var mine = stat(), theirs = stat()
            let path = "/proc/\(pid)/ns/\(name)"
            guard stat(path, &theirs) == 0 else { continue }
            if stat("/proc/self/ns/\(name)", &mine) == 0 && mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev {
                continue
            }
            out.append((type, try FD.open(path, O_RDONLY)))
        }
        return out
    }
}

/// The child side of `exec`: enter the namespaces, become the process, exec.
enum ExecInit {
    static func main(process: Spec.Process, seccomp: Spec.Seccomp?, joins: [(Spec.NamespaceType, Int32)],
                     cgroup: Cgroup, syncFD: Int32, consoleFD: Int32?, preserveFDs: Int) -> Never {
        let channel = SyncChannel(fd: syncFD)
        do {
            _ = berth_prctl(1, UInt(SIGKILL), 0, 0, 0)
            // Still in the host's mount namespace: join the container's cgroup first.
            try stage("join cgroup") { try cgroup.addSelf() }
            guard case .go = try channel.receive() else { throw ChildFailure(stage: "exec", message: "sync: expected go") }
            for (type, fd) in joins where type != .pid {
                try stage("join \(type.rawValue) namespace") { try sys("setns") { berth_setns(fd, 0) } }
                close(fd)
            }
            _ = setsid()
            if let consoleFD {
                try stage("console") { try Console.setup(socket: consoleFD, size: process.consoleSize, bindConsole: false) }
                close(consoleFD)
            }
            let setup = ProcessSetup(process: process, seccomp: seccomp)
            try setup.applyRlimits()
            try stage("chdir") { try sys("chdir", path: process.cwd) { chdir(process.cwd) } }
            try setup.finalize()
            let program = try setup.lookPath()
            try channel.send(.created)
            guard case .ack = try channel.receive() else { throw ChildFailure(stage: "exec", message: "sync: expected ack") }
            _ = berth_prctl(1, 0, 0, 0, 0)
            do { try setup.lateSeccomp() } catch { ContainerInit.fatal("\(error)") }
            setup.exec(program, preserveFDs: preserveFDs)
        } catch {
            let failure = error as? ChildFailure ?? ChildFailure(stage: "exec", message: "\(error)")
            try? channel.send(.failed(failure))
            _exit(1)
        }
    }
}
