/// What a volume mount point needs: the volume by name (or a new anonymous one), made with
/// this driver, options and labels when missing.
struct VolumeRequest: Equatable {
    /// Empty for an anonymous volume.
    var name: String
    var driver: String
    var options: [String: String] = [:]
    var labels: [String: String] = [:]
}

/// A container's mounts before their volumes exist: volume mount points carry an index
/// into `requests`.
struct MountPlan: Equatable {
    var points: [MountPoint] = []
    /// For each volume mount point (by index in `points`), the volume it wants.
    var requests: [Int: VolumeRequest] = [:]
}

/// Turns `Binds`, `Mounts`, `VolumesFrom`, `Config.Volumes` and the image's `Volumes` into
/// mount points, with moby's precedence (`registerMountPoints`, then the config's volumes
/// where no mount covers them) and its error texts (`volume/mounts/linux_parser.go`).
/// Pure: the caller looks up containers and makes volumes.
enum MountPlanner {
    static let propagations = ["private", "rprivate", "shared", "rshared", "slave", "rslave"]

    static func plan(binds: [String], config: ContainerVolumeConfig, imageVolumes: [String], tmpfs: [String],
                     volumesFrom: [(spec: String, points: [MountPoint])]) throws(EngineErrorLike) -> MountPlan {
        var byDestination: [String: (MountPoint, VolumeRequest?)] = [:]
        var order: [String] = []
        func put(_ p: MountPoint, _ r: VolumeRequest?) {
            if byDestination[p.destination] == nil { order.append(p.destination) }
            byDestination[p.destination] = (p, r)
        }
        for (spec, points) in volumesFrom {
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
            let mode = parts.count > 1 ? String(parts[parts.count - 1]) : ""
            guard parts.count <= 2, mode.isEmpty || mode == "ro" || mode == "rw" else {
                throw .invalid("invalid mode: \(mode)")
            }
            for var p in points {
                if mode == "ro" { p.rw = false }   // moby: `rw` keeps a read-only mount read-only
                p.copyData = false
                put(p, nil)
            }
        }
        var explicit = Set<String>()
        for bind in binds {
            // A `Binds` entry names a source: `/a` alone is `-v /a`, an anonymous volume, which
            // clients send in `Config.Volumes`.
            guard bind.firstIndex(of: ":") != nil else { throw .invalid("invalid volume specification: '\(bind)'") }
            let (p, r) = try parseBind(bind, driver: config.volumeDriver)
            // moby #10618: a bind and a `--tmpfs` at one place.
            guard explicit.insert(p.destination).inserted, !tmpfs.contains(p.destination) else {
                throw .invalid("Duplicate mount point: \(p.destination)")
            }
            put(p, r)
        }
        for m in config.mounts {
            let (p, r) = try parseMount(m)
            guard explicit.insert(p.destination).inserted else { throw .invalid("Duplicate mount point: \(p.destination)") }
            put(p, r)
        }
        let covered = Set(order).union(tmpfs)
        for spec in config.configVolumes + imageVolumes where !covered.contains(clean(spec)) && byDestination[clean(spec)] == nil {
            // `Config.Volumes` keys are `-v` specs of one part: a container path.
            let (p, r) = try parseBind(spec, driver: config.volumeDriver)
            put(p, r)
        }
        // Parents before children, so a mount inside another lands on top of it.
        let sorted = order.sorted { depth($0) < depth($1) || (depth($0) == depth($1) && order.firstIndex(of: $0)! < order.firstIndex(of: $1)!) }
        var plan = MountPlan()
        for dest in sorted {
            let (p, r) = byDestination[dest]!
            if let r { plan.requests[plan.points.count] = r }
            plan.points.append(p)
        }
        return plan
    }

    private static func depth(_ path: String) -> Int { path.split(separator: "/").count }

    /// `/a/b/` → `/a/b`, as Go's `path.Clean` for the cases that matter here.
    static func clean(_ path: String) -> String {
        guard path.hasPrefix("/") else { return path }
        let parts = path.split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }

    /// One `-v` spec: `/container`, `name:/container[:mode]` or `/host:/container[:mode]`.
    static func parseBind(_ raw: String, driver: String) throws(EngineErrorLike) -> (MountPoint, VolumeRequest?) {
        let invalidSpec = EngineErrorLike.invalid("invalid volume specification: '\(raw)'")
        guard raw.filter({ $0 == ":" }).count <= 2 else { throw invalidSpec }
        let arr = raw.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard !arr[0].isEmpty else { throw invalidSpec }
        var source = "", target = "", mode = ""
        switch arr.count {
        case 1: target = arr[0]
        case 2:
            // A destination and a mode is not a volume: `/foo:rw`.
            if validMode(arr[1]) { throw invalidSpec }
            (source, target) = (arr[0], arr[1])
        default: (source, target, mode) = (arr[0], arr[1], arr[2])
        }
        guard validMode(mode) else { throw .invalid("invalid mode: \(mode)") }
        let words = mode.split(separator: ",").map(String.init)
        let isBind = source.hasPrefix("/")
        let type = isBind ? "bind" : "volume"
        func config(_ message: String) -> EngineErrorLike {
            .invalid("invalid volume specification: '\(raw)': invalid mount config for type \"\(type)\": \(message)")
        }
        try checkTarget(target, config)
        if isBind && words.contains("nocopy") { throw .invalid("invalid mode: \(mode)") }
        var p = MountPoint(type: type, destination: clean(target))
        p.mode = mode
        p.rw = !words.contains("ro")
        if isBind {
            p.source = clean(source)
            p.propagation = words.first { propagations.contains($0) } ?? "rprivate"
            p.createSource = true
            return (p, nil)
        }
        p.name = source
        p.driver = driver.isEmpty ? LocalDriver.name : driver
        p.copyData = !words.contains("nocopy")
        // Docker shows named volumes from `-v` with the SELinux mode `z` when none was given.
        if !source.isEmpty && mode.isEmpty { p.mode = "z" }
        return (p, VolumeRequest(name: source, driver: p.driver))
    }

    /// One `HostConfig.Mounts` entry, checked as moby's `validateMountConfig`.
    static func parseMount(_ m: MountSpec) throws(EngineErrorLike) -> (MountPoint, VolumeRequest?) {
        let type = m.type ?? ""
        func config(_ message: String) -> EngineErrorLike { .invalid("invalid mount config for type \"\(type)\": \(message)") }
        guard let target = m.target, !target.isEmpty else { throw config("field Target must not be empty") }
        try checkTarget(target, config)
        let source = m.source ?? ""
        var p = MountPoint(type: type, destination: clean(target))
        p.rw = !(m.readOnly ?? false)
        switch type {
        case "bind":
            guard !source.isEmpty else { throw config("field Source must not be empty") }
            if m.volumeOptions != nil { throw config("field VolumeOptions must not be specified") }
            if m.tmpfsOptions != nil { throw config("field TmpfsOptions must not be specified") }
            guard source.hasPrefix("/") else { throw config("invalid mount path: '\(source)' mount path must be absolute") }
            let propagation = m.bindOptions?.propagation ?? ""
            if !propagation.isEmpty && !propagations.contains(propagation) {
                throw config("invalid propagation mode: \(propagation)")
            }
            p.source = clean(source)
            p.propagation = propagation.isEmpty ? "rprivate" : propagation
            p.createSource = m.bindOptions?.createMountpoint ?? false
            if m.bindOptions?.nonRecursive == true { p.nonRecursive = true }
            return (p, nil)
        case "volume":
            if m.bindOptions != nil { throw config("field BindOptions must not be specified") }
            if m.tmpfsOptions != nil { throw config("field TmpfsOptions must not be specified") }
            let options = m.volumeOptions
            if source.isEmpty && !(options?.subpath ?? "").isEmpty { throw config("must not set Subpath when using anonymous volumes") }
            if source.isEmpty && m.readOnly == true { throw config("must not set ReadOnly mode when using anonymous volumes") }
            if let sub = options?.subpath, !sub.isEmpty {
                guard !sub.hasPrefix("/"), !sub.split(separator: "/").contains("..") else {
                    throw config("subpath must be a relative path within the volume")
                }
                p.subpath = sub
            }
            p.name = source
            p.driver = options?.driverConfig?.name.flatMap { $0.isEmpty ? nil : $0 } ?? LocalDriver.name
            p.copyData = !(options?.noCopy ?? false)
            return (p, VolumeRequest(name: source, driver: p.driver, options: options?.driverConfig?.options ?? [:],
                                     labels: options?.labels ?? [:]))
        case "tmpfs":
            if m.bindOptions != nil { throw config("field BindOptions must not be specified") }
            if m.volumeOptions != nil { throw config("field VolumeOptions must not be specified") }
            guard source.isEmpty else { throw config("field Source must not be specified") }
            var data: [String] = []
            if let size = m.tmpfsOptions?.sizeBytes, size != 0 {
                guard size > 0 else { throw config("invalid tmpfs size: \(size)") }
                data.append("size=\(size / 1024)k")
            }
            if let mode = m.tmpfsOptions?.mode, mode != 0 { data.append("mode=" + String(mode, radix: 8)) }
            for option in m.tmpfsOptions?.options ?? [] where !option.isEmpty {
                data.append(option.count > 1 ? option[0] + "=" + option[1] : option[0])
            }
            p.tmpfsOptions = data
            return (p, nil)
        default:
            throw config("mount type unknown")
        }
    }

    private static func checkTarget(_ target: String, _ config: (String) -> EngineErrorLike) throws(EngineErrorLike) {
        guard !target.isEmpty else { throw config("field Target must not be empty") }
        guard target.hasPrefix("/") else { throw config("invalid mount path: '\(target)' mount path must be absolute") }
        if clean(target) == "/" { throw config("invalid specification: destination can't be '/'") }
    }

    /// moby's `linuxValidMountMode`: at most one of rw/ro, of a label mode, of a
    /// propagation, of a copy mode, of a consistency.
    static func validMode(_ mode: String) -> Bool {
        if mode.isEmpty { return true }
        var counts = [0, 0, 0, 0, 0]
        for word in mode.split(separator: ",", omittingEmptySubsequences: false) {
            switch word {
            case "rw", "ro": counts[0] += 1
            case "z", "Z": counts[1] += 1
            case _ where propagations.contains(String(word)): counts[2] += 1
            case "nocopy": counts[3] += 1
            case "consistent", "cached", "delegated": counts[4] += 1
            default: return false
            }
        }
        return counts.allSatisfy { $0 <= 1 }
    }
}
