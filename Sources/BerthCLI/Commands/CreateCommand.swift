import BerthAPIModels
import BerthClient
import BerthOCI
import BerthSystem

extension Command {
    /// `berth create` = `berth container create`: `POST /containers/create?name=&platform=`
    /// with the body `ContainerSpec` builds, pulling the image first when it is missing.
    static var create: Command {
        Command(
            name: "create", usage: "[OPTIONS] IMAGE [COMMAND] [ARG...]", summary: "Create a new container",
            flags: RunFlags.create, arguments: .atLeast(1), interspersed: false,
            run: { invocation in
                let spec = try ContainerSpec(
                    flags: invocation.flags, environment: invocation.environment,
                    consoleSize: invocation.flags.bool("tty") && invocation.out.isTerminal ? Terminal.size(1) : nil,
                    readFile: readTextFile)
                do {
                    let id = try createContainer(invocation, spec)
                    invocation.out.line(id)
                } catch {
                    throw CLIError(errorText(error), status: 125)
                }
                return 0
            })
    }
}

/// Creates the container and returns its ID, following `--pull`: `missing` pulls when
/// the daemon says the image is missing ("Unable to find image ... locally"), `always`
/// pulls first, `never` does not. Warnings go to stderr; `--cidfile` gets the ID.
func createContainer(_ invocation: Invocation, _ spec: ContainerSpec) throws -> String {
    let client = try invocation.client()
    let policy = invocation.flags.string("pull") ?? "missing"
    guard ["always", "missing", "never"].contains(policy) else {
        throw CLIError("invalid pull option: '\(policy)': must be one of \"always\", \"missing\" or \"never\"", status: 125)
    }
    if let cidFile = spec.cidFile, Files.exists(cidFile) {
        throw CLIError("container ID file found, make sure the other container isn't running or delete \(cidFile)", status: 125)
    }
    let quiet = invocation.flags.bool("quiet")
    var query: [(String, String)] = []
    if let name = spec.name { query.append(("name", name)) }
    if let platform = spec.platform { query.append(("platform", platform)) }
    let request = try ClientRequest.json("POST", "/containers/create", spec.body, query: query)
    if policy == "always" {
        try pullImage(invocation, spec.image, platform: spec.platform, quiet: quiet, out: invocation.err)
    }
    let response: JSONValue
    do {
        response = try client.call(request).json()
    } catch let error as ClientError where error.kind == .notFound && policy == "missing" && isMissingImage(error) {
        let reference = (try? Reference.parseDocker(spec.image))?.familiarString ?? spec.image
        invocation.err.line("Unable to find image '\(reference)' locally")
        try pullImage(invocation, spec.image, platform: spec.platform, quiet: quiet, out: invocation.err)
        response = try client.call(request).json()
    }
    for warning in response["Warnings"]?.arrayValue ?? [] {
        if let text = warning.stringValue, !text.isEmpty { invocation.err.line("WARNING: \(text)") }
    }
    let id = response["Id"]?.stringValue ?? ""
    if let cidFile = spec.cidFile {
        do { try Files.write(cidFile, id) } catch { throw CLIError("failed to write the container ID to the file: \(error)", status: 125) }
    }
    return id
}

/// Whether a 404 from create is about the image (not, say, a network).
private func isMissingImage(_ error: ClientError) -> Bool {
    guard case .api(_, let message) = error else { return false }
    return message.lowercased().includes("no such image") || message.lowercased().includes("image")
}
