import BerthAPIModels
import BerthClient
import BerthFlags

extension Command {
    /// `berth version`: client and server versions in Docker's layout.
    static var version: Command {
        Command(
            name: "version", summary: "Show the Berth version information",
            flags: [formatFlag(jsonHelp: true)],
            run: { invocation in try runVersion(invocation) })
    }

    /// `-f, --format`, with Docker's help text.
    static func formatFlag(jsonHelp: Bool) -> FlagSpec {
        .string("format", short: "f", usage: """
            Format output using a custom template:
            'json':             Print in JSON format
            'TEMPLATE':         Print output using the given Go template.
            Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates
            """)
    }
}

/// The default layout: two indentation levels, aligned by the key-value tab writer.
private let versionTemplate = """
    Client:{{with .Client.Platform.Name}} {{.}}{{end}}
     Version:\t{{.Client.Version}}
     API version:\t{{.Client.ApiVersion}}{{if ne .Client.ApiVersion .Client.DefaultAPIVersion}} (downgraded from {{.Client.DefaultAPIVersion}}){{end}}
     Go version:\t{{.Client.GoVersion}}
     Git commit:\t{{.Client.GitCommit}}
     Built:\t{{.Client.BuildTime}}
     OS/Arch:\t{{.Client.Os}}/{{.Client.Arch}}
     Context:\t{{.Client.Context}}
    {{- with .Server}}

    Server:{{with .Platform.Name}} {{.}}{{end}}
    {{- range .Components}}
     {{.Name}}:
      Version:\t{{.Version}}
    {{- if eq .Name "Engine"}}
      API version:\t{{.Details.ApiVersion}} (minimum version {{.Details.MinAPIVersion}})
      Go version:\t{{.Details.GoVersion}}
      Git commit:\t{{.Details.GitCommit}}
      Built:\t{{.Details.BuildTime}}
      OS/Arch:\t{{.Details.Os}}/{{.Details.Arch}}
      Experimental:\t{{.Details.Experimental}}
    {{- else}}
    {{- range $key, $value := .Details}}
      {{$key}}:\t{{$value}}
    {{- end}}
    {{- end}}
    {{- end}}
    {{- end}}
    """

private func runVersion(_ invocation: Invocation) throws -> Int32 {
    let client = try invocation.client()
    var server: JSONValue = .null
    var serverError: (any Error)?
    do {
        server = try client.getJSON("/version")
    } catch {
        serverError = error
    }
    let clientInfo: JSONValue = [
        "Platform": ["Name": ""],
        "Version": .string(ClientInfo.version),
        "ApiVersion": .string(client.version.description),
        "DefaultAPIVersion": .string(APIVersion.current.description),
        "GitCommit": .string(ClientInfo.gitCommit),
        "GoVersion": .string(BerthVersionInfo.compilerVersion),
        "Os": "linux",
        "Arch": .string(ClientInfo.arch),
        "BuildTime": "",
        "Context": "default",
    ]
    let data: JSONValue = ["Client": clientInfo, "Server": server]
    let format = invocation.flags.string("format") ?? ""
    if format.isEmpty {
        invocation.out.line(TabWriter.keyValue.format(try renderFormat(versionTemplate, data)))
    } else {
        invocation.out.line(try renderFormat(format, data))
    }
    if let serverError { throw serverError }
    return 0
}

/// A `--format` value applied to one value, as `version` and `info` take it (`json` is
/// `{{json .}}`); a bad template is Docker's "template parsing error".
func renderFormat(_ format: String, _ data: JSONValue) throws(CLIError) -> String {
    do {
        return try GoTemplate(format == "json" ? "{{json .}}" : format).execute(data)
    } catch {
        throw CLIError("template parsing error: \(error)", status: 64)
    }
}
