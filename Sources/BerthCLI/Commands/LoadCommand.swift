#if canImport(Glibc)
#endif
import BerthClient
import BerthSystem
import Glibc

extension Command {
    /// `berth load` = `berth image load`: `POST /images/load?quiet=1&platform=` with the
    /// tar archive as the body (streamed), the JSON messages rendered.
    static var load: Command {
        Command(
            name: "load", summary: "Load an image from a tar archive or STDIN",
            flags: [
                .string("input", short: "i", usage: "Read from tar archive file, instead of STDIN"),
                .string("platform", usage: "Load only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")"),
                .bool("quiet", short: "q", usage: "Suppress the load output"),
            ],
            run: { invocation in
                let input = invocation.flags.string("input")
                let fd = try openInput(input)
                defer { if fd != 0 { close(fd) } }
                if input == nil && Terminal.isTerminal(0) {
                    throw CLIError("requested load from stdin, but stdin is empty")
                }
                var query: [(String, String)] = []
                let quiet = invocation.flags.bool("quiet") || !invocation.out.isTerminal
                if quiet { query.append(("quiet", "1")) }
                if let platform = invocation.flags.string("platform") { query.append(("platform", platform)) }
                let stream = try invocation.client().upload(
                    ClientRequest("POST", "/images/load", query: query, headers: [("Content-Type", "application/x-tar")]), from: fd)
                if stream.head.headers["Content-Type"]?.includes("json") == true {
                    var renderer = ProgressRenderer(out: invocation.out)
                    try renderer.consume(stream)
                } else {
                    while let bytes = try stream.next() { invocation.out.write(bytes: bytes) }
                }
                return 0
            })
    }
}

/// A file to read a body from, or stdin (0) for nil or `-`.
func openInput(_ path: String?) throws -> Int32 {
    guard let path, path != "-" else { return 0 }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CLIError("open \(path): \(String(cString: strerror(errno)).lowercased())") }
    return fd
}
