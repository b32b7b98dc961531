import BerthAPIModels
import BerthEngine
import BerthSystem

/// Containers in the Engine API's JSON shapes (`GET /containers/json`, `…/{id}/json`),
/// members in Docker's order.
enum ContainerJSON {
    static func command(_ c: Container) -> String { ([c.path] + c.args).joined(separator: " ") }

    /// `Up 5 seconds`, `Exited (0) 2 minutes ago`, `Created`.
    static func status(_ c: Container) -> String {
        let now = WallClock.nowSeconds()
        switch c.state.status {
        case "running":
            let started = WallClock.epochSeconds(c.state.startedAt) ?? now
            return "Up " + HumanUnits.duration(seconds: Double(now - started)) + OpsJSON.healthSuffix(c)
        case "restarting":
            let finished = WallClock.epochSeconds(c.state.finishedAt) ?? now
            return "Restarting (\(c.state.exitCode)) " + HumanUnits.duration(seconds: Double(now - finished)) + " ago"
        case "paused":
            let started = WallClock.epochSeconds(c.state.startedAt) ?? now
            return "Up " + HumanUnits.duration(seconds: Double(now - started)) + " (Paused)"
        case "exited":
            let finished = WallClock.epochSeconds(c.state.finishedAt) ?? now
            return "Exited (\(c.state.exitCode)) " + HumanUnits.duration(seconds: Double(now - finished)) + " ago"
        default:
            return "Created"
        }
    }

    static func strings(_ list: [String]?) -> JSONValue { list.map { .array($0.map { .string($0) }) } ?? .null }

    static func labels(_ c: Container) -> JSONValue {
        .object(JSONObject((c.config.labels ?? [:]).sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) }))
    }

    static func summary(_ c: Container) -> JSONValue {
        [
            "Id": .string(c.id),
            "Names": .array([.string("/" + c.name)]),
            "Image": .string(c.image),
            "ImageID": .string(c.imageID.description),
            "Command": .string(command(c)),
            "Created": .int(Int64(WallClock.epochSeconds(c.created) ?? 0)),
            "Ports": .array([]),
            "Labels": labels(c),
            "State": .string(c.state.status),
            "Status": .string(status(c)),
            "HostConfig": ["NetworkMode": .string(c.hostConfig.networkMode ?? "default")],
            "NetworkSettings": ["Networks": [:]],
            "Mounts": VolumeJSON.mounts(c),
        ]
    }

    static func inspect(_ c: Container) -> JSONValue {
        let s = c.state
        let config = c.config
        let host = c.hostConfig
        return OpsJSON.decorate(c, [
            "Id": .string(c.id),
            "Created": .string(c.created),
            "Path": .string(c.path),
            "Args": strings(c.args),
            "State": [
                "Status": .string(s.status), "Running": .bool(s.status == "running"), "Paused": .bool(s.status == "paused"),
                "Restarting": false, "OOMKilled": .bool(s.oomKilled), "Dead": false, "Pid": .int(Int64(s.pid)),
                "ExitCode": .int(Int64(s.exitCode)), "Error": .string(s.error), "StartedAt": .string(s.startedAt),
                "FinishedAt": .string(s.finishedAt),
            ],
            "Image": .string(c.imageID.description),
            "ResolvConfPath": "", "HostnamePath": "", "HostsPath": "", "LogPath": "",
            "Name": .string("/" + c.name),
            "RestartCount": 0,
            "Driver": "overlay2",
            "Platform": "linux",
            "HostConfig": [
                "Binds": strings(host.binds), "Mounts": VolumeJSON.mountSpecs(c.volumes?.mounts ?? []),
                "VolumesFrom": strings(c.volumes.flatMap { $0.volumesFrom.isEmpty ? nil : $0.volumesFrom }),
                "VolumeDriver": .string(c.volumes?.volumeDriver ?? ""), "NetworkMode": .string(host.networkMode ?? "default"),
                "AutoRemove": .bool(host.autoRemove ?? false), "Privileged": .bool(host.privileged ?? false),
                "ReadonlyRootfs": .bool(host.readonlyRootfs ?? false), "CapAdd": strings(host.capAdd),
                "CapDrop": strings(host.capDrop), "SecurityOpt": strings(host.securityOpt),
                "Memory": .int(host.memory ?? 0), "NanoCpus": .int(host.nanoCpus ?? 0),
                "CpuShares": .int(host.cpuShares ?? 0), "PidsLimit": host.pidsLimit.map { .int($0) } ?? .null,
                "LogConfig": ["Type": "json-file", "Config": [:]],
                "Init": host.init_.map { .bool($0) } ?? .null,
                "Tmpfs": host.tmpfs.map { t in .object(JSONObject(t.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) })) } ?? .null,
                "Ulimits": host.ulimits.map { list in .array(list.map { u in
                    ["Name": .string(u.name), "Hard": .int(u.hard), "Soft": .int(u.soft)] as JSONValue }) } ?? .null,
                "PortBindings": .object(JSONObject((host.portBindings ?? [:]).sorted { $0.key < $1.key }.map { key, hosts in
                    JSONMember(key, hosts.map { .array($0.map { ["HostIp": .string($0.hostIP ?? ""), "HostPort": .string($0.hostPort ?? "")] as JSONValue }) } ?? .null)
                })),
            ],
            "Mounts": VolumeJSON.mounts(c),
            "Config": [
                "Hostname": .string(config.hostname.flatMap { $0.isEmpty ? nil : $0 } ?? c.shortID),
                "Domainname": .string(config.domainname ?? ""), "User": .string(config.user ?? ""),
                "AttachStdin": .bool(config.attachStdin ?? false), "AttachStdout": .bool(config.attachStdout ?? false),
                "AttachStderr": .bool(config.attachStderr ?? false), "Tty": .bool(config.tty ?? false),
                "OpenStdin": .bool(config.openStdin ?? false), "StdinOnce": .bool(config.stdinOnce ?? false),
                "Env": strings(config.env), "Cmd": strings(config.cmd), "Image": .string(c.image),
                "WorkingDir": .string(config.workingDir ?? ""), "Entrypoint": strings(config.entrypoint),
                "Labels": labels(c),
                "Volumes": c.volumes.flatMap { $0.configVolumes.isEmpty ? nil : JSONValue.object(JSONObject($0.configVolumes.map { JSONMember($0, [:]) })) } ?? .null,
            ],
            "NetworkSettings": ["Networks": [:]],
        ])
    }
}
