import BerthAPIModels
import BerthFlags

/// A `run`/`create` command line turned into the body of `POST /containers/create`,
/// field for field as the docker CLI builds it (cli/command/container/opts.go): the
/// container `Config` members at the top level, then `HostConfig` and
/// `NetworkingConfig`, in the Go structs' order, with Go's zero values.
struct ContainerSpec {
    var image: String
    var name: String?
    var platform: String?
    var body: JSONValue

    /// What the CLI itself does with the flags, beyond the request.
    var tty: Bool
    var interactive: Bool
    var attachStdin: Bool
    var attachStdout: Bool
    var attachStderr: Bool
    var autoRemove: Bool
    var cidFile: String?

    /// Where `--env-file` and `--label-file` are read from; tests give a dictionary.
    typealias FileReader = (String) throws -> String

    /// - Parameters:
    ///   - detach: `run -d` (attach nothing, stdin not once).
    ///   - consoleSize: the local terminal's rows and columns, sent with `-t`.
    init(
        flags: ParsedFlags, detach: Bool = false, environment: [String: String] = [:],
        consoleSize: (rows: Int, columns: Int)? = nil, readFile: FileReader
    ) throws(CLIError) {
        guard let image = flags.arguments.first else { throw CLIError("requires at least 1 argument", status: 125) }
        self.image = image
        let command = Array(flags.arguments.dropFirst())
        name = flags.string("name")
        platform = flags.string("platform")
        tty = flags.bool("tty")
        interactive = flags.bool("interactive")
        autoRemove = flags.bool("rm")
        cidFile = flags.string("cidfile")

        // Attach: -a picks streams; without it stdout and stderr; -i adds stdin.
        let attach = flags.list("attach").map { $0.lowercased() }
        for stream in attach where !["stdin", "stdout", "stderr"].contains(stream) {
            throw CLIError("invalid argument \"\(stream)\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", status: 125)
        }
        attachStdin = attach.contains("stdin") || interactive
        attachStdout = attach.isEmpty || attach.contains("stdout")
        attachStderr = attach.isEmpty || attach.contains("stderr")
        var stdinOnce = attachStdin
        if detach {
            if !attach.isEmpty { throw CLIError("Conflicting options: -a and -d", status: 125) }
            attachStdin = false
            attachStdout = false
            attachStderr = false
            stdinOnce = false
        }
        if autoRemove && flags.isSet("restart") && !["", "no"].contains(flags.string("restart") ?? "") {
            throw CLIError("Conflicting options: --restart and --rm", status: 125)
        }

        // Environment: --env-file entries first, then -e; a bare name takes the local value.
        var env: [String] = []
        for file in flags.list("env-file") {
            env += try Self.readKeyValueFile(file, readFile: readFile, environment: environment, kind: "env")
        }
        for entry in flags.list("env") {
            let (key, value) = entry.splitOnce("=")
            if value == nil, let local = environment[key] { env.append("\(key)=\(local)") } else { env.append(entry) }
        }
        var labels = JSONObject()
        for file in flags.list("label-file") {
            for entry in try Self.readKeyValueFile(file, readFile: readFile, environment: [:], kind: "label") {
                let (key, value) = entry.splitOnce("=")
                labels[key] = .string(value ?? "")
            }
        }
        for entry in flags.list("label") {
            let (key, value) = entry.splitOnce("=")
            labels[key] = .string(value ?? "")
        }
        labels = JSONObject(labels.members.sorted { $0.key < $1.key })

        // Ports: -p publishes (and exposes), --expose only exposes.
        var exposed: [String] = []
        var bindings: [(String, JSONValue)] = []
        for spec in flags.list("publish") {
            for (port, binding) in try PortSpec.parse(spec) {
                if !exposed.contains(port) { exposed.append(port) }
                if let i = bindings.firstIndex(where: { $0.0 == port }) {
                    bindings[i].1 = .array((bindings[i].1.arrayValue ?? []) + [binding])
                } else {
                    bindings.append((port, [binding]))
                }
            }
        }
        for spec in flags.list("expose") {
            for port in try PortSpec.expose(spec) where !exposed.contains(port) { exposed.append(port) }
        }

        // Volumes: `-v /data` is an anonymous volume, `-v src:dst[:opts]` a bind.
        var binds: [JSONValue] = []
        var volumes = JSONObject()
        for volume in flags.list("volume") {
            if volume.contains(":") { binds.append(.string(volume)) } else { volumes[volume] = .object([:]) }
        }
        let mounts = try flags.list("mount").map { spec throws(CLIError) in try MountSpec.parse(spec) }
        var tmpfs = JSONObject()
        for entry in flags.list("tmpfs") {
            let (path, options) = entry.splitOnce(":")
            tmpfs[path] = .string(options ?? "")
        }

        var config = JSONObject()
        config["Hostname"] = .string(flags.string("hostname") ?? "")
        config["Domainname"] = .string(flags.string("domainname") ?? "")
        config["User"] = .string(flags.string("user") ?? "")
        config["AttachStdin"] = .bool(attachStdin)
        config["AttachStdout"] = .bool(attachStdout)
        config["AttachStderr"] = .bool(attachStderr)
        if !exposed.isEmpty {
            config["ExposedPorts"] = .object(JSONObject(exposed.sorted().map { JSONMember($0, .object([:])) }))
        }
        config["Tty"] = .bool(tty)
        config["OpenStdin"] = .bool(interactive)
        config["StdinOnce"] = .bool(stdinOnce)
        config["Env"] = env.isEmpty ? .null : .array(env.map { .string($0) })
        config["Cmd"] = command.isEmpty ? .null : .array(command.map { .string($0) })
        if let health = try Self.healthcheck(flags) { config["Healthcheck"] = health }
        config["Image"] = .string(image)
        config["Volumes"] = volumes.isEmpty ? .null : .object(volumes)
        config["WorkingDir"] = .string(flags.string("workdir") ?? "")
        config["Entrypoint"] = flags.string("entrypoint").map { .array([.string($0)]) } ?? .null
        if let mac = flags.string("mac-address"), !mac.isEmpty { config["MacAddress"] = .string(mac) }
        config["OnBuild"] = .null
        config["Labels"] = .object(labels)
        if let signal = flags.string("stop-signal") { config["StopSignal"] = .string(signal) }
        if flags.isSet("stop-timeout") { config["StopTimeout"] = .int(Int64(flags.int("stop-timeout") ?? 0)) }

        let host = try Self.hostConfig(flags, binds: binds, bindings: bindings, mounts: mounts, tmpfs: tmpfs,
                                       consoleSize: consoleSize, readFile: readFile)
        config["HostConfig"] = .object(host)
        config["NetworkingConfig"] = Self.networkingConfig(flags)
        body = .object(config)
    }

    /// `HostConfig`, Resources inlined, in Go's field order.
    private static func hostConfig(
        _ flags: ParsedFlags, binds: [JSONValue], bindings: [(String, JSONValue)], mounts: [JSONValue],
        tmpfs: JSONObject, consoleSize: (rows: Int, columns: Int)?, readFile: FileReader
    ) throws(CLIError) -> JSONObject {
        func strings(_ name: String, emptyAs empty: JSONValue = .null) -> JSONValue {
            let values = flags.list(name)
            return values.isEmpty ? empty : .array(values.map { .string($0) })
        }
        func bytes(_ name: String) throws(CLIError) -> Int64 {
            guard let text = flags.string(name), !text.isEmpty else { return 0 }
            if text == "-1" && name == "memory-swap" { return -1 }
            guard let value = ByteAmount.parse(text) else {
                throw CLIError("invalid argument \"\(text)\" for \"--\(name)\" flag: invalid size: '\(text)'", status: 125)
            }
            return value
        }
        let networks = flags.list("network")
        var host = JSONObject()
        host["Binds"] = binds.isEmpty ? .null : .array(binds)
        host["ContainerIDFile"] = .string(flags.string("cidfile") ?? "")
        var logOptions = JSONObject()
        for option in flags.list("log-opt") {
            let (key, value) = option.splitOnce("=")
            logOptions[key] = .string(value ?? "")
        }
        host["LogConfig"] = ["Type": .string(flags.string("log-driver") ?? ""), "Config": .object(logOptions)]
        host["NetworkMode"] = .string(networks.first.map { $0.splitOnce(",").0.hasPrefix("name=") ? String($0.dropFirst(5)) : $0 } ?? "default")
        host["PortBindings"] = .object(JSONObject(bindings.sorted { $0.0 < $1.0 }.map { JSONMember($0.0, $0.1) }))
        host["RestartPolicy"] = try RestartPolicy.parse(flags.string("restart") ?? "no")
        host["AutoRemove"] = .bool(flags.bool("rm"))
        host["VolumeDriver"] = .string(flags.string("volume-driver") ?? "")
        host["VolumesFrom"] = strings("volumes-from")
        host["ConsoleSize"] = [.int(Int64(consoleSize?.rows ?? 0)), .int(Int64(consoleSize?.columns ?? 0))]
        var annotations = JSONObject()
        for entry in flags.list("annotation") {
            let (key, value) = entry.splitOnce("=")
            annotations[key] = .string(value ?? "")
        }
        if !annotations.isEmpty { host["Annotations"] = .object(annotations) }
        host["CapAdd"] = strings("cap-add")
        host["CapDrop"] = strings("cap-drop")
        host["CgroupnsMode"] = .string(flags.string("cgroupns") ?? "")
        host["Dns"] = strings("dns", emptyAs: [])
        host["DnsOptions"] = strings("dns-option", emptyAs: [])
        host["DnsSearch"] = strings("dns-search", emptyAs: [])
        host["ExtraHosts"] = strings("add-host")
        host["GroupAdd"] = strings("group-add")
        host["IpcMode"] = .string(flags.string("ipc") ?? "")
        host["Cgroup"] = ""
        host["Links"] = flags.list("link").isEmpty ? .null : .array(flags.list("link").map { link in
            link.contains(":") ? .string(link) : .string("\(link):\(link)")
        })
        host["OomScoreAdj"] = .int(Int64(flags.int("oom-score-adj") ?? 0))
        host["PidMode"] = .string(flags.string("pid") ?? "")
        host["Privileged"] = .bool(flags.bool("privileged"))
        host["PublishAllPorts"] = .bool(flags.bool("publish-all"))
        host["ReadonlyRootfs"] = .bool(flags.bool("read-only"))
        // As the docker CLI: `seccomp=FILE` goes to the daemon as the profile's JSON.
        var securityOpts: [JSONValue] = []
        for opt in flags.list("security-opt") {
            let (key, value) = opt.splitOnce(opt.contains("=") ? "=" : ":")
            if key == "seccomp", let path = value, path != "unconfined", path != "builtin" {
                guard let profile = try? readFile(path) else {
                    throw CLIError("opening seccomp profile (\(path)) failed", status: 125)
                }
                securityOpts.append(.string("seccomp=" + profile))
            } else {
                securityOpts.append(.string(opt))
            }
        }
        host["SecurityOpt"] = securityOpts.isEmpty ? .null : .array(securityOpts)
        var storage = JSONObject()
        for entry in flags.list("storage-opt") {
            let (key, value) = entry.splitOnce("=")
            storage[key] = .string(value ?? "")
        }
        if !storage.isEmpty { host["StorageOpt"] = .object(storage) }
        if !tmpfs.isEmpty { host["Tmpfs"] = .object(tmpfs) }
        host["UTSMode"] = .string(flags.string("uts") ?? "")
        host["UsernsMode"] = .string(flags.string("userns") ?? "")
        host["ShmSize"] = .int(try bytes("shm-size"))
        var sysctls = JSONObject()
        for entry in flags.list("sysctl") {
            let (key, value) = entry.splitOnce("=")
            sysctls[key] = .string(value ?? "")
        }
        if !sysctls.isEmpty { host["Sysctls"] = .object(sysctls) }
        if let runtime = flags.string("runtime") { host["Runtime"] = .string(runtime) }
        host["Isolation"] = .string(flags.string("isolation") ?? "")
        // Resources.
        host["CpuShares"] = .int(Int64(flags.int("cpu-shares") ?? 0))
        host["Memory"] = .int(try bytes("memory"))
        var nanoCPUs: Int64 = 0
        if let cpus = flags.string("cpus"), !cpus.isEmpty {
            guard let value = Double(cpus), value >= 0 else {
                throw CLIError("invalid argument \"\(cpus)\" for \"--cpus\" flag: failed to parse \(cpus) as a rational number", status: 125)
            }
            nanoCPUs = Int64((value * 1e9).rounded())
        }
        host["NanoCpus"] = .int(nanoCPUs)
        host["CgroupParent"] = .string(flags.string("cgroup-parent") ?? "")
        host["BlkioWeight"] = .int(Int64(flags.int("blkio-weight") ?? 0))
        host["BlkioWeightDevice"] = []
        host["BlkioDeviceReadBps"] = []
        host["BlkioDeviceWriteBps"] = []
        host["BlkioDeviceReadIOps"] = []
        host["BlkioDeviceWriteIOps"] = []
        host["CpuPeriod"] = .int(Int64(flags.int("cpu-period") ?? 0))
        host["CpuQuota"] = .int(Int64(flags.int("cpu-quota") ?? 0))
        host["CpuRealtimePeriod"] = .int(Int64(flags.int("cpu-rt-period") ?? 0))
        host["CpuRealtimeRuntime"] = .int(Int64(flags.int("cpu-rt-runtime") ?? 0))
        host["CpusetCpus"] = .string(flags.string("cpuset-cpus") ?? "")
        host["CpusetMems"] = .string(flags.string("cpuset-mems") ?? "")
        host["Devices"] = .array(try flags.list("device").map { spec throws(CLIError) in try DeviceSpec.parse(spec) })
        host["DeviceCgroupRules"] = strings("device-cgroup-rule")
        host["DeviceRequests"] = .null
        host["MemoryReservation"] = .int(try bytes("memory-reservation"))
        host["MemorySwap"] = .int(try bytes("memory-swap"))
        let swappiness = flags.int("memory-swappiness") ?? -1
        host["MemorySwappiness"] = swappiness == -1 ? .null : .int(Int64(swappiness))
        host["OomKillDisable"] = .bool(flags.bool("oom-kill-disable"))
        host["PidsLimit"] = flags.isSet("pids-limit") ? .int(Int64(flags.int("pids-limit") ?? 0)) : .null
        host["Ulimits"] = flags.list("ulimit").isEmpty ? .null : .array(try flags.list("ulimit").map { spec throws(CLIError) in try UlimitSpec.parse(spec) })
        host["CpuCount"] = 0
        host["CpuPercent"] = 0
        host["IOMaximumIOps"] = 0
        host["IOMaximumBandwidth"] = 0
        if !mounts.isEmpty { host["Mounts"] = .array(mounts) }
        if flags.isSet("init") { host["Init"] = .bool(flags.bool("init")) }
        return host
    }

    /// One endpoint per `--network` (the first also carries `--ip`, `--ip6` and
    /// `--network-alias`), or one for the default network.
    private static func networkingConfig(_ flags: ParsedFlags) -> JSONValue {
        var endpoints = JSONObject()
        let networks = flags.list("network").isEmpty ? ["default"] : flags.list("network")
        for (i, network) in networks.enumerated() {
            let name = network.hasPrefix("name=") ? String(network.dropFirst(5).prefix(while: { $0 != "," })) : network
            var endpoint = JSONObject()
            var ipam = JSONObject()
            if i == 0, let ip = flags.string("ip") { ipam["IPv4Address"] = .string(ip) }
            if i == 0, let ip = flags.string("ip6") { ipam["IPv6Address"] = .string(ip) }
            endpoint["IPAMConfig"] = ipam.isEmpty ? .null : .object(ipam)
            endpoint["Links"] = .null
            let aliases = i == 0 ? flags.list("network-alias") : []
            endpoint["Aliases"] = aliases.isEmpty ? .null : .array(aliases.map { .string($0) })
            endpoint["MacAddress"] = .string(i == 0 ? flags.string("mac-address") ?? "" : "")
            endpoint["DriverOpts"] = .null
            endpoint["GwPriority"] = 0
            endpoint["NetworkID"] = ""
            endpoint["EndpointID"] = ""
            endpoint["Gateway"] = ""
            endpoint["IPAddress"] = ""
            endpoint["IPPrefixLen"] = 0
            endpoint["IPv6Gateway"] = ""
            endpoint["GlobalIPv6Address"] = ""
            endpoint["GlobalIPv6PrefixLen"] = 0
            endpoint["DNSNames"] = .null
            endpoints[name] = .object(endpoint)
        }
        return ["EndpointsConfig": .object(endpoints)]
    }

    /// `--health-*` as `Config.Healthcheck` (durations in nanoseconds), or `NONE` for
    /// `--no-healthcheck`.
    private static func healthcheck(_ flags: ParsedFlags) throws(CLIError) -> JSONValue? {
        let durations = ["health-interval", "health-timeout", "health-start-period", "health-start-interval"]
        let anySet = flags.isSet("health-cmd") || flags.isSet("health-retries") || durations.contains { flags.isSet($0) }
        if flags.bool("no-healthcheck") {
            if anySet { throw CLIError("--no-healthcheck conflicts with --health-* options", status: 125) }
            return ["Test": ["NONE"]]
        }
        guard anySet else { return nil }
        var health = JSONObject()
        if let command = flags.string("health-cmd"), !command.isEmpty { health["Test"] = ["CMD-SHELL", .string(command)] }
        for (flag, key) in zip(durations, ["Interval", "Timeout", "StartPeriod", "StartInterval"]) {
            guard let text = flags.string(flag) else { continue }
            guard let seconds = GoDuration.parse(text) else {
                throw CLIError("invalid argument \"\(text)\" for \"--\(flag)\" flag: time: invalid duration \"\(text)\"", status: 125)
            }
            if seconds < 0 { throw CLIError("--\(flag) cannot be negative", status: 125) }
            if seconds > 0 { health[key] = .int(Int64((seconds * 1e9).rounded())) }
        }
        if let retries = flags.int("health-retries"), retries != 0 { health["Retries"] = .int(Int64(retries)) }
        return .object(health)
    }

    /// Lines of `KEY=value` from an env or label file; `#` comments and blank lines are
    /// skipped, a bare env name takes the local value.
    static func readKeyValueFile(
        _ path: String, readFile: FileReader, environment: [String: String], kind: String
    ) throws(CLIError) -> [String] {
        let text: String
        do { text = try readFile(path) } catch { throw CLIError("open \(path): no such file or directory", status: 125) }
        var out: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let (key, value) = line.splitOnce("=")
            if key.isEmpty { throw CLIError("invalid \(kind) file (\(path)): no variable name on line '\(line)'", status: 125) }
            if value == nil && kind == "env" {
                if let local = environment[key] { out.append("\(key)=\(local)") }
                continue
            }
            out.append(line)
        }
        return out
    }
}
