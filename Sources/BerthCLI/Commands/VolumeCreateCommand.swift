import BerthAPIModels
import BerthClient

extension Command {
    /// `berth volume create [NAME]`: `POST /volumes/create`, printing the volume's name.
    static var volumeCreate: Command {
        var command = Command(
            name: "create", usage: "[OPTIONS] [VOLUME]", summary: "Create a volume",
            flags: [
                .string("driver", short: "d", usage: "Specify volume driver name", default: "local"),
                .list("label", usage: "Set metadata for a volume"),
                .list("opt", short: "o", usage: "Set driver specific options"),
            ],
            arguments: .between(0, 1),
            run: { invocation in
                let flags = invocation.flags
                var name = flags.string("name") ?? ""
                if let given = invocation.arguments.first {
                    if !name.isEmpty && name != given {
                        throw CLIError("conflicting options: cannot specify a volume-name through both --name and as a positional arg", status: 1)
                    }
                    name = given
                }
                func pairs(_ list: [String], what: String) throws -> JSONValue {
                    var object = JSONObject()
                    for item in list {
                        let (key, value) = item.splitOnce("=")
                        if what == "opt" && value == nil {
                            throw CLIError("invalid argument \"\(item)\" for \"-o, --opt\" flag: invalid key value pair format in driver options", status: 125)
                        }
                        object[key] = .string(value ?? "")
                    }
                    return .object(object)
                }
                let body: JSONValue = [
                    "Name": .string(name), "Driver": .string(flags.string("driver") ?? "local"),
                    "DriverOpts": try pairs(flags.list("opt"), what: "opt"), "Labels": try pairs(flags.list("label"), what: "label"),
                ]
                let response = try invocation.client().call(ClientRequest("POST", "/volumes/create", headers: [("Content-Type", "application/json")],
                                                                          body: Array(body.serialized().utf8)))
                invocation.out.line(try response.json()["Name"]?.stringValue ?? name)
                return 0
            })
        command.flags.append(.string("name", usage: "Specify volume name"))
        command.id = "volume create"
        return command
    }
}
