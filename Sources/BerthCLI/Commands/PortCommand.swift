import BerthAPIModels
import BerthClient

extension Command {
    /// `berth port` = `berth container port`: the published ports from
    /// `GET /containers/{id}/json`'s `NetworkSettings.Ports`.
    static var port: Command {
        Command(
            name: "port", usage: "CONTAINER [PRIVATE_PORT[/PROTO]]", summary: "List port mappings or a specific mapping for the container",
            arguments: .between(1, 2),
            run: { invocation in
                let name = invocation.arguments[0]
                let container = try invocation.client().getJSON("/containers/\(pathComponent(name))/json")
                let lines = try PortPrinter.lines(container["NetworkSettings"]?["Ports"], filter: invocation.arguments.dropFirst().first, container: name)
                for line in lines { invocation.out.line(line) }
                return 0
            })
    }
}

enum PortPrinter {
    /// `80/tcp -> 0.0.0.0:8080` for every binding, or just `0.0.0.0:8080` for one port.
    static func lines(_ ports: JSONValue?, filter: String?, container: String) throws(CLIError) -> [String] {
        let members = (ports?.objectValue?.members ?? []).sorted { a, b in
            let pa = Int(a.key.splitOnce("/").0) ?? 0, pb = Int(b.key.splitOnce("/").0) ?? 0
            return pa != pb ? pa < pb : a.key < b.key
        }
        func address(_ binding: JSONValue) -> String {
            PortList.joinHostPort(binding["HostIp"]?.stringValue ?? "", binding["HostPort"]?.stringValue ?? "")
        }
        if let filter {
            let (port, proto) = filter.splitOnce("/")
            let key = "\(port)/\(proto ?? "tcp")"
            guard let bindings = members.first(where: { $0.key == key })?.value.arrayValue, !bindings.isEmpty else {
                throw CLIError("Error: No public port '\(key)' published for \(container)")
            }
            return bindings.map(address)
        }
        return members.flatMap { member in (member.value.arrayValue ?? []).map { "\(member.key) -> \(address($0))" } }
    }
}
