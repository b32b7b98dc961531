import BerthAPIModels
import BerthClient

extension Command {
    /// `berth system df`: `GET /system/df`, Docker's `TYPE TOTAL ACTIVE SIZE RECLAIMABLE`
    /// summary, or with `-v` the images, containers and volumes one by one.
    static var systemDf: Command {
        Command(
            name: "df", usage: "[OPTIONS]", summary: "Show docker disk usage",
            flags: [
                listFormatFlag,
                .bool("verbose", short: "v", usage: "Show detailed information on space usage"),
            ],
            arguments: .none,
            run: { invocation in
                let usage = try invocation.client().getJSON("/system/df")
                if invocation.flags.bool("verbose") && invocation.format.isEmpty {
                    try printVerboseDiskUsage(usage, invocation: invocation)
                    return 0
                }
                let rows = DiskUsageRows.summary(usage)
                invocation.out.write(try renderRows(rows, format: invocation.format,
                                                    defaultTable: "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                                                    headers: ["Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE",
                                                              "Size": "SIZE", "Reclaimable": "RECLAIMABLE"]))
                return 0
            })
    }
}

/// The rows of `system df`, computed as Docker's `formatter/disk_usage.go` does.
enum DiskUsageRows {
    static func summary(_ u: JSONValue) -> [JSONValue] {
        let images = u["Images"]?.arrayValue ?? []
        let containers = u["Containers"]?.arrayValue ?? []
        let volumes = u["Volumes"]?.arrayValue ?? []
        let cache = u["BuildCache"]?.arrayValue ?? []
        func size(_ n: Int64) -> String { HumanUnits.size(Double(n)) }
        func withPercent(_ reclaimable: Int64, of total: Int64) -> String {
            total > 0 ? "\(size(reclaimable)) (\(reclaimable * 100 / total)%)" : size(reclaimable)
        }
        func row(_ type: String, _ total: Int, _ active: Int, _ sizeText: String, _ reclaimable: String) -> JSONValue {
            ["Type": .string(type), "TotalCount": .string(String(total)), "Active": .string(String(active)),
             "Size": .string(sizeText), "Reclaimable": .string(reclaimable)]
        }
        // Images: all layers once; what active images use alone is not reclaimable.
        let layers = u["LayersSize"]?.intValue ?? 0
        let activeImages = images.filter { ($0["Containers"]?.intValue ?? 0) != 0 }
        var used: Int64 = 0
        for i in activeImages {
            guard let s = i["Size"]?.intValue, let shared = i["SharedSize"]?.intValue, shared != -1 else { continue }
            used += s - shared
        }
        // Containers: writable layers; those of stopped containers are reclaimable.
        func isActive(_ c: JSONValue) -> Bool {
            let state = c["State"]?.stringValue ?? ""
            return ["running", "paused", "restarting"].contains(state)
        }
        let rw = containers.reduce(Int64(0)) { $0 + ($1["SizeRw"]?.intValue ?? 0) }
        let idle = containers.filter { !isActive($0) }.reduce(Int64(0)) { $0 + ($1["SizeRw"]?.intValue ?? 0) }
        // Volumes: those no container references are reclaimable.
        func volumeSize(_ v: JSONValue) -> Int64 { max(0, v["UsageData"]?["Size"]?.intValue ?? 0) }
        let refCount = { (v: JSONValue) in v["UsageData"]?["RefCount"]?.intValue ?? 0 }
        let volumeBytes = volumes.reduce(Int64(0)) { $0 + volumeSize($1) }
        let idleVolumes = volumes.filter { refCount($0) == 0 }.reduce(Int64(0)) { $0 + volumeSize($1) }
        let cacheBytes = cache.filter { $0["Shared"]?.boolValue != true }.reduce(Int64(0)) { $0 + ($1["Size"]?.intValue ?? 0) }
        let cacheIdle = cache.filter { $0["Shared"]?.boolValue != true && $0["InUse"]?.boolValue != true }
            .reduce(Int64(0)) { $0 + ($1["Size"]?.intValue ?? 0) }
        return [
            row("Images", images.count, activeImages.count, size(layers), withPercent(layers - used, of: layers)),
            row("Containers", containers.count, containers.filter(isActive).count, size(rw), withPercent(idle, of: rw)),
            row("Local Volumes", volumes.count, volumes.filter { refCount($0) > 0 }.count, size(volumeBytes),
                withPercent(idleVolumes, of: volumeBytes)),
            row("Build Cache", cache.count, cache.filter { $0["InUse"]?.boolValue == true }.count, size(cacheBytes), size(cacheIdle)),
        ]
    }
}

/// `system df -v`: Docker's four sections, one table each.
func printVerboseDiskUsage(_ u: JSONValue, invocation: Invocation) throws {
    let now = Clock.now()
    var images: [JSONValue] = []
    for image in u["Images"]?.arrayValue ?? [] {
        let tags = (image["RepoTags"]?.arrayValue ?? []).compactMap(\.stringValue)
        if tags.isEmpty {
            images.append(ImageRows.row(image, repository: "<none>", tag: "<none>", digest: "", truncate: true, now: now))
        }
        for t in tags {
            let (repo, tag) = splitRepoTag(t)
            images.append(ImageRows.row(image, repository: repo, tag: tag, digest: "", truncate: true, now: now))
        }
    }
    invocation.out.line("Images space usage:\n")
    invocation.out.write(try renderRows(images, format: "", defaultTable:
        "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
        headers: ["Repository": "REPOSITORY", "Tag": "TAG", "ID": "IMAGE ID", "CreatedSince": "CREATED", "Size": "SIZE",
                  "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE", "Containers": "CONTAINERS"]))
    // As Docker: the virtual size is not shown here.
    let containers: [JSONValue] = (u["Containers"]?.arrayValue ?? []).map { c in
        guard case .object(var o) = c else { return c }
        o["SizeRootFs"] = 0
        return ContainerRows.row(.object(o), truncate: true, now: now)
    }
    invocation.out.line("\nContainers space usage:\n")
    invocation.out.write(try renderRows(containers, format: "", defaultTable:
        "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}",
        headers: ["ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "LocalVolumes": "LOCAL VOLUMES",
                  "Size": "SIZE", "RunningFor": "CREATED", "Status": "STATUS", "Names": "NAMES"]))
    let volumes: [JSONValue] = (u["Volumes"]?.arrayValue ?? []).map { v in
        ["Name": .string(v["Name"]?.stringValue ?? ""), "Links": .string(String(v["UsageData"]?["RefCount"]?.intValue ?? 0)),
         "Size": .string(HumanUnits.size(Double(max(0, v["UsageData"]?["Size"]?.intValue ?? 0))))]
    }
    invocation.out.line("\nLocal Volumes space usage:\n")
    invocation.out.write(try renderRows(volumes, format: "", defaultTable: "{{.Name}}\t{{.Links}}\t{{.Size}}",
                                        headers: ["Name": "VOLUME NAME", "Links": "LINKS", "Size": "SIZE"]))
    invocation.out.line("\nBuild cache usage: 0B\n")
    invocation.out.write(try renderRows([], format: "", defaultTable:
        "{{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}",
        headers: ["ID": "CACHE ID", "CacheType": "CACHE TYPE", "Size": "SIZE", "CreatedSince": "CREATED",
                  "LastUsedSince": "LAST USED", "UsageCount": "USAGE", "Shared": "SHARED"]))
}
