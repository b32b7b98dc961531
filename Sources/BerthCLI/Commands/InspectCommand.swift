import BerthAPIModels
import BerthClient
import BerthFlags

extension Command {
    /// `berth inspect`: any object by name or ID, trying containers, images, volumes and
    /// networks in turn (`--type` picks one).
    static var inspect: Command {
        Command(
            name: "inspect", usage: "[OPTIONS] NAME|ID [NAME|ID...]", summary: "Return low-level information on Docker objects",
            flags: [
                inspectFormatFlag,
                .bool("size", short: "s", usage: "Display total file sizes if the type is container"),
                .string("type", usage: "Only inspect objects of the given type"),
            ],
            arguments: .atLeast(1),
            run: { invocation in
                let type = invocation.flags.string("type") ?? ""
                let kinds: [InspectKind]
                if type.isEmpty {
                    kinds = InspectKind.allCases
                } else if let kind = InspectKind(rawValue: type) {
                    kinds = [kind]
                } else {
                    throw CLIError("\"\(type)\" is not a valid value for --type", status: 1)
                }
                return try runInspect(invocation, kinds: kinds)
            })
    }

    /// `berth container inspect`: `GET /containers/{id}/json[?size=1]`.
    static var containerInspect: Command {
        var command = Command(
            name: "inspect", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Display detailed information on one or more containers",
            flags: [inspectFormatFlag, .bool("size", short: "s", usage: "Display total file sizes")],
            arguments: .atLeast(1),
            run: { invocation in try runInspect(invocation, kinds: [.container]) })
        command.id = "container inspect"
        return command
    }

    /// `berth volume inspect`: `GET /volumes/{name}`.
    static var volumeInspect: Command {
        var command = Command(
            name: "inspect", usage: "[OPTIONS] VOLUME [VOLUME...]", summary: "Display detailed information on one or more volumes",
            flags: [inspectFormatFlag],
            arguments: .atLeast(1),
            run: { invocation in try runInspect(invocation, kinds: [.volume]) })
        command.id = "volume inspect"
        return command
    }

    /// `berth image inspect`: `GET /images/{name}/json`.
    static var imageInspect: Command {
        var command = Command(
            name: "inspect", usage: "[OPTIONS] IMAGE [IMAGE...]", summary: "Display detailed information on one or more images",
            flags: [inspectFormatFlag, .string("platform", usage: "Inspect a specific platform of the multi-platform image.")],
            arguments: .atLeast(1),
            run: { invocation in try runInspect(invocation, kinds: [.image]) })
        command.id = "image inspect"
        return command
    }
}

private let inspectFormatFlag = FlagSpec.string("format", short: "f", usage: """
    Format output using a custom template:
    'json':             Print in JSON format
    'TEMPLATE':         Print output using the given Go template.
    Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates
    """)

enum InspectKind: String, CaseIterable {
    case container, image, volume, network

    func path(_ name: String) -> String {
        switch self {
        case .container: "/containers/\(pathComponent(name))/json"
        case .image: "/images/\(pathComponent(name))/json"
        case .volume: "/volumes/\(pathComponent(name))"
        case .network: "/networks/\(pathComponent(name))"
        }
    }

    /// Docker's "not found" wording when only this kind was asked for.
    var missing: String {
        switch self {
        case .container: "No such container"
        case .image: "No such image"
        case .volume: "No such volume"
        case .network: "No such network"
        }
    }
}

private func runInspect(_ invocation: Invocation, kinds: [InspectKind]) throws -> Int32 {
    let client = try invocation.client()
    var found: [JSONValue] = []
    var failed = false
    for name in invocation.arguments {
        var value: JSONValue?
        var missing: ClientError?
        for kind in kinds {
            do {
                let query: [(String, String)] = kind == .container && invocation.flags.bool("size") ? [("size", "1")] : []
                value = try client.getJSON(kind.path(name), query: query)
                break
            } catch let error as ClientError where error.kind == .notFound || (error.kind == .invalidArgument && kinds.count > 1) {
                missing = error
                continue
            }
        }
        if let value {
            found.append(value)
        } else {
            failed = true
            if kinds == [.volume], let missing {
                // `docker volume inspect` prints the daemon's words: `get x: no such volume`.
                invocation.err.line(errorText(missing))
            } else {
                let what = kinds.count == 1 ? kinds[0].missing : "No such object"
                invocation.err.line("Error: \(what): \(name)")
            }
        }
    }
    let format = invocation.format
    if format.isEmpty || format == "json" {
        invocation.out.line(InspectPrinter.indented(found))
    } else {
        let template: GoTemplate
        do { template = try GoTemplate(format.replacingAll("\\t", with: "\t").replacingAll("\\n", with: "\n")) } catch {
            throw CLIError("template parsing error: \(error)")
        }
        for value in found {
            do { invocation.out.line(try template.execute(value)) } catch {
                throw CLIError("template parsing error: \(error)")
            }
        }
    }
    return failed ? 1 : 0
}

enum InspectPrinter {
    /// A JSON array indented with four spaces, as `docker inspect` prints it.
    static func indented(_ values: [JSONValue]) -> String {
        values.isEmpty ? "[]" : JSONValue.array(values).serialized(indent: "    ")
    }
}
