import BerthAPIModels
import BerthOCI

/// `docker ps` rows: each container of `GET /containers/json` as the fields Docker's
/// container formatter offers (`.ID`, `.Image`, `.Command`, `.RunningFor`, ...).
enum ContainerRows {
    static let defaultTable = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

    static let headers: [String: String] = [
        "ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
        "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
        "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS", "LocalVolumes": "LOCAL VOLUMES",
        "Networks": "NETWORKS", "Platform": "PLATFORM",
    ]

    /// One row; the members are in Go's sorted order so `--format json` matches.
    /// `image` is the IMAGE column when the caller already has it (see `image(_:truncate:)`).
    static func row(_ c: JSONValue, truncate: Bool, now: Double, image knownImage: String? = nil) -> JSONValue {
        var row = JSONObject()
        let command = c["Command"]?.stringValue ?? ""
        row["Command"] = .string((truncate ? command.ellipsis(20) : command).goQuoted)
        let created = c["Created"]?.intValue ?? 0
        row["CreatedAt"] = .string(Clock.goTimeString(created))
        let id = c["Id"]?.stringValue ?? ""
        row["ID"] = .string(truncate ? Names.truncateID(id) : id)
        row["Image"] = .string(knownImage ?? image(c, truncate: truncate))
        let labels = (c["Labels"]?.objectValue?.members ?? []).sorted { $0.key < $1.key }
        row["Labels"] = .string(labels.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ","))
        let mounts = c["Mounts"]?.arrayValue ?? []
        row["LocalVolumes"] = .string(String(mounts.filter { $0["Driver"]?.stringValue == "local" }.count))
        row["Mounts"] = .string(mounts.map { mount in
            let name = mount["Name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? mount["Source"]?.stringValue ?? ""
            return truncate ? name.ellipsis(15) : name
        }.joined(separator: ","))
        row["Names"] = .string(names(c, truncate: truncate))
        row["Networks"] = .string((c["NetworkSettings"]?["Networks"]?.objectValue?.keys ?? []).sorted().joined(separator: ","))
        row["Ports"] = .string(PortList.displayable(c["Ports"]?.arrayValue ?? []))
        row["RunningFor"] = .string(HumanUnits.duration(seconds: now - Double(created)) + " ago")
        let sizeRw = c["SizeRw"]?.intValue ?? 0
        let sizeRoot = c["SizeRootFs"]?.intValue ?? 0
        var size = HumanUnits.size(Double(sizeRw), precision: 3)
        if sizeRoot > 0 { size += " (virtual \(HumanUnits.size(Double(sizeRoot), precision: 3)))" }
        row["Size"] = .string(size)
        row["State"] = .string(c["State"]?.stringValue ?? "")
        row["Status"] = .string(c["Status"]?.stringValue ?? "")
        return .object(row)
    }

    /// The image as given, its ID shortened, or a reference without its digest.
    static func image(_ c: JSONValue, truncate: Bool) -> String {
        let image = c["Image"]?.stringValue ?? ""
        if image.isEmpty { return "<no image>" }
        guard truncate else { return image }
        let imageID = c["ImageID"]?.stringValue ?? ""
        if Names.truncateID(imageID) == Names.truncateID(image) { return Names.truncateID(image) }
        // A reference loses its registry prefix and digest: `ubuntu:latest`.
        if let reference = try? Reference(parsing: image) {
            return reference.familiarName + (reference.tag.map { ":\($0)" } ?? "")
        }
        return image
    }

    /// Names without their `/`; truncated, the first that is not a link (`/a/b`).
    static func names(_ c: JSONValue, truncate: Bool) -> String {
        let all = (c["Names"]?.arrayValue ?? []).compactMap(\.stringValue).map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
        if truncate, let plain = all.first(where: { !$0.contains("/") }) { return plain }
        return all.joined(separator: ",")
    }
}

/// The PORTS column: consecutive ports grouped into ranges (`8000-8002/tcp`), published
/// ones as `0.0.0.0:8080->80/tcp`, as Docker's `DisplayablePorts`.
enum PortList {
    static func displayable(_ ports: [JSONValue]) -> String {
        struct Port { var ip: String; var privatePort: Int64; var publicPort: Int64; var type: String }
        let list = ports.map {
            Port(ip: $0["IP"]?.stringValue ?? "", privatePort: $0["PrivatePort"]?.intValue ?? 0,
                 publicPort: $0["PublicPort"]?.intValue ?? 0, type: $0["Type"]?.stringValue ?? "tcp")
        }.sorted { a, b in
            if a.privatePort != b.privatePort { return a.privatePort < b.privatePort }
            if a.ip != b.ip { return a.ip < b.ip }
            if a.publicPort != b.publicPort { return a.publicPort < b.publicPort }
            return a.type < b.type
        }
        var groups: [String: (first: Int64, last: Int64)] = [:]
        var order: [String] = []
        var result: [String] = []
        var hostMappings: [String] = []
        for port in list {
            var key = port.type
            if !port.ip.isEmpty {
                if port.publicPort != port.privatePort {
                    hostMappings.append("\(joinHostPort(port.ip, String(port.publicPort)))->\(port.privatePort)/\(port.type)")
                    continue
                }
                key = "\(port.ip)/\(port.type)"
            }
            guard let group = groups[key] else {
                groups[key] = (port.privatePort, port.privatePort)
                order.append(key)
                continue
            }
            if port.privatePort == group.last + 1 {
                groups[key] = (group.first, port.privatePort)
                continue
            }
            result.append(form(key, group.first, group.last))
            groups[key] = (port.privatePort, port.privatePort)
        }
        for key in order {
            let group = groups[key]!
            result.append(form(key, group.first, group.last))
        }
        return (result + hostMappings).joined(separator: ", ")
    }

    private static func form(_ key: String, _ first: Int64, _ last: Int64) -> String {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var type = parts[0]
        var ip = ""
        if parts.count > 1 {
            ip = parts[0]
            type = parts[1]
        }
        var group = String(first)
        if first != last { group += "-\(last)" }
        if !ip.isEmpty { group = "\(joinHostPort(ip, group))->\(group)" }
        return "\(group)/\(type)"
    }

    static func joinHostPort(_ host: String, _ port: String) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
