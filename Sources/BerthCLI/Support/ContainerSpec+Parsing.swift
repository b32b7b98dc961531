import BerthAPIModels

/// `-p [ip:][hostPort:]containerPort[/proto]` and `--expose`, as Docker's `nat.ParsePortSpec`.
enum PortSpec {
    /// The container ports (`80/tcp`) with their bindings (`{"HostIp","HostPort"}`).
    static func parse(_ spec: String) throws(CLIError) -> [(String, JSONValue)] {
        func invalid(_ why: String) -> CLIError {
            CLIError("invalid argument \"\(spec)\" for \"-p, --publish\" flag: \(why)", status: 125)
        }
        var rest = spec
        var proto = "tcp"
        if let slash = rest.lastIndex(of: "/") {
            proto = String(rest[rest.index(after: slash)...]).lowercased()
            rest = String(rest[..<slash])
        }
        guard ["tcp", "udp", "sctp"].contains(proto) else { throw invalid("invalid proto: \(proto)") }
        var ip = ""
        var hostPort = ""
        let containerPort: String
        // An IPv6 address is in brackets: `[::1]:8080:80`.
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            ip = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...].dropFirst()
            let parts = after.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw invalid("invalid port format") }
            hostPort = parts[0]
            containerPort = parts[1]
        } else {
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            switch parts.count {
            case 1: containerPort = parts[0]
            case 2: hostPort = parts[0]; containerPort = parts[1]
            default:
                ip = parts.dropLast(2).joined(separator: ":")
                hostPort = parts[parts.count - 2]
                containerPort = parts[parts.count - 1]
            }
        }
        guard !containerPort.isEmpty else { throw invalid("no port specified: \(spec)<empty>") }
        guard let (low, high) = range(containerPort) else { throw invalid("invalid containerPort: \(containerPort)") }
        var hostRange: (Int, Int)?
        if !hostPort.isEmpty {
            guard let r = range(hostPort) else { throw invalid("invalid hostPort: \(hostPort)") }
            hostRange = r
            if high - low != r.1 - r.0 && r.1 != r.0 && high != low {
                throw invalid("invalid ranges specified for container and host Ports: \(containerPort) and \(hostPort)")
            }
        }
        var out: [(String, JSONValue)] = []
        for (i, port) in (low...high).enumerated() {
            var host = hostPort
            if let hostRange, hostRange.0 != hostRange.1, high != low { host = String(hostRange.0 + i) }
            out.append(("\(port)/\(proto)", ["HostIp": .string(ip), "HostPort": .string(host)]))
        }
        return out
    }

    /// `--expose 80`, `--expose 8000-8010/udp`.
    static func expose(_ spec: String) throws(CLIError) -> [String] {
        let (ports, proto) = spec.splitOnce("/")
        guard let (low, high) = range(ports) else {
            throw CLIError("invalid argument \"\(spec)\" for \"--expose\" flag: invalid range format for --expose: \(spec)", status: 125)
        }
        return (low...high).map { "\($0)/\((proto ?? "tcp").lowercased())" }
    }

    private static func range(_ text: String) -> (Int, Int)? {
        let (a, b) = text.splitOnce("-")
        guard let low = Int(a), (0...65535).contains(low) else { return nil }
        guard let b else { return (low, low) }
        guard let high = Int(b), high >= low, high <= 65535 else { return nil }
        return (low, high)
    }
}

/// `--mount type=bind,source=/a,target=/b,readonly` as a `HostConfig.Mounts` entry.
enum MountSpec {
    static func parse(_ spec: String) throws(CLIError) -> JSONValue {
        func invalid(_ why: String) -> CLIError {
            CLIError("invalid argument \"\(spec)\" for \"--mount\" flag: \(why)", status: 125)
        }
        func bool(_ key: String, _ value: String?) throws(CLIError) -> Bool {
            switch value?.lowercased() {
            case nil, "1", "true": return true
            case "0", "false": return false
            default: throw invalid("invalid value for \(key): \(value ?? "")")
            }
        }
        var type = "volume"
        var source = "", target = "", consistency = ""
        var readOnly = false
        var bind = JSONObject(), volume = JSONObject(), tmpfs = JSONObject()
        var volumeLabels = JSONObject(), driverOptions = JSONObject()
        var driverName: String?
        for field in spec.split(separator: ",") {
            let (key, value) = String(field).splitOnce("=")
            switch key.lowercased() {
            case "type": type = value ?? ""
            case "source", "src": source = value ?? ""
            case "target", "destination", "dst": target = value ?? ""
            case "readonly", "ro": readOnly = try bool(key, value)
            case "consistency": consistency = value ?? ""
            case "bind-propagation": bind["Propagation"] = .string(value ?? "")
            case "bind-nonrecursive": bind["NonRecursive"] = .bool(try bool(key, value))
            case "bind-recursive":
                switch value {
                case "enabled": break
                case "disabled": bind["NonRecursive"] = true
                case "writable": bind["ReadOnlyNonRecursive"] = true
                case "readonly": bind["ReadOnlyForceRecursive"] = true
                default: throw invalid("invalid value for bind-recursive: \(value ?? "")")
                }
            case "volume-nocopy": volume["NoCopy"] = .bool(try bool(key, value))
            case "volume-subpath": volume["Subpath"] = .string(value ?? "")
            case "volume-label":
                let (k, v) = (value ?? "").splitOnce("=")
                volumeLabels[k] = .string(v ?? "")
            case "volume-driver": driverName = value
            case "volume-opt":
                let (k, v) = (value ?? "").splitOnce("=")
                driverOptions[k] = .string(v ?? "")
            case "tmpfs-size":
                guard let size = ByteAmount.parse(value ?? "") else { throw invalid("invalid value for \(key): \(value ?? "")") }
                tmpfs["SizeBytes"] = .int(size)
            case "tmpfs-mode":
                guard let mode = Int64(value ?? "", radix: 8) else { throw invalid("invalid value for \(key): \(value ?? "")") }
                tmpfs["Mode"] = .int(mode)
            default:
                throw invalid("unexpected key '\(key)' in '\(field)'")
            }
        }
        guard ["bind", "volume", "tmpfs", "npipe", "cluster", "image"].contains(type) else { throw invalid("invalid mount type: \(type)") }
        guard !target.isEmpty else { throw invalid("target is required") }
        if type == "bind" && source.isEmpty { throw invalid("source is required when specifying bind mounts") }
        if !volumeLabels.isEmpty { volume["Labels"] = .object(volumeLabels) }
        if driverName != nil || !driverOptions.isEmpty {
            var driver = JSONObject()
            if let driverName { driver["Name"] = .string(driverName) }
            if !driverOptions.isEmpty { driver["Options"] = .object(driverOptions) }
            volume["DriverConfig"] = .object(driver)
        }
        var mount = JSONObject()
        mount["Type"] = .string(type)
        if !source.isEmpty { mount["Source"] = .string(source) }
        mount["Target"] = .string(target)
        if readOnly { mount["ReadOnly"] = true }
        if !consistency.isEmpty { mount["Consistency"] = .string(consistency) }
        if !bind.isEmpty { mount["BindOptions"] = .object(bind) }
        if !volume.isEmpty { mount["VolumeOptions"] = .object(volume) }
        if !tmpfs.isEmpty { mount["TmpfsOptions"] = .object(tmpfs) }
        return .object(mount)
    }
}

/// `--device /dev/sda[:/dev/xvda][:rwm]`.
enum DeviceSpec {
    static func parse(_ spec: String) throws(CLIError) -> JSONValue {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func isPermissions(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { "rwm".contains($0) } }
        var host = parts[0], container = parts[0], permissions = "rwm"
        switch parts.count {
        case 1: break
        case 2:
            if isPermissions(parts[1]) { permissions = parts[1] } else { container = parts[1] }
        case 3:
            container = parts[1]
            permissions = parts[2]
        default:
            throw CLIError("invalid argument \"\(spec)\" for \"--device\" flag: invalid device specification: \(spec)", status: 125)
        }
        if host.isEmpty { host = container }
        return ["PathOnHost": .string(host), "PathInContainer": .string(container), "CgroupPermissions": .string(permissions)]
    }
}

/// `--ulimit nofile=1024:2048` as `{"Name","Hard","Soft"}`.
enum UlimitSpec {
    static func parse(_ spec: String) throws(CLIError) -> JSONValue {
        let (name, limits) = spec.splitOnce("=")
        let (softText, hardText) = (limits ?? "").splitOnce(":")
        guard let soft = Int64(softText), let hard = Int64(hardText ?? softText), !name.isEmpty else {
            throw CLIError("invalid argument \"\(spec)\" for \"--ulimit\" flag: invalid ulimit argument: \(spec)", status: 125)
        }
        if soft > hard && hard != -1 {
            throw CLIError("invalid argument \"\(spec)\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit: \(soft) > \(hard)", status: 125)
        }
        return ["Name": .string(name), "Hard": .int(hard), "Soft": .int(soft)]
    }
}

/// `--restart no|always|unless-stopped|on-failure[:N]`.
enum RestartPolicy {
    static func parse(_ spec: String) throws(CLIError) -> JSONValue {
        let (name, count) = spec.splitOnce(":")
        guard ["", "no", "always", "unless-stopped", "on-failure"].contains(name) else {
            throw CLIError("invalid restart policy: unknown policy '\(name)'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", status: 125)
        }
        var retries: Int64 = 0
        if let count {
            guard name == "on-failure" else {
                throw CLIError("invalid restart policy: maximum retry count can only be used with 'on-failure'", status: 125)
            }
            guard let n = Int64(count), n >= 0 else {
                throw CLIError("invalid restart policy: invalid maximum retry count: \(count)", status: 125)
            }
            retries = n
        }
        return ["Name": .string(name), "MaximumRetryCount": .int(retries)]
    }
}

/// Sizes as go-units `RAMInBytes` reads them: `512m`, `1.5g`, `64MiB`, `1024` (bytes);
/// units are powers of 1024.
enum ByteAmount {
    static func parse(_ text: String) -> Int64? {
        var rest = Substring(text.lowercased())
        let number = rest.prefix(while: { $0.isNumber || $0 == "." })
        guard !number.isEmpty, let value = Double(number) else { return nil }
        rest = rest.dropFirst(number.count)
        if rest.first == " " { rest = rest.dropFirst() }
        var multiplier = 1.0
        if let unit = rest.first, let power = "kmgtp".firstIndex(of: unit) {
            multiplier = pow1024("kmgtp".distance(from: "kmgtp".startIndex, to: power) + 1)
            rest = rest.dropFirst()
            if rest.first == "i" { rest = rest.dropFirst() }
        }
        if rest.first == "b" { rest = rest.dropFirst() }
        guard rest.isEmpty else { return nil }
        return Int64(value * multiplier)
    }

    private static func pow1024(_ n: Int) -> Double {
        var out = 1.0
        for _ in 0..<n { out *= 1024 }
        return out
    }
}
