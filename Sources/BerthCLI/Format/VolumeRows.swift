import BerthAPIModels

/// `docker volume ls` rows: the fields of Docker's volume formatter.
enum VolumeRows {
    static let defaultTable = "{{.Driver}}\t{{.Name}}"

    static let headers: [String: String] = [
        "Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT", "Labels": "LABELS",
        "Links": "LINKS", "Size": "SIZE", "Availability": "AVAILABILITY", "Group": "GROUP",
    ]

    static func row(_ v: JSONValue) -> JSONValue {
        let labels = (v["Labels"]?.objectValue ?? JSONObject()).map { "\($0.key)=\($0.value.stringValue ?? "")" }
        return [
            "Name": .string(v["Name"]?.stringValue ?? ""), "Driver": .string(v["Driver"]?.stringValue ?? ""),
            "Scope": .string(v["Scope"]?.stringValue ?? ""), "Mountpoint": .string(v["Mountpoint"]?.stringValue ?? ""),
            "Labels": .string(labels.sorted().joined(separator: ",")), "Links": "N/A", "Size": "N/A",
            "Availability": "N/A", "Group": "N/A",
        ]
    }
}
