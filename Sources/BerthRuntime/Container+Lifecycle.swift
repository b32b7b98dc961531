#if canImport(Glibc)
import Glibc
#endif
import BerthJSON
import BerthOCI
import BerthSystem
import CBerth

extension Runtime {
    /// Releases a created container's init to run the user program, then runs the
    /// poststart hooks.
    public func start(_ id: String, spec known: Spec? = nil) throws {
        let record = try store.load(id)
        let status = status(of: record)
        guard status == "created", let pid = record.pid else {
            throw RuntimeError.invalidState("cannot start a container that is \(status)")
        }
        let fifo = store.fifoPath(id)
        let fd = try FD.open(fifo, O_RDONLY | O_NONBLOCK)
        defer { close(fd) }
        // The init opens the FIFO for writing and writes one byte; wait for it while
        // checking that the init is still alive.
        var byte: UInt8 = 0
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, 50)
            if r > 0 {
                let n = read(fd, &byte, 1)
                if n == 1 { break }
            }
            if !ProcFS.isAlive(pid, startTime: record.pidStartTime) {
                throw RuntimeError.invalidState("container init exited before start")
            }
        }
        unlink(fifo)
        let hooks = try (known ?? store.spec(id)).hooks?.poststart
        guard let hooks, !hooks.isEmpty else { return }
        let state = ContainerState(id: id, status: "running", pid: pid, bundle: record.bundle,
                                   annotations: record.annotations)
        do { try Hooks.run(hooks, "poststart", state: state) } catch {
            // The spec: a failing poststart hook is logged; the container keeps running.
            Log.warn("\(error)")
        }
    }

    /// Sends a signal to the init, or with `all` to every process in the cgroup.
    public func kill(_ id: String, signal: Int32, all: Bool = false) throws {
        let record = try store.load(id)
        let status = status(of: record)
        guard status != "stopped", let pid = record.pid else { throw RuntimeError.invalidState("container not running") }
        if all {
            for p in Cgroup(path: record.cgroupPath).pids() { Glibc.kill(p, signal) }
            return
        }
        try sys("kill", path: "pid \(pid)") { Glibc.kill(pid, signal) }
    }

    /// Removes a container: its processes (with `force`, or when only created), cgroup and
    /// state directory; then runs the poststop hooks.
    public func delete(_ id: String, force: Bool, spec known: Spec? = nil) throws {
        try StateStore.validate(id: id)
        guard Files.exists(store.dir(id)) else { throw RuntimeError.notFound(id) }
        guard let record = try? store.load(id) else {
            // A create that was killed before it wrote its state: nothing ran yet.
            guard force else { throw RuntimeError.invalidState("container \(id) is incomplete; use --force") }
            try store.remove(id)
            return
        }
        let status = status(of: record)
        if status == "running" || status == "paused" {
            guard force else {
                throw RuntimeError.invalidState("cannot delete container \(id) that is not stopped: \(status)")
            }
        }
        let cgroup = Cgroup(path: record.cgroupPath)
        if status == "paused" { try? cgroup.setFrozen(false) }
        if let pid = record.pid, status != "stopped" { Glibc.kill(pid, SIGKILL) }
        for p in cgroup.pids() { Glibc.kill(p, SIGKILL) }
        if let pid = record.pid { waitGone(pid, startTime: record.pidStartTime) }
        try cgroup.destroy()
        let hooks = (known ?? (try? store.spec(id)))?.hooks?.poststop
        try store.remove(id)
        guard let hooks, !hooks.isEmpty else { return }
        let state = ContainerState(id: id, status: "stopped", pid: record.pid, bundle: record.bundle,
                                   annotations: record.annotations)
        do { try Hooks.run(hooks, "poststop", state: state) } catch { Log.warn("\(error)") }
    }

    /// Waits up to 10 s for a process that is not our child to exit.
    func waitGone(_ pid: Int32, startTime: UInt64?) {
        var tries = 0
        while tries < 2000 && ProcFS.isAlive(pid, startTime: startTime) {
            usleep(5000)
            tries += 1
        }
    }

    public func pause(_ id: String) throws {
        let record = try store.load(id)
        let status = status(of: record)
        guard status == "running" else { throw RuntimeError.invalidState("container not running") }
        try Cgroup(path: record.cgroupPath).setFrozen(true)
    }

    public func resume(_ id: String) throws {
        let record = try store.load(id)
        guard status(of: record) == "paused" else { throw RuntimeError.invalidState("container not paused") }
        try Cgroup(path: record.cgroupPath).setFrozen(false)
    }

    /// Changes the cgroup limits of a container.
    public func update(_ id: String, resources: Spec.Resources) throws {
        let record = try store.load(id)
        guard status(of: record) != "stopped" else { throw RuntimeError.invalidState("container not running") }
        try Cgroup(path: record.cgroupPath).apply(CgroupResources(spec: resources, defaultDevices: false))
        var spec = try store.spec(id)
        var linux = spec.linux ?? Spec.Linux()
        var merged = linux.resources ?? Spec.Resources()
        if resources.memory != nil { merged.memory = resources.memory }
        if resources.cpu != nil { merged.cpu = resources.cpu }
        if resources.pids != nil { merged.pids = resources.pids }
        if resources.blockIO != nil { merged.blockIO = resources.blockIO }
        linux.resources = merged
        spec.linux = linux
        try store.saveConfig(id, try OCIJSON.encode(spec))
    }

    /// The host pids of the container's processes.
    public func pids(_ id: String) throws -> [Int32] {
        let record = try store.load(id)
        return Cgroup(path: record.cgroupPath).pids().sorted()
    }
}

/// The runtime's log: `--log` file, plain or in the JSON lines containerd and podman read.
public enum Log {
    nonisolated(unsafe) public static var path: String? = nil
    nonisolated(unsafe) public static var json = false
    nonisolated(unsafe) public static var debugEnabled = false

    public static func error(_ message: String) { write("error", message) }
    public static func warn(_ message: String) { write("warning", message) }
    public static func debug(_ message: String) { if debugEnabled { write("debug", message) } }

    static func write(_ level: String, _ message: String) {
        let time = WallClock.rfc3339Nano()
        let line: String
        if json {
            line = "{\"level\":\"\(level)\",\"msg\":\(jsonString(message)),\"time\":\"\(time)\"}\n"
        } else {
            line = "time=\"\(time)\" level=\(level) msg=\(jsonString(message))\n"
        }
        if let path {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd >= 0 {
                _ = line.withCString { Glibc.write(fd, $0, strlen($0)) }
                close(fd)
                return
            }
        }
        if level != "error" || path == nil {
            let l = level == "error" ? message + "\n" : line
            _ = l.withCString { Glibc.write(2, $0, strlen($0)) }
        }
    }

    /// A JSON string literal.
    public static func jsonString(_ s: String) -> String {
        String(decoding: JSONValue.string(s).serialized(), as: UTF8.self)
    }
}
