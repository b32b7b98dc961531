#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthOCI
import BerthRuntime
import BerthSystem

/// `POST /containers/{id}/exec`'s body, with Docker's field names.
public struct ExecCreateRequest: Codable, Sendable {
    public var attachStdin: Bool?
    public var attachStdout: Bool?
    public var attachStderr: Bool?
    public var tty: Bool?
    public var env: [String]?
    public var cmd: [String]?
    public var user: String?
    public var workingDir: String?
    public var privileged: Bool?
    enum CodingKeys: String, CodingKey {
        case attachStdin = "AttachStdin", attachStdout = "AttachStdout", attachStderr = "AttachStderr", tty = "Tty"
        case env = "Env", cmd = "Cmd", user = "User", workingDir = "WorkingDir", privileged = "Privileged"
    }
}

/// An exec instance: created, then started once through the container's shim.
public struct ExecInstance: Sendable {
    public var id: String
    public var containerID: String
    public var request: ExecCreateRequest
    public var pid: Int32 = 0
    public var running = false
    public var exitCode: Int32?
}

extension Engine {
    /// `POST /containers/{id}/exec`.
    public func createExec(_ ref: String, _ request: ExecCreateRequest) throws -> String {
        let c = try lookup(ref)
        if c.state.status == "restarting" {
            throw EngineError.conflict("Container \(c.id) is restarting, wait until the container is running")
        }
        guard c.state.status == "running" else { throw EngineError.conflict("Container \(c.id) is not running") }
        guard let cmd = request.cmd, !cmd.isEmpty else { throw EngineError.invalidArgument("No exec command specified") }
        let id = Engine.newID()
        execs[id] = ExecInstance(id: id, containerID: c.id, request: request)
        publish(c, "exec_create: " + cmd.joined(separator: " "), ["execID": id])
        return id
    }

    public func execInstance(_ id: String) throws -> ExecInstance {
        guard var e = execs[id] else { throw EngineError.notFound("No such exec instance: \(id)") }
        if e.running, let (s, _) = try? ShimProcess(stateDir: shimDir(e.containerID))
            .request(ShimRequest(op: "exec-status", signal: e.pid)), s.status == "stopped" {
            e.running = false
            e.exitCode = s.exitCode
            execs[id] = e
        }
        return e
    }

    /// `POST /exec/{id}/start`: the process from the container's own settings with the
    /// exec's overrides; returns the shim connection that streams it.
    public func startExec(_ id: String) throws -> (fd: Int32, tty: Bool) {
        guard var e = execs[id] else { throw EngineError.notFound("No such exec instance: \(id)") }
        guard e.pid == 0 else { throw EngineError.conflict("Exec instance \(id) has already been started") }
        let c = try lookup(e.containerID)
        let spec = try OCIJSON.decode(Spec.self, from: try Files.read(containerDir(c.id) + "/config.json"))
        guard var process = spec.process else { throw EngineError.internalError("container \(c.id) has no process") }
        let r = e.request
        process.args = r.cmd
        process.terminal = r.tty ?? false
        process.consoleSize = nil
        var env = process.env ?? []
        for entry in r.env ?? [] {
            let key = entry.prefix { $0 != "=" }
            env.removeAll { $0.prefix { $0 != "=" } == key }
            env.append(entry)
        }
        process.env = env
        if let wd = r.workingDir, !wd.isEmpty { process.cwd = wd }
        if let user = r.user, !user.isEmpty {
            var probe = c
            probe.config.user = user
            do {
                process.user = try SpecBuilder(container: probe, image: nil, rootfs: containerDir(c.id) + "/rootfs",
                                               containerDir: containerDir(c.id)).resolveUser()
            } catch let err as EngineErrorLike { throw EngineError.invalidArgument(err.description) }
        }
        if r.privileged == true {
            let all = Capabilities.available
            process.capabilities = .init(bounding: all, effective: all, permitted: all)
        }
        var request = ShimRequest(op: "exec")
        request.process = process
        request.stdin = r.attachStdin ?? false
        let (status, fd) = try ShimProcess(stateDir: shimDir(c.id)).request(request, keepOpen: true)
        if let error = status.error {
            if let fd { close(fd) }
            // As Docker: the exec ends with 127 (not found) or 126 (cannot run), and the
            // client is told through the stream.
            let notFound = error.includes("executable file not found") || error.includes("no such file")
            e.pid = -1
            e.exitCode = notFound ? 127 : 126
            execs[id] = e
            throw ExecStartFailure(message: "OCI runtime exec failed: exec failed: unable to start container process: \(error)",
                                   tty: process.terminal ?? false)
        }
        e.pid = status.pid
        e.running = true
        execs[id] = e
        publish(c, "exec_start: " + (r.cmd ?? []).joined(separator: " "), ["execID": id])
        return (fd!, process.terminal ?? false)
    }

    /// `POST /exec/{id}/resize`.
    public func resizeExec(_ id: String, height: Int, width: Int) throws {
        guard let e = execs[id] else { throw EngineError.notFound("No such exec instance: \(id)") }
        var request = ShimRequest(op: "resize", signal: e.pid)
        request.height = UInt16(clamping: height)
        request.width = UInt16(clamping: width)
        _ = try? ShimProcess(stateDir: shimDir(e.containerID)).request(request)
    }
}

/// An exec whose process could not start; the API writes the message into the stream.
public struct ExecStartFailure: Error, Sendable {
    public var message: String
    public var tty: Bool
}
