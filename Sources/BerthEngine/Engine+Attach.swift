#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthRuntime
import BerthSystem

extension Engine {
    /// `POST /containers/{id}/attach`: a connection to the shim that carries the
    /// container's output (multiplexed frames, or raw with a tty) and takes its stdin.
    /// A running container's is made now; a container not yet started is waited for, and
    /// the connection is made at start, before the container runs. Either way the attach is
    /// registered when this returns, so a start the client sends afterwards cannot outrun it.
    public func attach(_ ref: String, stdin: Bool, stdout: Bool, stderr: Bool) throws -> PendingAttach {
        let c = try lookup(ref)
        var request = ShimRequest(op: "attach")
        request.stdin = stdin && (c.config.openStdin ?? false)
        request.stdout = stdout
        request.stderr = stderr
        publish(c, "attach")
        let (stream, connected) = AsyncStream<Int32?>.makeStream()
        if c.state.running {
            do {
                let (_, fd) = try ShimProcess(stateDir: shimDir(c.id)).request(request, keepOpen: true)
                connected.yield(fd)
                connected.finish()
            } catch {
                throw EngineError.conflict("container \(c.id) is not running")
            }
        } else {
            pendingAttach[c.id, default: []].append { shim in
                connected.yield(shim.flatMap { try? $0.request(request, keepOpen: true).1 })
                connected.finish()
            }
        }
        return PendingAttach(stream: stream, connected: c.state.running)
    }

    /// `POST /containers/{id}/resize`.
    public func resize(_ ref: String, height: Int, width: Int) throws {
        let c = try lookup(ref)
        guard c.state.running else { throw EngineError.conflict("Container \(c.id) is not running") }
        var request = ShimRequest(op: "resize")
        request.height = UInt16(clamping: height)
        request.width = UInt16(clamping: width)
        _ = try? ShimProcess(stateDir: shimDir(c.id)).request(request)
    }
}

/// An attach to the shim, made now or at the container's start.
public struct PendingAttach: Sendable {
    let stream: AsyncStream<Int32?>
    /// True when the container was running: the connection is made already.
    public let connected: Bool

    /// The shim connection, once there is one; nil if the container did not start.
    public func connection() async -> Int32? {
        for await fd in stream { return fd }
        return nil
    }
}
