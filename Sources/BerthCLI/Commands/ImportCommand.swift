#if canImport(Glibc)
import Glibc
#endif
import BerthClient
import BerthOCI

extension Command {
    /// `berth import` = `berth image import`:
    /// `POST /images/create?fromSrc=-|URL&repo=&tag=&message=&changes=&platform=`, the
    /// archive as the body for a file or `-`.
    static var importImage: Command {
        Command(
            name: "import", usage: "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]", summary: "Import the contents from a tarball to create a filesystem image",
            flags: [
                .list("change", short: "c", usage: "Apply Dockerfile instruction to the created image"),
                .string("message", short: "m", usage: "Set commit message for imported image"),
                .string("platform", usage: "Set platform if server is multi-platform capable"),
            ],
            arguments: .between(1, 2),
            run: { invocation in
                let source = invocation.arguments[0]
                let repository = invocation.arguments.count > 1 ? invocation.arguments[1] : ""
                if !repository.isEmpty {
                    do { _ = try Reference(parsing: repository) } catch { throw CLIError("invalid reference format") }
                }
                let isURL = source.hasPrefix("http://") || source.hasPrefix("https://")
                var query: [(String, String)] = [("fromSrc", isURL ? source : "-"), ("repo", repository), ("tag", "")]
                query.append(("message", invocation.flags.string("message") ?? ""))
                for change in invocation.flags.list("change") { query.append(("changes", change)) }
                if let platform = invocation.flags.string("platform") { query.append(("platform", platform)) }
                let client = try invocation.client()
                let stream: ResponseStream
                if isURL {
                    stream = try client.stream(ClientRequest("POST", "/images/create", query: query))
                } else {
                    let fd = try openInput(source)
                    defer { if fd != 0 { close(fd) } }
                    stream = try client.upload(ClientRequest("POST", "/images/create", query: query, headers: [("Content-Type", "application/x-tar")]), from: fd)
                }
                var renderer = ProgressRenderer(out: invocation.out)
                try renderer.consume(stream)
                return 0
            })
    }
}
