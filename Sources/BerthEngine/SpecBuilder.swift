#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthRuntime
import BerthSystem

/// Turns a container's Docker config, its image's config and HostConfig into the OCI
/// runtime spec the shim runs, with Docker's defaults: capabilities, seccomp profile,
/// masked and read-only paths, /etc/hostname, /etc/hosts and /etc/resolv.conf.
struct SpecBuilder {
    let container: Container
    let image: ImageConfig.Container?
    let rootfs: String
    let containerDir: String
    /// At create time the rootfs is not mounted: user names are resolved at start.
    var validating = false
    /// The network namespace, as the network mode wants it (see `apply(_: NetworkPlan)`).
    var ownNetns = true
    var joinNetns: String?
    /// `--link` variables, before the container's own `Env`.
    var linkEnv: [String] = []
    /// The hostname the network mode chose (`container:X` takes X's).
    var networkHostname: String?

    static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// `Entrypoint` + `Cmd` as Docker combines them: a container Entrypoint drops the
    /// image's Cmd.
    static func command(config: ContainerConfig, image: ImageConfig.Container?) -> [String] {
        let entrypoint = config.entrypoint ?? image?.entrypoint ?? []
        let cmd = config.cmd ?? (config.entrypoint != nil ? [] : image?.cmd ?? [])
        return entrypoint + cmd
    }

    var hostname: String {
        networkHostname ?? container.config.hostname.flatMap { $0.isEmpty ? nil : $0 } ?? container.shortID
    }

    mutating func apply(_ net: NetworkPlan) {
        ownNetns = net.ownNamespace
        joinNetns = net.joinPath
        linkEnv = net.env
        networkHostname = net.hostname
    }

    func build() throws -> Spec {
        let config = container.config, host = container.hostConfig
        let tty = config.tty ?? false
        let args = [container.path] + container.args
        var spec = try Spec.dockerDefault(args: host.init_ == true ? [Self.initPath, "--"] + args : args, terminal: tty)
        spec.root = .init(path: rootfs, readonly: host.readonlyRootfs ?? false)
        spec.hostname = hostname
        spec.process?.env = environment(tty: tty)
        if let wd = config.workingDir, !wd.isEmpty, !wd.hasPrefix("/") {
            throw EngineErrorLike.invalid("the working directory '\(wd)' is invalid, it needs to be an absolute path")
        }
        spec.process?.cwd = config.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? image?.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        spec.process?.user = try user()
        try applyCapabilities(&spec)
        try applySecurityOptions(&spec)
        let limits = try rlimits(spec.process?.rlimits ?? [])
        spec.process?.rlimits = limits
        // The user's mounts replace Docker's defaults at the same place (`--tmpfs /dev/shm`).
        let own = try binds() + (try tmpfs()) + (try initMount())
        spec.mounts = Spec.defaultMounts.filter { m in !own.contains { $0.destination == m.destination } }
            + etcMounts() + own
        var namespaces: [Spec.Namespace] = [.init(type: .pid), .init(type: .ipc), .init(type: .uts), .init(type: .mount)]
        if host.networkMode != "host" && ownNetns { namespaces.append(.init(type: .network, path: joinNetns)) }
        spec.linux?.namespaces = namespaces
        spec.linux?.cgroupsPath = "/berth/\(container.id)"
        spec.linux?.resources = try resources()
        // A new network namespace starts with loopback down; Docker's containers have it up:
        // the shim's runtime brings it up (CreateOptions.loopbackUp).
        return spec
    }

    private func environment(tty: Bool) -> [String] {
        var env: [(String, String)] = []
        func set(_ entry: String) {
            let key = String(entry.prefix { $0 != "=" })
            env.removeAll { $0.0 == key }
            env.append((key, entry))
        }
        set(Self.defaultPath)
        set("HOSTNAME=\(hostname)")
        (image?.env ?? []).forEach(set)
        if tty { set("TERM=xterm") }
        linkEnv.forEach(set)
        (container.config.env ?? []).forEach(set)
        return env.map(\.1)
    }

    func resolveUser() throws -> Spec.User { try user() }

    /// `uid`, `uid:gid`, `name` or `name:group`, names looked up in the container's files.
    private func user() throws -> Spec.User {
        let text = container.config.user.flatMap { $0.isEmpty ? nil : $0 } ?? image?.user ?? ""
        if text.isEmpty || validating { return Spec.User() }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let passwd = (try? Files.readString(rootfs + "/etc/passwd")) ?? ""
        var uid: UInt32, gid: UInt32 = 0
        if let n = UInt32(parts[0]) {
            uid = n
            if let entry = lookup(passwd, field: 2, equals: parts[0]) { gid = UInt32(entry[3]) ?? 0 }
        } else if let entry = lookup(passwd, field: 0, equals: parts[0]) {
            uid = UInt32(entry[2]) ?? 0
            gid = UInt32(entry[3]) ?? 0
        } else {
            throw EngineErrorLike.invalid("unable to find user \(parts[0]): no matching entries in passwd file")
        }
        if parts.count > 1 {
            if let n = UInt32(parts[1]) { gid = n } else {
                let group = (try? Files.readString(rootfs + "/etc/group")) ?? ""
                guard let entry = lookup(group, field: 0, equals: parts[1]) else {
                    throw EngineErrorLike.invalid("unable to find group \(parts[1]): no matching entries in group file")
                }
                gid = UInt32(entry[2]) ?? 0
            }
        }
        return Spec.User(uid: uid, gid: gid)
    }

    private func lookup(_ file: String, field: Int, equals value: String) -> [String]? {
        for line in file.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if f.count > max(field, 3), f[field] == value { return f }
        }
        return nil
    }

    private func applyCapabilities(_ spec: inout Spec) throws {
        let host = container.hostConfig
        var caps = host.privileged == true ? Capabilities.available : Capabilities.dockerDefault
        func normalize(_ c: String) throws -> String {
            let up = c.uppercased()
            if up == "ALL" { return up }
            let name = up.hasPrefix("CAP_") ? up : "CAP_" + up
            guard Capabilities.number(name) != nil else { throw EngineErrorLike.invalid("unknown capability: \"\(c)\"") }
            return name
        }
        let add = try (host.capAdd ?? []).map(normalize), drop = try (host.capDrop ?? []).map(normalize)
        if drop.contains("ALL") { caps = [] } else { caps.removeAll { drop.contains($0) } }
        if add.contains("ALL") { caps = Capabilities.available } else { caps += add.filter { !caps.contains($0) } }
        spec.process?.capabilities = .init(bounding: caps, effective: caps, inheritable: nil, permitted: caps)
        if host.privileged == true {
            spec.linux?.seccomp = nil
            spec.linux?.maskedPaths = []
            spec.linux?.readonlyPaths = []
            spec.mounts = spec.mounts?.map { m in
                var m = m
                if m.destination == "/sys" || m.destination == "/sys/fs/cgroup" { m.options = m.options?.filter { $0 != "ro" } }
                return m
            }
        } else {
            spec.linux?.seccomp = try DockerSeccompProfile.dockerDefault().oci(capabilities: caps, arch: Spec.hostArch,
                                                                                kernel: Spec.kernelVersion)
        }
    }

    private func applySecurityOptions(_ spec: inout Spec) throws {
        for opt in container.hostConfig.securityOpt ?? [] {
            let kv = opt.split(separator: opt.contains("=" as Character) ? "=" : ":", maxSplits: 1).map(String.init)
            switch (kv.first, kv.count > 1 ? kv[1] : nil) {
            case ("no-new-privileges", let v): spec.process?.noNewPrivileges = v == nil || v == "true"
            case ("seccomp", "unconfined"): spec.linux?.seccomp = nil
            case ("seccomp", "builtin"): continue
            case ("seccomp", let value?):
                // Clients send the profile itself (the docker CLI reads `seccomp=FILE`);
                // a path is read here for older clients.
                let bytes: [UInt8]
                if value.hasPrefix("{") { bytes = Array(value.utf8) } else {
                    guard let file = try? Files.read(value) else { throw EngineErrorLike.invalid("opening seccomp profile (\(value)) failed") }
                    bytes = file
                }
                let profile: DockerSeccompProfile
                do { profile = try OCIJSON.decode(DockerSeccompProfile.self, from: bytes) } catch {
                    throw EngineErrorLike.invalid("decoding seccomp profile failed: \(OCIJSON.describe(error))")
                }
                let caps = spec.process?.capabilities?.bounding ?? []
                spec.linux?.seccomp = profile.oci(capabilities: caps, arch: Spec.hostArch, kernel: Spec.kernelVersion)
            case ("apparmor", _), ("label", _): continue
            default: throw EngineErrorLike.invalid("invalid --security-opt: \"\(opt)\"")
            }
        }
    }

    private func etcMounts() -> [Spec.Mount] {
        ["hostname", "hosts", "resolv.conf"].map {
            Spec.Mount(destination: "/etc/" + $0, type: "bind", source: containerDir + "/" + $0,
                       options: ["rbind", "rprivate"])
        }
    }

    /// The container's binds, volumes and `--mount` tmpfs, as create resolved them (records
    /// from before volumes: their `Binds`, planned now).
    private func binds() throws -> [Spec.Mount] {
        let points: [MountPoint]
        if let resolved = container.volumes?.mountPoints {
            points = resolved
        } else {
            points = try MountPlanner.plan(binds: container.hostConfig.binds ?? [], config: ContainerVolumeConfig(),
                                           imageVolumes: [], tmpfs: [], volumesFrom: []).points
        }
        return points.map { p in
            switch p.type {
            case "tmpfs":
                return Spec.Mount(destination: p.destination, type: "tmpfs", source: "tmpfs",
                                  options: ["noexec", "nosuid", "nodev"] + (p.rw ? [] : ["ro"]) + p.tmpfsOptions)
            default:
                // Docker creates missing `-v` bind sources, at start: not while validating a create.
                if p.type == "bind" && p.createSource && !validating && !Files.exists(p.source) { try? Files.mkdirAll(p.source) }
                let source = p.subpath.isEmpty ? p.source : p.source + "/" + p.subpath
                let propagation = p.propagation.isEmpty ? "rprivate" : p.propagation
                return Spec.Mount(destination: p.destination, type: "bind", source: source,
                                  options: [p.nonRecursive == true ? "bind" : "rbind"] + (p.rw ? [] : ["ro"]) + [propagation])
            }
        }
    }

    /// `--tmpfs /run:size=1m`: Docker's `noexec,nosuid,nodev` unless the options say otherwise.
    private func tmpfs() throws -> [Spec.Mount] {
        try (container.hostConfig.tmpfs ?? [:]).sorted { $0.key < $1.key }.map { dest, data in
            guard dest.hasPrefix("/") else {
                throw EngineErrorLike.invalid("invalid mount config for type \"tmpfs\": invalid mount path: '\(dest)' mount path must be absolute")
            }
            guard dest != "/" else { throw EngineErrorLike.invalid("invalid tmpfs mount: destination can't be '/'") }
            let given = data.split(separator: ",").map(String.init)
            for opt in given {
                // Checked here, so that a bad size is a 400 at create, not a failed mount at start.
                let (key, value) = (opt.prefix { $0 != "=" }, opt.drop { $0 != "=" }.dropFirst())
                let number = value.hasSuffix("%") || "kKmMgG".contains(value.last ?? " ") ? value.dropLast() : value
                let ok = switch key {
                case "size", "nr_blocks", "nr_inodes": !number.isEmpty && number.allSatisfy(\.isNumber)
                case "mode": !value.isEmpty && value.allSatisfy { ("0"..."7").contains($0) }
                case "uid", "gid": UInt32(value) != nil
                default: true
                }
                guard ok else { throw EngineErrorLike.invalid("invalid tmpfs option \"\(opt)\" for \(dest)") }
            }
            var options = given
            for (flag, opposite) in [("noexec", "exec"), ("nosuid", "suid"), ("nodev", "dev")]
            where !given.contains(flag) && !given.contains(opposite) {
                options.insert(flag, at: 0)
            }
            return Spec.Mount(destination: dest, type: "tmpfs", source: "tmpfs", options: options)
        }
    }

    /// The berth-init binary that `--init` mounts at /sbin/docker-init: next to berthd,
    /// or BERTH_INIT.
    static var initBinary: String {
        if let env = getenv("BERTH_INIT") { return String(cString: env) }
        return Files.dirname(Files.readlink("/proc/self/exe") ?? "/usr/local/bin/berthd") + "/berth-init"
    }

    /// Where `--init` puts the init inside the container: Docker's path.
    static let initPath = "/sbin/docker-init"

    private func initMount() throws -> [Spec.Mount] {
        guard container.hostConfig.init_ == true else { return [] }
        let binary = Self.initBinary
        guard access(binary, X_OK) == 0 else {
            throw EngineErrorLike.invalid("--init: berth-init not found at `\(binary)`")
        }
        return [Spec.Mount(destination: Self.initPath, type: "bind", source: binary, options: ["rbind", "ro", "rprivate"])]
    }

    /// `--ulimit name=soft:hard` over the defaults, checked as Docker's go-units does.
    private func rlimits(_ defaults: [Spec.Rlimit]) throws -> [Spec.Rlimit] {
        var out = defaults
        for u in container.hostConfig.ulimits ?? [] {
            let type = "RLIMIT_" + u.name.uppercased()
            guard Rlimits.numbers[type] != nil else { throw EngineErrorLike.invalid("invalid ulimit type: \(u.name)") }
            guard u.soft <= u.hard || u.hard == -1 else {
                throw EngineErrorLike.invalid("ulimit soft limit must be less than or equal to hard limit: \(u.soft) > \(u.hard)")
            }
            // -1 is unlimited (RLIM_INFINITY), as Docker reads it.
            let limit = { (v: Int64) in v < 0 ? UInt64.max : UInt64(v) }
            out.removeAll { $0.type == type }
            out.append(Spec.Rlimit(type: type, hard: limit(u.hard), soft: limit(u.soft)))
        }
        return out
    }

    /// The limits, as Engine+Resources builds them (create has validated them).
    private func resources() throws -> Spec.Resources {
        Engine.specResources(container.hostConfig)
    }
}

/// Errors the spec builder finds in the user's request (the engine maps them to 400s).
enum EngineErrorLike: Error, CustomStringConvertible {
    case invalid(String)
    var description: String { switch self { case .invalid(let m): m } }
}
