import BerthAPIModels
import BerthClient
import BerthOCI

extension Command {
    /// `berth pull` = `berth image pull`:
    /// `POST /images/create?fromImage=NAME&tag=TAG&platform=` with `X-Registry-Auth`,
    /// the progress stream rendered, then the full reference.
    static var pull: Command {
        Command(
            name: "pull", usage: "[OPTIONS] NAME[:TAG|@DIGEST]", summary: "Download an image from a registry",
            flags: [
                .bool("all-tags", short: "a", usage: "Download all tagged images in the repository"),
                .bool("disable-content-trust", usage: "Skip image verification (default true)"),
                .string("platform", usage: "Set platform if server is multi-platform capable"),
                .bool("quiet", short: "q", usage: "Suppress verbose output"),
            ],
            arguments: .exactly(1),
            run: { invocation in
                let flags = invocation.flags
                let text = invocation.arguments[0]
                var reference: Reference
                do { reference = try Reference(parsing: text) } catch { throw CLIError("invalid reference format") }
                if flags.bool("all-tags") {
                    if reference.tag != nil || reference.digest != nil { throw CLIError("tag can't be used with --all-tags/-a") }
                } else if reference.tag == nil && reference.digest == nil {
                    reference = reference.withDefaultTag()
                    if !flags.bool("quiet") { invocation.out.line("Using default tag: latest") }
                }
                try pullImage(invocation, reference.description, platform: flags.string("platform"),
                              quiet: flags.bool("quiet"), out: invocation.out, allTags: flags.bool("all-tags"))
                invocation.out.line(flags.bool("all-tags") ? reference.name : reference.description)
                return 0
            })
    }
}

/// Pulls `image`, rendering the progress to `out` unless `quiet`.
func pullImage(_ invocation: Invocation, _ image: String, platform: String?, quiet: Bool, out: Output, allTags: Bool = false) throws {
    let reference: Reference
    do { reference = try Reference(parsing: image) } catch { throw CLIError("invalid reference format") }
    var query: [(String, String)] = [("fromImage", reference.name)]
    if !allTags {
        query.append(("tag", reference.digest?.description ?? reference.tag ?? Reference.defaultTag))
    }
    if let platform, !platform.isEmpty { query.append(("platform", platform)) }
    let request = ClientRequest("POST", "/images/create", query: query,
                                headers: [ClientConfig.registryAuthHeader(for: image, invocation)])
    let stream = try invocation.client().stream(request)
    var renderer = ProgressRenderer(out: quiet ? Output() : out)
    try renderer.consume(stream)
}
