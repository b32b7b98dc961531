import BerthAPIModels
import BerthEngine

extension Router {
    /// `POST /build/prune` (nothing to prune yet) and `GET /system/df`: the legacy shape (LayersSize, Images, Containers, Volumes,
    /// BuildCache) for API versions before 1.52, the `*Usage` objects from 1.52 on.
    public mutating func addDiskUsageRoutes(_ engine: Engine) {
        // Berth has no build cache yet (no builder): `docker system prune` asks anyway.
        post("/build/prune") { _ in
            .json(["CachesDeleted": .null, "SpaceReclaimed": 0] as JSONValue)
        }
        get("/system/df") { req in
            let usage = try await engine.diskUsage()
            let images: [JSONValue] = usage.images.map { i in
                guard case .object(var o) = ImageJSON.summary(i.summary, names: i.summary.names) else { return .null }
                o["SharedSize"] = .int(i.sharedSize)
                o["Containers"] = .int(Int64(i.summary.containers))
                return .object(o)
            }
            let containers: [JSONValue] = usage.containers.map { u in
                guard case .object(var o) = NetworkJSON.addToSummary(ContainerJSON.summary(u.container), u.container,
                                                                      manager: engine.network) else { return .null }
                o["SizeRw"] = .int(u.sizeRw)
                o["SizeRootFs"] = .int(u.sizeRootFs)
                return .object(o)
            }
            let volumes: [JSONValue] = usage.volumes.map { u in
                VolumeJSON.volume(u.volume, mountpoint: u.mountpoint, usage: (u.size, u.refCount))
            }
            if req.version < APIVersion(1, 52) {
                return .json([
                    "LayersSize": .int(usage.layersSize), "Images": .array(images), "Containers": .array(containers),
                    "Volumes": .array(volumes), "BuildCache": .array([]),
                ] as JSONValue)
            }
            let activeImages = usage.images.filter { $0.summary.containers > 0 }
            let usedImageBytes = activeImages.reduce(Int64(0)) { $0 + $1.summary.size - $1.sharedSize }
            let running = usage.containers.filter { $0.container.state.running || $0.container.state.status == "restarting" }
            let containerBytes = usage.containers.reduce(Int64(0)) { $0 + $1.sizeRw }
            let activeVolumes = usage.volumes.filter { $0.refCount > 0 }
            let volumeBytes = usage.volumes.reduce(Int64(0)) { $0 + $1.size }
            func section(active: Int, total: Int, size: Int64, reclaimable: Int64, items: [JSONValue]) -> JSONValue {
                ["ActiveCount": .int(Int64(active)), "TotalCount": .int(Int64(total)), "Reclaimable": .int(reclaimable),
                 "TotalSize": .int(size), "Items": .array(items)]
            }
            return .json([
                "ImageUsage": section(active: activeImages.count, total: images.count, size: usage.layersSize,
                                      reclaimable: max(0, usage.layersSize - usedImageBytes), items: images),
                "ContainerUsage": section(active: running.count, total: containers.count, size: containerBytes,
                                          reclaimable: containerBytes - running.reduce(Int64(0)) { $0 + $1.sizeRw }, items: containers),
                "VolumeUsage": section(active: activeVolumes.count, total: volumes.count, size: volumeBytes,
                                       reclaimable: volumeBytes - activeVolumes.reduce(Int64(0)) { $0 + $1.size }, items: volumes),
                "BuildCacheUsage": section(active: 0, total: 0, size: 0, reclaimable: 0, items: []),
            ] as JSONValue)
        }
    }
}
