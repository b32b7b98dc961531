#if canImport(Glibc)
import Glibc
#endif
import BerthClient

extension Command {
    /// `berth export` = `berth container export`: `GET /containers/{id}/export`, a tar
    /// stream to `-o FILE` or stdout.
    static var export: Command {
        Command(
            name: "export", usage: "[OPTIONS] CONTAINER", summary: "Export a container's filesystem as a tar archive",
            flags: [.string("output", short: "o", usage: "Write to a file, instead of STDOUT")],
            arguments: .exactly(1),
            run: { invocation in
                let stream = try invocation.client().stream(ClientRequest("GET", "/containers/\(pathComponent(invocation.arguments[0]))/export"))
                try copyArchive(stream, to: invocation.flags.string("output"), invocation: invocation)
                return 0
            })
    }
}

/// Writes an archive response to `path`, or to stdout unless it is a terminal (Docker
/// refuses to write binary there).
func copyArchive(_ stream: ResponseStream, to path: String?, invocation: Invocation) throws {
    let out: Output
    var fd: Int32 = -1
    if let path, !path.isEmpty {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("failed to save to \(path): \(String(cString: strerror(errno)))") }
        out = Output(fd: fd)
    } else {
        if invocation.out.isTerminal && invocation.out.fd != nil {
            throw CLIError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
        }
        out = invocation.out
    }
    defer { if fd >= 0 { close(fd) } }
    while let bytes = try stream.next() { out.write(bytes: bytes) }
}
