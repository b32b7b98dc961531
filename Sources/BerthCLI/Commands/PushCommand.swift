import BerthAPIModels
import BerthClient
import BerthOCI

extension Command {
    /// `berth push` = `berth image push`: `POST /images/{name}/push?tag=&platform=` with
    /// `X-Registry-Auth`, the progress stream rendered.
    static var push: Command {
        Command(
            name: "push", usage: "[OPTIONS] NAME[:TAG]", summary: "Upload an image to a registry",
            flags: [
                .bool("all-tags", short: "a", usage: "Push all tags of an image to the repository"),
                .bool("disable-content-trust", usage: "Skip image signing (default true)"),
                .string("platform", usage: "Push a platform-specific manifest as a single-platform image to the registry.\nImage index won't be pushed, meaning that other manifests, including attestations won't be preserved.\n'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)"),
                .bool("quiet", short: "q", usage: "Suppress verbose output"),
            ],
            arguments: .exactly(1),
            run: { invocation in
                let flags = invocation.flags
                var reference: Reference
                do { reference = try Reference(parsing: invocation.arguments[0]) } catch { throw CLIError("invalid reference format") }
                if flags.bool("all-tags") {
                    if reference.tag != nil { throw CLIError("tag can't be used with --all-tags/-a") }
                } else if reference.tag == nil && reference.digest == nil {
                    reference = reference.withDefaultTag()
                    if !flags.bool("quiet") { invocation.out.line("Using default tag: latest") }
                }
                var query: [(String, String)] = []
                if !flags.bool("all-tags"), let tag = reference.tag { query.append(("tag", tag)) }
                if let platform = flags.string("platform") { query.append(("platform", platform)) }
                let request = ClientRequest("POST", "/images/\(reference.name)/push", query: query,
                                            headers: [ClientConfig.registryAuthHeader(for: reference.name, invocation)])
                let stream = try invocation.client().stream(request)
                var renderer = ProgressRenderer(out: flags.bool("quiet") ? Output() : invocation.out)
                try renderer.consume(stream)
                if flags.bool("quiet") { invocation.out.line(reference.description) }
                return 0
            })
    }
}
