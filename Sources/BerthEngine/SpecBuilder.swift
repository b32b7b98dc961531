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
    var loopbackHook = true
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
        loopbackHook = net.loopbackHook
        linkEnv = net.env
        networkHostname = net.hostname
    }

    func build() throws -> Spec {
        let config = container.config, host = container.hostConfig
        let tty = config.tty ?? false
        var spec = try Spec.dockerDefault(args: [container.path] + container.args, terminal: tty)
        spec.root = .init(path: rootfs, readonly: host.readonlyRootfs ?? false)
        spec.hostname = hostname
        spec.process?.env = environment(tty: tty)
        spec.process?.cwd = config.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? image?.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        spec.process?.user = try user()
        try applyCapabilities(&spec)
        try applySecurityOptions(&spec)
        spec.mounts = Spec.defaultMounts + etcMounts() + (try binds())
        var namespaces: [Spec.Namespace] = [.init(type: .pid), .init(type: .ipc), .init(type: .uts), .init(type: .mount)]
        if host.networkMode != "host" && ownNetns { namespaces.append(.init(type: .network, path: joinNetns)) }
        spec.linux?.namespaces = namespaces
        spec.linux?.cgroupsPath = "/berth/\(container.id)"
        spec.linux?.resources = try resources()
        if host.networkMode != "host" && ownNetns && joinNetns == nil && loopbackHook {
            // A new network namespace starts with loopback down; Docker's containers have it up.
            var hooks = Spec.Hooks()
            hooks.createContainer = [.init(path: ShimProcess.binary, args: ["berth-shim", "hook", "loopback-up"])]
            spec.hooks = hooks
        }
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
        var caps = host.privileged == true ? Capabilities.all : Capabilities.dockerDefault
        func normalize(_ c: String) throws -> String {
            let up = c.uppercased()
            if up == "ALL" { return up }
            let name = up.hasPrefix("CAP_") ? up : "CAP_" + up
            guard Capabilities.number(name) != nil else { throw EngineErrorLike.invalid("unknown capability: \"\(c)\"") }
            return name
        }
        let add = try (host.capAdd ?? []).map(normalize), drop = try (host.capDrop ?? []).map(normalize)
        if drop.contains("ALL") { caps = [] } else { caps.removeAll { drop.contains($0) } }
        if add.contains("ALL") { caps = Capabilities.all } else { caps += add.filter { !caps.contains($0) } }
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
            let kv = opt.split(separator: opt.contains("=") ? "=" : ":", maxSplits: 1).map(String.init)
            switch (kv.first, kv.count > 1 ? kv[1] : nil) {
            case ("no-new-privileges", let v): spec.process?.noNewPrivileges = v == nil || v == "true"
            case ("seccomp", "unconfined"): spec.linux?.seccomp = nil
            case ("seccomp", let path?):
                guard let bytes = try? Files.read(path) else { throw EngineErrorLike.invalid("opening seccomp profile (\(path)) failed") }
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

    /// `-v /host:/container[:ro|rw]` host binds.
    private func binds() throws -> [Spec.Mount] {
        try (container.hostConfig.binds ?? []).map { bind in
            let parts = bind.split(separator: ":").map(String.init)
            guard parts.count >= 2, parts.count <= 3, parts[0].hasPrefix("/"), parts[1].hasPrefix("/") else {
                throw EngineErrorLike.invalid("invalid volume specification: '\(bind)'")
            }
            let mode = parts.count == 3 ? parts[2].split(separator: ",").map(String.init) : []
            for m in mode where !["ro", "rw", "z", "Z", "rprivate", "private", "rslave", "slave", "rshared", "shared"].contains(m) {
                throw EngineErrorLike.invalid("invalid mode: \(m)")
            }
            if !Files.exists(parts[0]) { try Files.mkdirAll(parts[0]) }   // Docker creates missing bind sources
            return Spec.Mount(destination: parts[1], type: "bind", source: parts[0],
                              options: ["rbind"] + (mode.contains("ro") ? ["ro"] : []) + ["rprivate"])
        }
    }

    private func resources() throws -> Spec.Resources {
        let h = container.hostConfig
        var r = Spec.Resources()
        r.devices = [Spec.DeviceCgroup(allow: false, access: "rwm")]
        for (name, v) in [("memory", h.memory), ("memory-swap", h.memorySwap), ("cpu-shares", h.cpuShares),
                          ("nano-cpus", h.nanoCpus)] where (v ?? 0) < 0 && !(name == "memory-swap" && v == -1) {
            throw EngineErrorLike.invalid("invalid \(name): \(v ?? 0) must not be negative")
        }
        if let m = h.memory, m > 0 {
            if m < 6 * 1024 * 1024 { throw EngineErrorLike.invalid("Minimum memory limit allowed is 6MB") }
            r.memory = Spec.Memory(limit: m, swap: h.memorySwap.flatMap { $0 == 0 ? nil : $0 } ?? m * 2)
        }
        var cpu = Spec.CPU()
        if let n = h.nanoCpus, n > 0 { cpu.period = 100_000; cpu.quota = n * 100_000 / 1_000_000_000 }
        if let s = h.cpuShares, s > 0 { cpu.shares = UInt64(s) }
        if cpu != Spec.CPU() { r.cpu = cpu }
        if let p = h.pidsLimit, p > 0 { r.pids = Spec.Pids(limit: p) }
        return r
    }
}

/// Errors the spec builder finds in the user's request (the engine maps them to 400s).
enum EngineErrorLike: Error, CustomStringConvertible {
    case invalid(String)
    var description: String { switch self { case .invalid(let m): m } }
}
