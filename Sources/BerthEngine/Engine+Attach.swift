#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthRuntime
import BerthSystem

extension Engine {
    /// `POST /containers/{id}/attach`: a connection to the shim that carries the
    /// container's output (multiplexed frames, or raw with a tty) and takes its stdin.
    /// Before start it waits, and connects before the container runs.
    public func attach(_ ref: String, stdin: Bool, stdout: Bool, stderr: Bool) async throws -> (fd: Int32, tty: Bool) {
        let c = try lookup(ref)
        var request = ShimRequest(op: "attach")
        request.stdin = stdin && (c.config.openStdin ?? false)
        request.stdout = stdout
        request.stderr = stderr
        let tty = c.config.tty ?? false
        publish(c, "attach")
        if c.state.running {
            do {
                let (_, fd) = try ShimProcess(stateDir: shimDir(c.id)).request(request, keepOpen: true)
                return (fd!, tty)
            } catch {
                throw EngineError.conflict("container \(c.id) is not running")
            }
        }
        let fd: Int32? = await withCheckedContinuation { cont in
            pendingAttach[c.id, default: []].append { shim in
                cont.resume(returning: shim.flatMap { try? $0.request(request, keepOpen: true).1 })
            }
        }
        guard let fd else { throw EngineError.conflict("container \(c.id) did not start") }
        return (fd, tty)
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
