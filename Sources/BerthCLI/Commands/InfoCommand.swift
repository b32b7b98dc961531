import BerthAPIModels
import BerthClient

extension Command {
    /// `berth info` = `berth system info`: the daemon's configuration and host.
    static var info: Command {
        Command(
            name: "info", summary: "Display system-wide information",
            flags: [formatFlag(jsonHelp: true)],
            run: { invocation in try runInfo(invocation) })
    }
}

private func runInfo(_ invocation: Invocation) throws -> Int32 {
    let client = try invocation.client()
    var info: JSONValue = .object([:])
    var serverError: (any Error)?
    do {
        info = try client.getJSON("/info")
    } catch {
        serverError = error
    }
    let clientInfo: JSONValue = [
        "Version": .string(ClientInfo.version), "Context": "default",
        "Debug": .bool(invocation.global.debug), "Plugins": [], "Warnings": nil,
    ]
    let format = invocation.flags.string("format") ?? ""
    if !format.isEmpty {
        // As Docker does, the server's fields sit at the top level beside ClientInfo.
        var object = info.objectValue ?? JSONObject()
        object["ClientInfo"] = clientInfo
        object["ServerErrors"] = serverError.map { .array([.string("\($0)")]) } ?? nil
        invocation.out.line(try renderFormat(format, .object(object)))
        if let serverError { throw serverError }
        return 0
    }
    invocation.out.write(InfoPrinter.client(clientInfo))
    invocation.out.line()
    invocation.out.line("Server:")
    if let serverError {
        invocation.out.line("ERROR: \(serverError)")
        throw CLIError("errors pretty printing info")
    }
    invocation.out.write(InfoPrinter.server(info))
    for warning in info["Warnings"]?.arrayValue ?? [] {
        invocation.err.line(warning.stringValue ?? "")
    }
    return 0
}

/// `docker info`'s human layout, from the `/info` JSON.
enum InfoPrinter {
    static func client(_ info: JSONValue) -> String {
        let lines = [
            "Client:",
            " Version:\t\(text(info["Version"]))",
            " Context:\t\(text(info["Context"]))",
            " Debug Mode:\t\(text(info["Debug"]))",
        ]
        return TabWriter(minWidth: 0, padding: 1).format(lines.joined(separator: "\n") + "\n")
    }

    static func server(_ info: JSONValue) -> String {
        var out: [String] = []
        func add(_ label: String, _ key: String, indent: Int = 1) {
            out.append(String(repeating: " ", count: indent) + label + ": " + text(info[key]))
        }
        add("Containers", "Containers")
        add("Running", "ContainersRunning", indent: 2)
        add("Paused", "ContainersPaused", indent: 2)
        add("Stopped", "ContainersStopped", indent: 2)
        add("Images", "Images")
        add("Server Version", "ServerVersion")
        add("Storage Driver", "Driver")
        for pair in info["DriverStatus"]?.arrayValue ?? [] where pair.arrayValue?.count == 2 {
            out.append("  \(text(pair[0])): \(text(pair[1]))")
        }
        add("Logging Driver", "LoggingDriver")
        add("Cgroup Driver", "CgroupDriver")
        add("Cgroup Version", "CgroupVersion")
        out.append(" Plugins:")
        for (label, key) in [("Volume", "Volume"), ("Network", "Network"), ("Authorization", "Authorization"), ("Log", "Log")] {
            guard let names = info["Plugins"]?[key]?.arrayValue, !names.isEmpty else { continue }
            out.append("  \(label): " + names.map { text($0) }.joined(separator: " "))
        }
        out.append(" Swarm: " + text(info["Swarm"]?["LocalNodeState"]))
        out.append(" Runtimes: " + (info["Runtimes"]?.objectValue?.keys.sorted() ?? []).joined(separator: " "))
        add("Default Runtime", "DefaultRuntime")
        for (label, key) in [("Init Binary", "InitBinary")] where !text(info[key]).isEmpty { add(label, key) }
        for (label, key) in [("containerd version", "ContainerdCommit"), ("runc version", "RuncCommit"), ("init version", "InitCommit")] {
            let id = text(info[key]?["ID"])
            if !id.isEmpty { out.append(" \(label): \(id)") }
        }
        out += securityOptions(info["SecurityOptions"]?.arrayValue ?? [])
        add("Kernel Version", "KernelVersion")
        add("Operating System", "OperatingSystem")
        add("OSType", "OSType")
        add("Architecture", "Architecture")
        add("CPUs", "NCPU")
        out.append(" Total Memory: " + ByteSize.binary(info["MemTotal"]?.intValue ?? 0))
        add("Name", "Name")
        add("ID", "ID")
        add("Docker Root Dir", "DockerRootDir")
        add("Debug Mode", "Debug")
        out.append(" Experimental: " + text(info["ExperimentalBuild"]))
        if let cidrs = info["RegistryConfig"]?["InsecureRegistryCIDRs"]?.arrayValue, !cidrs.isEmpty {
            out.append(" Insecure Registries:")
            out += cidrs.map { "  " + text($0) }
        }
        if let labels = info["Labels"]?.arrayValue, !labels.isEmpty {
            out.append(" Labels:")
            out += labels.map { "  " + text($0) }
        }
        add("Live Restore Enabled", "LiveRestoreEnabled")
        return out.joined(separator: "\n") + "\n\n"
    }

    /// `name=seccomp,profile=builtin` → `  seccomp` and `   Profile: builtin`.
    static func securityOptions(_ options: [JSONValue]) -> [String] {
        guard !options.isEmpty else { return [] }
        var out = [" Security Options:"]
        for option in options {
            for field in text(option).split(separator: ",") {
                let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                if parts[0] == "name" {
                    out.append("  " + parts[1])
                } else {
                    out.append("   " + TemplateFunctions.titleCase(parts[0]) + ": " + parts[1])
                }
            }
        }
        return out
    }

    private static func text(_ value: JSONValue?) -> String {
        value.map { GoFormat.print($0) } ?? ""
    }
}
