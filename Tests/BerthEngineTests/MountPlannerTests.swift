@testable import BerthEngine
import Testing

/// The pure parts of volumes: `-v`/`--mount` parsing, precedence, and the local driver's
/// option checks, with moby's messages. No root needed.
@Suite struct MountPlannerTests {
    func plan(binds: [String] = [], mounts: [MountSpec] = [], configVolumes: [String] = [], image: [String] = [],
              tmpfs: [String] = [], from: [(spec: String, points: [MountPoint])] = []) throws -> MountPlan {
        var config = ContainerVolumeConfig()
        config.mounts = mounts
        config.configVolumes = configVolumes
        return try MountPlanner.plan(binds: binds, config: config, imageVolumes: image, tmpfs: tmpfs, volumesFrom: from)
    }

    func message(_ body: () throws -> Any) -> String? {
        do { _ = try body(); return nil } catch { return "\(error)" }
    }

    @Test func bindsNamedAndAnonymousVolumesSortedParentsFirst() throws {
        let p = try plan(binds: ["/h:/a/b:ro", "data:/a"], configVolumes: ["/c"], image: ["/a", "/d/"])
        #expect(p.points.map(\.destination) == ["/a", "/c", "/d", "/a/b"])
        #expect(p.points[0].type == "volume" && p.points[0].name == "data" && p.points[0].mode == "z" && p.points[0].copyData)
        #expect(p.points[3].type == "bind" && !p.points[3].rw && p.points[3].propagation == "rprivate" && p.points[3].createSource)
        #expect(p.requests[0] == VolumeRequest(name: "data", driver: "local"))
        #expect(p.requests[1]?.name == "" && p.requests[2]?.name == "")
        #expect(p.requests[3] == nil)
    }

    @Test func mountsOfEachType() throws {
        var tmp = MountSpec(type: "tmpfs", target: "/t")
        tmp.tmpfsOptions = .init(sizeBytes: 1 << 20, mode: 0o1777, options: nil)
        var vol = MountSpec(type: "volume", source: "v", target: "/v")
        vol.volumeOptions = .init(noCopy: true, labels: ["k": "x"], driverConfig: .init(name: nil, options: ["type": "tmpfs"]), subpath: nil)
        let p = try plan(mounts: [MountSpec(type: "bind", source: "/srv", target: "/b"), vol, tmp])
        #expect(p.points.map(\.type) == ["bind", "volume", "tmpfs"])
        #expect(!p.points[0].createSource && p.points[0].propagation == "rprivate")
        #expect(!p.points[1].copyData && p.requests[1]?.options == ["type": "tmpfs"] && p.requests[1]?.labels == ["k": "x"])
        #expect(p.points[2].tmpfsOptions == ["size=1024k", "mode=1777"])
    }

    @Test func volumesFromCopiesAndReadOnlyWins() throws {
        var shared = MountPoint(type: "volume", destination: "/s")
        shared.name = "s"
        shared.copyData = true
        let p = try plan(binds: ["/h:/s2"], from: [("c1:ro", [shared])])
        #expect(p.points.count == 2 && p.points[0].name == "s" && !p.points[0].rw && !p.points[0].copyData)
        #expect(p.requests[0] == nil)
        // A bind over a volumes-from destination replaces it.
        #expect(try plan(binds: ["/h:/s"], from: [("c1", [shared])]).points.map(\.type) == ["bind"])
    }

    @Test func badSpecsInMobysWords() {
        #expect(message { try plan(binds: [":/x"]) } == "invalid volume specification: ':/x'")
        #expect(message { try plan(binds: ["a:b:c:d"]) } == "invalid volume specification: 'a:b:c:d'")
        #expect(message { try plan(binds: ["/x:rw"]) } == "invalid volume specification: '/x:rw'")
        #expect(message { try plan(binds: ["/x"]) } == "invalid volume specification: '/x'")
        #expect(message { try plan(binds: ["v:rel"]) } == "invalid volume specification: 'v:rel': invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute")
        #expect(message { try plan(binds: ["/h:/x:ro,rw"]) } == "invalid mode: ro,rw")
        #expect(message { try plan(binds: ["/h:/x:nocopy"]) } == "invalid mode: nocopy")
        #expect(message { try plan(binds: ["/h:/x", "v:/x"]) } == "Duplicate mount point: /x")
        #expect(message { try plan(binds: ["/h:/x"], tmpfs: ["/x"]) } == "Duplicate mount point: /x")
        #expect(message { try plan(configVolumes: ["rel"]) } == "invalid volume specification: 'rel': invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute")
        #expect(message { try plan(mounts: [MountSpec(type: "foo", target: "/x")]) } == "invalid mount config for type \"foo\": mount type unknown")
        #expect(message { try plan(mounts: [MountSpec(type: "bind", target: "/x")]) } == "invalid mount config for type \"bind\": field Source must not be empty")
        #expect(message { try plan(mounts: [MountSpec(type: "volume")]) } == "invalid mount config for type \"volume\": field Target must not be empty")
        #expect(message { try plan(mounts: [MountSpec(type: "tmpfs", source: "s", target: "/t")]) } == "invalid mount config for type \"tmpfs\": field Source must not be specified")
        #expect(message { try plan(mounts: [MountSpec(type: "volume", target: "/")]) } == "invalid mount config for type \"volume\": invalid specification: destination can't be '/'")
    }

    @Test func localDriverOptions() {
        #expect(message { try LocalDriver.validate(["foo": "bar"]) } == "invalid option: \"foo\"")
        #expect(message { try LocalDriver.validate(["type": "tmpfs"]) } == "missing required option: \"device\"")
        #expect(message { try LocalDriver.validate(["o": "size=1m", "device": "tmpfs"]) } == "missing required option: \"type\"")
        #expect(message { try LocalDriver.validate(["type": "tmpfs", "device": "tmpfs", "o": "size=1m"]) } == nil)
        let (flags, data) = LocalDriver.parseOptions("bind,ro,size=1m,rw,uid=1000")
        #expect(flags == UInt(4096 | 1) && data == "size=1m,uid=1000")
    }

    @Test func copyUpResolvesLinksInsideTheRoot() {
        #expect(CopyUp.resolveInScope("/a/../../b/./c", root: "/r") == "/r/b/c")
    }
}
