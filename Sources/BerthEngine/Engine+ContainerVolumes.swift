#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthOCI
import BerthSystem

extension Engine {
    /// At create: a container's mounts from its `Binds`, `Mounts`, `VolumesFrom`,
    /// `Config.Volumes` and the image's `Volumes`, checked (volume names, drivers,
    /// options, bind sources) before anything is made.
    func planMounts(_ request: CreateRequest, imageVolumes: [String]) throws -> MountPlan {
        var from: [(spec: String, points: [MountPoint])] = []
        // A missing container or volume driver is a 400 here, not a 404: clients take a 404
        // from create for a missing image and go pulling it.
        for spec in request.volumes.volumesFrom {
            let ref = String(spec.prefix { $0 != ":" })
            let source: Container
            do { source = try lookup(ref) } catch { throw EngineError.invalidArgument(error.message) }
            from.append((spec, source.volumes?.mountPoints ?? []))
        }
        let plan: MountPlan
        do {
            plan = try MountPlanner.plan(binds: request.hostConfig.binds ?? [], config: request.volumes,
                                         imageVolumes: imageVolumes, tmpfs: Array((request.hostConfig.tmpfs ?? [:]).keys),
                                         volumesFrom: from)
        } catch { throw EngineError.invalidArgument(error.description) }
        for p in plan.points where p.type == "bind" && !p.createSource && !Files.exists(p.source) {
            throw EngineError.invalidArgument("invalid mount config for type \"bind\": bind source path does not exist: \(p.source)")
        }
        for (_, r) in plan.requests.sorted(by: { $0.key < $1.key }) {
            do { try checkVolume(name: r.name.isEmpty ? "anonymous" : r.name, driver: r.driver, options: r.options) } catch {
                throw error.kind == .notFound ? EngineError.invalidArgument(error.message) : error
            }
        }
        return plan
    }

    /// Makes the volumes the plan wants that do not exist yet (anonymous ones get a new
    /// name and Docker's anonymous label) and fills in the mount points' sources. Returns
    /// the names made, for the caller to remove if the create fails later.
    func realizeMounts(_ plan: MountPlan, into c: inout Container) throws -> [String] {
        var points = plan.points, made: [String] = []
        do {
            for (i, r) in plan.requests.sorted(by: { $0.key < $1.key }) {
                let name = r.name.isEmpty ? Engine.newID() : r.name
                var labels = r.labels
                if r.name.isEmpty { labels[VolumeRecord.anonymousLabel] = "" }
                let (_, isNew) = try makeVolume(name, labels: labels, options: r.options)
                if isNew { made.append(name) }
                points[i].name = name
                points[i].source = volumeStore.dataPath(name)
            }
            for i in points.indices where points[i].type == "volume" && points[i].source.isEmpty && !points[i].name.isEmpty {
                points[i].source = volumeStore.dataPath(points[i].name)   // from VolumesFrom
            }
        } catch {
            forgetVolumes(made)
            throw error
        }
        if c.volumes == nil { c.volumes = ContainerVolumeConfig() }
        c.volumes?.mountPoints = points
        return made
    }

    /// Removes volumes a failed create made.
    func forgetVolumes(_ names: [String]) {
        for name in names { try? destroyVolume(name) }
    }

    /// At create, as moby's `populateVolumes`: new empty volumes get the image's content at
    /// their path now, so another container mounting them sees it before this one starts.
    func populateVolumes(_ c: inout Container, lowers: [Digest]) throws {
        guard var points = c.volumes?.mountPoints, points.contains(where: { $0.type == "volume" && $0.copyData }) else { return }
        let rootfs = containerDir(c.id) + "/rootfs"
        try mountRootfs(c.id, rootfs: rootfs, lowers: lowers)
        defer { unmountRootfs(rootfs) }
        for i in points.indices where points[i].type == "volume" && points[i].copyData {
            let p = points[i]
            try volumeStore.use(p.name, by: c.id)
            defer { volumeStore.release(p.name, by: c.id) }
            if let inImage = CopyUp.resolveInScope(p.destination, root: rootfs) {
                try CopyUp.copy(from: inImage, into: p.source + (p.subpath.isEmpty ? "" : "/" + p.subpath))
            }
            points[i].copyData = false
        }
        c.volumes?.mountPoints = points
    }

    /// At start, with the rootfs mounted: mounts the volumes that are mounts, fills new
    /// empty volumes with the image's content (once), and announces each volume `mount`.
    func attachVolumes(_ c: inout Container, rootfs: String) throws {
        guard var points = c.volumes?.mountPoints else { return }
        var used: [String] = []
        do {
            for i in points.indices where points[i].type == "volume" {
                let p = points[i]
                guard volumeStore.get(p.name) != nil else {
                    throw EngineError.notFound("get \(p.name): no such volume")
                }
                do { try volumeStore.use(p.name, by: c.id) } catch {
                    throw EngineError.internalError("error while mounting volume '\(volumeStore.dataPath(p.name))'",
                                                    cause: BerthError("\(error)"))
                }
                used.append(p.name)
                if !p.subpath.isEmpty {
                    let path = p.source + "/" + p.subpath
                    guard Files.exists(path) else {
                        throw EngineError.invalidArgument("cannot access path \(path): no such file or directory")
                    }
                    // The volume's content is the containers' to write: a link in it must not
                    // make the bind's source a host path.
                    guard CopyUp.resolveInScope(p.subpath, root: p.source) == p.source + "/" + p.subpath.split(separator: "/").joined(separator: "/") else {
                        throw EngineError.invalidArgument("cannot access path \(path): the subpath goes through a symbolic link")
                    }
                }
                if p.copyData {
                    do {
                        if let inImage = CopyUp.resolveInScope(p.destination, root: rootfs) {
                            try CopyUp.copy(from: inImage, into: p.source + (p.subpath.isEmpty ? "" : "/" + p.subpath))
                        }
                    } catch {
                        throw EngineError.internalError("copy image content into volume \(p.name)", cause: BerthError("\(error)"))
                    }
                    points[i].copyData = false
                }
            }
        } catch {
            for name in used { volumeStore.release(name, by: c.id) }
            throw error
        }
        c.volumes?.mountPoints = points
        for p in points where p.type == "volume" {
            publishVolume("mount", p.name, ["container": c.id, "destination": p.destination,
                                            "propagation": p.propagation, "read/write": p.rw ? "true" : "false"])
        }
    }

    /// The container stopped: its mounted volumes lose a user, and each volume `unmount`.
    func detachVolumes(_ c: Container) {
        for p in c.volumes?.mountPoints ?? [] where p.type == "volume" {
            volumeStore.release(p.name, by: c.id)
            publishVolume("unmount", p.name, ["container": c.id])
        }
    }

    /// `rm -v` and `--rm`: the container's anonymous volumes go unless another container
    /// uses them (moby leaves those, as it leaves named volumes).
    func removeAnonymousVolumes(of c: Container) {
        for p in c.volumes?.mountPoints ?? [] where p.type == "volume" {
            guard let v = volumeStore.get(p.name), v.isAnonymous, volumeUsers(p.name).isEmpty else { continue }
            try? destroyVolume(p.name)
        }
    }

    /// After a daemon restart: the running containers are the users of mounted volumes;
    /// a mounted volume no running container uses is unmounted.
    func restoreVolumes() {
        for c in containers.values where c.state.running {
            for p in c.volumes?.mountPoints ?? [] where p.type == "volume" && volumeStore.get(p.name)?.isMounted == true {
                volumeStore.active[p.name, default: []].insert(c.id)
            }
        }
        for v in volumeStore.records.values where v.isMounted && volumeStore.active[v.name] == nil {
            LocalDriver.unmount(volumeStore.dataPath(v.name))
        }
    }
}
