#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthSystem

extension Engine {
    /// `POST /volumes/create`: a new volume, or the existing one of that name (as Docker,
    /// creating is idempotent). No name makes a random 64-hex one.
    public func createVolume(name: String?, driver: String?, labels: [String: String] = [:],
                             options: [String: String] = [:]) throws(EngineError) -> VolumeRecord {
        let chosen = name.flatMap { $0.isEmpty ? nil : $0 } ?? Engine.newID()
        try checkVolume(name: chosen, driver: driver, options: options)
        return try makeVolume(chosen, labels: labels, options: options).0
    }

    /// Refuses what create would, before anything is made (moby's texts, prefixed
    /// `create NAME: ` as its volume service does).
    func checkVolume(name: String, driver: String?, options: [String: String]) throws(EngineError) {
        let driver = driver.flatMap { $0.isEmpty ? nil : $0 } ?? LocalDriver.name
        guard driver == LocalDriver.name else {
            throw .notFound("create \(name): error looking up volume plugin \(driver): plugin \"\(driver)\" not found")
        }
        if let existing = volumeStore.get(name) {
            guard existing.driver == driver else {
                throw .conflict("create \(name): volume name must be unique")
            }
            return
        }
        guard Names.isValid(name) else {
            throw .invalidArgument("create \(name): \"\(name)\" includes invalid characters for a local volume name, only "
                                   + "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")
        }
        do { try LocalDriver.validate(options) } catch { throw .invalidArgument("create \(name): \(error.description)") }
    }

    /// The volume `name`, made (and announced) when missing; true when it was made now.
    func makeVolume(_ name: String, labels: [String: String], options: [String: String]) throws(EngineError) -> (VolumeRecord, Bool) {
        if let existing = volumeStore.get(name) { return (existing, false) }
        let now = WallClock.nowSeconds()
        let record = VolumeRecord(name: name, labels: labels, options: options,
                                  createdAt: WallClock.format(seconds: now, nanos: 0))
        do { try volumeStore.create(record) } catch {
            try? volumeStore.remove(name)
            throw .internalError("create \(name)", cause: BerthError("\(error)"))
        }
        publishVolume("create", name)
        return (record, true)
    }

    /// `GET /volumes/{name}`.
    public func volume(_ name: String) throws(EngineError) -> VolumeRecord {
        guard let v = volumeStore.get(name) else { throw .notFound("get \(name): no such volume") }
        return v
    }

    /// Every volume, by name.
    public func listVolumes() -> [VolumeRecord] { volumeStore.records.values.sorted { $0.name < $1.name } }

    /// Where a volume's data is on the host (Docker's `Mountpoint`).
    public func volumeMountpoint(_ name: String) -> String { volumeStore.dataPath(name) }

    /// The containers (full IDs, oldest first) whose mounts use the volume, in any state:
    /// derived from their records, so it holds across daemon restarts.
    public func volumeUsers(_ name: String) -> [String] {
        containers.values.filter { c in (c.volumes?.mountPoints ?? []).contains { $0.type == "volume" && $0.name == name } }
            .sorted { $0.created < $1.created }.map(\.id)
    }

    /// `DELETE /volumes/{name}`: refused while a container uses it; `force` ignores a
    /// missing volume.
    public func removeVolume(_ name: String, force: Bool) throws(EngineError) {
        guard volumeStore.get(name) != nil else {
            if force { return }
            throw .notFound("get \(name): no such volume")
        }
        let users = volumeUsers(name)
        guard users.isEmpty else {
            throw .conflict("remove \(name): volume is in use - [\(users.joined(separator: ", "))]")
        }
        try destroyVolume(name)
    }

    func destroyVolume(_ name: String) throws(EngineError) {
        do { try volumeStore.remove(name) } catch {
            throw .internalError("remove \(name)", cause: BerthError("\(error)"))
        }
        publishVolume("destroy", name)
    }

    /// `POST /volumes/prune`: unused volumes — only anonymous ones unless `all` (Docker's
    /// rule since API 1.42) — that `keep` does not refuse (the label filters).
    public func pruneVolumes(all: Bool, keep: (VolumeRecord) -> Bool) -> (deleted: [String], reclaimed: Int64) {
        var deleted: [String] = [], reclaimed: Int64 = 0
        for v in listVolumes() where (all || v.isAnonymous) && keep(v) && volumeUsers(v.name).isEmpty {
            let size = VolumeStore.size(volumeStore.dataPath(v.name))
            if (try? destroyVolume(v.name)) != nil {
                deleted.append(v.name)
                reclaimed += size
            }
        }
        return (deleted, reclaimed)
    }

    /// Each volume with its size in bytes and the number of containers using it: what
    /// `system df` shows.
    /// The sizes are summed off the actor.
    public func volumeUsage() async throws -> [VolumeUsage] {
        let volumes = listVolumes().map { v in (v, volumeStore.dataPath(v.name), volumeUsers(v.name).count) }
        return try await Threads.run {
            volumes.map { v, path, users in VolumeUsage(volume: v, mountpoint: path, size: VolumeStore.size(path), refCount: users) }
        }
    }

    /// A volume event, with Docker's `driver` attribute and any `extra` (container, destination…).
    func publishVolume(_ action: String, _ name: String, _ extra: [String: String] = [:]) {
        var attributes = ["driver": volumeStore.get(name)?.driver ?? LocalDriver.name]
        for (k, v) in extra { attributes[k] = v }
        events.publish(EngineEvent(type: "volume", action: action, actorID: name, attributes: attributes))
    }
}
