#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthNetwork
import BerthRuntime
import BerthSystem

/// What `start` needs from the container's network mode.
struct NetworkPlan {
    /// `container:X`: join X's namespace at this path.
    var joinPath: String?
    /// false for `host`: no network namespace of its own.
    var ownNamespace = true
    /// `none` (and modes without netavark): bring loopback up with the shim's hook.
    var loopbackHook = true
    /// The sandbox's setup, under way in the namespace at `joinPath` while the shim creates
    /// the container there; waited for before the container starts.
    var activation: Activation?
    var hostname: String
    var hosts: String
    var resolvConf: String
    /// `--link` variables (`ALIAS_PORT_80_TCP=…`).
    var env: [String] = []
}

extension NetworkError {
    /// The engine's kinds for the API's statuses; Docker's messages stay as they are.
    var engineError: EngineError {
        switch kind {
        case .notFound: EngineError(.notFound, message)
        case .conflict: EngineError(.conflict, message)
        case .invalid: EngineError(.invalidArgument, message)
        case .forbidden: EngineError(.forbidden, message)
        case .failed: EngineError(.internalError, message)
        }
    }
}

extension Engine {
    /// The network mode with Docker's `default` resolved.
    nonisolated static func networkMode(_ c: Container) -> String {
        let m = c.hostConfig.networkMode ?? ""
        return m.isEmpty || m == "default" ? "bridge" : m
    }

    /// Create-time checks, with Docker's messages: the network exists, ports parse, options
    /// that conflict with `container:` mode, link targets exist.
    func validateNetwork(_ c: Container, imageExposed: [String]) throws {
        let net = c.network ?? ContainerNetworkConfig()
        let mode = Self.networkMode(c)
        do { _ = try net.bindings(imageExposed: imageExposed) } catch { throw EngineError.invalidArgument(error.description) }
        if mode.hasPrefix("container:") {
            if !net.portBindings.isEmpty || net.publishAllPorts {
                throw EngineError.invalidArgument("conflicting options: port publishing and the container type network mode")
            }
            if !(c.config.hostname ?? "").isEmpty {
                throw EngineError.invalidArgument("conflicting options: hostname and the network mode")
            }
            if !net.dns.isEmpty { throw EngineError.invalidArgument("conflicting options: dns and the network mode") }
            if !net.extraHosts.isEmpty {
                throw EngineError.invalidArgument("conflicting options: custom host-to-IP mapping and the network mode")
            }
            if !net.links.isEmpty {
                throw EngineError.invalidArgument("conflicting options: container type network can't be used with links. This would result in undefined behavior")
            }
            _ = try lookup(String(mode.dropFirst("container:".count)))
        }
        // An unknown network fails at start, as in Docker: a 404 from create would make the
        // docker CLI think the image is missing and try to pull it.
        for h in net.extraHosts {
            let (name, ip) = Self.splitHost(h)
            guard !name.isEmpty, ip == "host-gateway" || IPv4Address(ip) != nil || ip.contains(":") else {
                throw EngineError.invalidArgument("invalid IP address in add-host: \"\(ip)\"")
            }
        }
        for link in net.links {
            let target = Self.linkParts(link).name
            guard (try? lookup(target)) != nil else { throw EngineError.notFound("could not get container for \(target)") }
        }
    }

    /// `host:ip` or `host=ip` (IPv6 addresses keep their colons).
    nonisolated static func splitHost(_ entry: String) -> (String, String) {
        let sep = entry.firstIndex(where: { $0 == "=" }) ?? entry.firstIndex(of: ":") ?? entry.endIndex
        let name = String(entry[..<sep])
        let ip = sep == entry.endIndex ? "" : String(entry[entry.index(after: sep)...])
        return (name, ip)
    }

    /// `web:alias`, or the `/web:/child/alias` form Docker stores.
    nonisolated static func linkParts(_ link: String) -> (name: String, alias: String) {
        let parts = link.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts[0].hasPrefix("/") ? String(parts[0].dropFirst()) : parts[0]
        let alias = parts.count > 1 ? String(parts[1].split(separator: "/").last ?? "") : name
        return (name, alias)
    }

    /// Leases the container's network (for bridge modes) and renders its /etc files.
    func planNetwork(_ c: Container, hostname: String, imageExposed: [String]) throws -> NetworkPlan {
        let net = c.network ?? ContainerNetworkConfig()
        let mode = Self.networkMode(c)
        let hostResolv = (try? Files.readString("/etc/resolv.conf")) ?? ""
        let extra = net.extraHosts.map { h -> (name: String, ip: String) in
            let (name, ip) = Self.splitHost(h)
            return (name, ip == "host-gateway" ? (try? network.network("bridge"))?.gateway ?? ip : ip)
        }
        let resolv = { (embedded: String?) in
            EtcFiles.resolvConf(host: hostResolv, dns: net.dns, search: net.dnsSearch, options: net.dnsOptions, embedded: embedded)
        }
        switch mode {
        case "host":
            var hosts = (try? Files.readString("/etc/hosts")) ?? EtcFiles.hosts(address: nil, hostname: hostname, extraHosts: [], links: [])
            for h in extra { hosts += "\(h.ip)\t\(h.name)\n" }
            return NetworkPlan(ownNamespace: false, loopbackHook: false, hostname: hostname, hosts: hosts,
                               resolvConf: net.dns.isEmpty && net.dnsSearch.isEmpty && net.dnsOptions.isEmpty ? hostResolv : resolv(nil))
        case "none":
            return NetworkPlan(hostname: hostname, hosts: EtcFiles.hosts(address: nil, hostname: hostname, extraHosts: extra, links: []),
                               resolvConf: resolv(nil))
        case let m where m.hasPrefix("container:"):
            let other = try lookup(String(m.dropFirst("container:".count)))
            guard other.state.running, other.state.pid > 0 else {
                throw EngineError.conflict("cannot join network of a non running container: \(other.id)")
            }
            let dir = containerDir(other.id)
            let path = network.sandbox(other.id)?.netnsPath ?? "/proc/\(other.state.pid)/ns/net"
            return NetworkPlan(joinPath: path, loopbackHook: false,
                               hostname: (try? Files.readString(dir + "/hostname"))?.trimmingSpaces ?? hostname,
                               hosts: (try? Files.readString(dir + "/hosts")) ?? "", resolvConf: (try? Files.readString(dir + "/resolv.conf")) ?? "")
        default:
            break
        }
        // Bridge networks: the primary one (the mode), then any connected while stopped.
        var attachments = [SandboxRequest.Attachment(network: mode, aliases: net.endpoints[mode]?.aliases ?? [],
                                                      address: net.endpoints[mode]?.ipv4Address)]
        for (name, e) in net.endpoints.sorted(by: { $0.key < $1.key }) where name != mode && !["host", "none", "default", "bridge"].contains(name) {
            attachments.append(.init(network: name, aliases: e.aliases ?? [], address: e.ipv4Address))
        }
        let primary: NetworkRecord
        do { primary = try network.network(mode) } catch { throw error.engineError }
        // Legacy links, on the default bridge only (Docker ignores them elsewhere).
        var linkHosts: [(ip: String, names: [String])] = [], env: [String] = []
        if primary.name == "bridge" {
            for link in net.links {
                let (name, alias) = Self.linkParts(link)
                let target = try lookup(name)
                guard target.state.running, let ep = network.sandbox(target.id)?.endpoints.first(where: { $0.networkName == "bridge" }) else {
                    throw EngineError.invalidArgument("Cannot link to a non running container: /\(target.name) AS /\(c.name)/\(alias)")
                }
                linkHosts.append((ep.address, [alias, target.shortID, target.name].reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }))
                env += Self.linkEnv(alias: alias, child: c.name, target: target, address: ep.address)
            }
        }
        if let old = network.sandbox(c.id) { network.release(old.containerID) }
        let ports: [PortBinding]
        do { ports = try net.bindings(imageExposed: imageExposed) } catch { throw EngineError.invalidArgument(error.description) }
        let sandbox: Sandbox
        do {
            sandbox = try network.prepare(SandboxRequest(containerID: c.id, containerName: c.name, hostname: hostname,
                                                         attachments: attachments, ports: ports, links: net.links))
        } catch let e as NetworkError { throw e.engineError }
        let address = sandbox.endpoints.first?.address
        let made: (path: String, activation: Activation)?
        do { made = try network.activateInBackground(c.id) } catch let e as NetworkError { throw e.engineError }
        return NetworkPlan(joinPath: made?.path, loopbackHook: false, activation: made?.activation, hostname: hostname,
                           hosts: EtcFiles.hosts(address: address, hostname: hostname, extraHosts: extra, links: linkHosts),
                           resolvConf: resolv(primary.dns ? primary.gateway : nil), env: env)
    }

    /// Docker's link variables (`daemon/links`): `ALIAS_PORT`, `ALIAS_PORT_80_TCP{,_ADDR,_PORT,_PROTO}`,
    /// `ALIAS_NAME`, and `ALIAS_ENV_*` from the target's environment.
    nonisolated static func linkEnv(alias: String, child: String, target: Container, address: String) -> [String] {
        let prefix = alias.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce(into: "") { $0.append($1) }
        let ports = (target.network?.exposedPorts ?? []).compactMap { try? ContainerNetworkConfig.parsePort($0) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var env: [String] = []
        if let (p, proto) = ports.first { env.append("\(prefix)_PORT=\(proto)://\(address):\(p)") }
        for (p, proto) in ports {
            let key = "\(prefix)_PORT_\(p)_\(proto.uppercased())"
            env += ["\(key)=\(proto)://\(address):\(p)", "\(key)_ADDR=\(address)", "\(key)_PORT=\(p)", "\(key)_PROTO=\(proto)"]
        }
        env.append("\(prefix)_NAME=/\(child)/\(alias)")
        for entry in target.config.env ?? [] {
            let (name, value) = (String(entry.prefix { $0 != "=" }), String(entry.drop { $0 != "=" }.dropFirst()))
            if name == "HOME" || name == "PATH" || !entry.contains("=") { continue }
            env.append("\(prefix)_ENV_\(name)=\(value)")
        }
        return env
    }

    /// After the shim created the container (its init waits before the user's program): wait
    /// for the sandbox's setup, under way since `planNetwork`.
    func awaitNetwork(_ plan: NetworkPlan) throws {
        do { try plan.activation?.wait() } catch let e as NetworkError { throw e.engineError }
    }

    /// Releases a container's network from a plain thread (netavark takes tens of ms): its
    /// leases stay recorded until the teardown is done.
    nonisolated func releaseNetworkLater(_ id: String) {
        guard let nonce = network.sandbox(id)?.nonce else { return }
        let manager = network
        Threads.detach { manager.release(id, nonce: nonce) }
    }

    /// After a restart: sandboxes of containers that no longer run are owed a teardown.
    /// Also what network removal and daemon stop wait for: teardowns still under way.
    func restoreNetworks() {
        for sb in network.sandboxes() where containers[sb.containerID]?.state.running != true {
            network.release(sb.containerID)
        }
    }

    /// Before the engine goes away: finish owed teardowns, and remove the networks' anchors
    /// when nothing runs. (Registry work needs nothing here: each runs in its own berth-fetch.)
    public func shutdown() async {
        restoreNetworks()
        network.removeAnchorsIfIdle()
    }
}
