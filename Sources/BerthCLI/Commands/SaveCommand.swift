import BerthClient

extension Command {
    /// `berth save` = `berth image save`: `GET /images/get?names=A&names=B&platform=`, a
    /// tar stream to `-o FILE` or stdout.
    static var save: Command {
        Command(
            name: "save", usage: "[OPTIONS] IMAGE [IMAGE...]", summary: "Save one or more images to a tar archive (streamed to STDOUT by default)",
            flags: [
                .string("output", short: "o", usage: "Write to a file, instead of STDOUT"),
                .string("platform", usage: "Save only the given platform variant. Formatted as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")"),
            ],
            arguments: .atLeast(1),
            run: { invocation in
                if invocation.flags.string("output") == nil && invocation.out.isTerminal && invocation.out.fd != nil {
                    throw CLIError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
                }
                var query = invocation.arguments.map { ("names", $0) }
                if let platform = invocation.flags.string("platform") { query.append(("platform", platform)) }
                let stream = try invocation.client().stream(ClientRequest("GET", "/images/get", query: query))
                try copyArchive(stream, to: invocation.flags.string("output"), invocation: invocation)
                return 0
            })
    }
}
