#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthImage
import BerthOCI
import BerthSystem

extension Engine {
    /// `POST /containers/create`: resolves the image, unpacks its layers, makes the
    /// container's writable snapshot and records it. Nothing runs yet.
    public func create(name: String?, request: CreateRequest) async throws -> Container {
        guard let imageName = request.config.image, !imageName.isEmpty else {
            throw EngineError.invalidArgument("config cannot be empty in order to create a container")
        }
        var taken = Set(containers.values.map(\.name))
        let chosen: String
        if let name, !name.isEmpty {
            let n = name.hasPrefix("/") ? String(name.dropFirst()) : name
            guard Names.isValid(n) else {
                throw EngineError.invalidArgument("Invalid container name (\(name)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
            }
            if let other = containers.values.first(where: { $0.name == n }) {
                throw EngineError.conflict("Conflict. The container name \"/\(n)\" is already in use by container \"\(other.id)\". You have to remove (or rename) that container to be able to reuse that name.")
            }
            chosen = n
        } else {
            chosen = Names.generate(taken: taken)
        }
        taken.insert(chosen)
        try Self.validatePortBindings(request.hostConfig.portBindings)
        let record: ImageRecord, imageConfig: ImageConfig
        do { (record, imageConfig) = try resolveImage(imageName) } catch let e as EngineError where e.kind == .notFound {
            // As dockerd: the name as the user would write it, with its default tag.
            let familiar = (try? Reference.parseDocker(imageName))?.withDefaultTag().familiarString ?? imageName
            throw EngineError.notFound("No such image: \(familiar)")
        }
        let command = SpecBuilder.command(config: request.config, image: imageConfig.config)
        guard let path = command.first else {
            throw EngineError.invalidArgument("no command specified")
        }
        let id = Engine.newID()
        var c = Container(id: id, name: chosen, created: WallClock.rfc3339Nano(), image: imageName, imageID: record.id,
                          path: path, args: Array(command.dropFirst()), config: request.config,
                          hostConfig: request.hostConfig, state: Container.State(), network: request.network)
        c.config.image = imageName
        c.config.healthcheck = Self.mergedHealthcheck(request.config.healthcheck, image: imageConfig.config?.healthcheck)
        try Self.validateOps(request)
        c.hostConfig = Self.adaptResources(c.hostConfig)
        try validateNetwork(c, imageExposed: Array((imageConfig.config?.exposedPorts ?? [:]).keys))
        let mountPlan = try planMounts(request, imageVolumes: (imageConfig.config?.volumes ?? [:]).keys.sorted())
        c.volumes = request.volumes
        c.volumes?.mountPoints = mountPlan.points
        // Validate what the spec builder would refuse now, not at start.
        var check = specBuilder(c, imageConfig: imageConfig.config)
        check.validating = true
        try check.validate()
        let chain = try await prepareLayers(record, imageConfig)
        // The actor may have run another create while this one waited for the layers.
        if let other = containers.values.first(where: { $0.name == chosen }) {
            throw EngineError.conflict("Conflict. The container name \"/\(chosen)\" is already in use by container \"\(other.id)\". You have to remove (or rename) that container to be able to reuse that name.")
        }
        // A --rm container is removed after a crash anyway (as Docker does on restore), so it
        // need not reach the disk: no fsync on `run --rm`'s path.
        let durable = c.hostConfig.autoRemove != true
        var madeVolumes: [String] = []
        do {
            madeVolumes = try realizeMounts(mountPlan, into: &c)
            try Files.mkdirAll(containerDir(id), mode: 0o710)
            _ = try snapshots.createContainer(id: id, lowers: chain, durable: durable)
            try populateVolumes(&c, lowers: chain)
            try save(c, durable: durable)
            publish(c, "create")
        } catch {
            try? snapshots.removeContainer(id: id)
            try? Files.removeAll(containerDir(id))
            containers[id] = nil
            forgetVolumes(madeVolumes)
            if let e = error as? EngineError { throw e }
            throw EngineError.internalError("create container", cause: BerthError("\(error)"))
        }
        return c
    }

    /// `PortBindings` as dockerd checks them: `80/tcp` with a port or range in the key,
    /// and an empty, numeric or range host port.
    static func validatePortBindings(_ bindings: [String: [HostConfig.PortBinding]?]?) throws(EngineError) {
        func valid(_ port: String, emptyOK: Bool) -> Bool {
            if port.isEmpty { return emptyOK }
            let ends = port.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            let numbers = ends.map { UInt16($0) }
            guard numbers.allSatisfy({ $0 != nil }) else { return false }
            return numbers.count == 1 || numbers[0]! <= numbers[1]!
        }
        for (key, hosts) in (bindings ?? [:]).sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard valid(parts[0], emptyOK: false) else { throw .invalidArgument("invalid port specification: \"\(parts[0])\"") }
            if parts.count > 1, !["tcp", "udp", "sctp"].contains(parts[1].lowercased()) {
                throw .invalidArgument("invalid proto: \(parts[1])")
            }
            for host in hosts ?? [] where !valid(host.hostPort ?? "", emptyOK: true) {
                throw .invalidArgument("invalid port specification: \"\(host.hostPort ?? "")\"")
            }
        }
    }

    func specBuilder(_ c: Container, imageConfig: ImageConfig.Container?) -> SpecBuilder {
        SpecBuilder(container: c, image: imageConfig, rootfs: containerDir(c.id) + "/rootfs", containerDir: containerDir(c.id))
    }

    /// 64 hex digits from the kernel's random source, as Docker's IDs.
    static func newID() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()   // getrandom(2) underneath
        for i in bytes.indices { bytes[i] = rng.next() }
        return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

extension SpecBuilder {
    /// Builds the parts that can fail on user input (user, caps, binds, limits) and
    /// turns failures into 400s.
    func validate() throws {
        do {
            _ = try build()
        } catch let e as EngineErrorLike {
            throw EngineError.invalidArgument(e.description)
        }
    }
}
