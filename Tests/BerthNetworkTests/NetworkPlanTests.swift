@testable import BerthNetwork
import Testing

/// The pure parts of networking: IPv4 arithmetic, /etc files, port checks. No root needed.
@Suite struct NetworkPlanTests {
    @Test func subnetsParseNormaliseAndOverlap() throws {
        let s = try #require(IPv4Subnet("172.30.0.1/16"))
        #expect(s.description == "172.30.0.0/16")
        #expect(IPv4Subnet("172.30.0.1/16", strict: true) == nil)
        #expect(s.firstHost.description == "172.30.0.1" && s.lastHost.description == "172.30.255.254")
        #expect(s.overlaps(try #require(IPv4Subnet("172.30.5.0/24"))))
        #expect(!s.overlaps(try #require(IPv4Subnet("172.31.0.0/24"))))
        #expect(IPv4Address("01.2.3.4") == nil && IPv4Address("1.2.3") == nil && IPv4Address("256.1.1.1") == nil)
    }

    @Test func macFollowsTheAddressAsDockers() throws {
        #expect(NetworkManager.mac(for: try #require(IPv4Address("172.17.0.2"))) == "02:42:ac:11:00:02")
    }

    @Test func hostsFileHasLinksExtraHostsAndOwnAddressLast() {
        let text = EtcFiles.hosts(address: "10.0.0.2", hostname: "abc", extraHosts: [("db", "10.1.2.3")],
                                  links: [("10.0.0.3", ["alias", "web"])])
        let lines = text.split(separator: "\n")
        #expect(lines.first == "127.0.0.1\tlocalhost")
        #expect(lines.suffix(3) == ["10.1.2.3\tdb", "10.0.0.3\talias web", "10.0.0.2\tabc"])
    }

    @Test func resolvConfDropsLoopbackServersAndHonoursFlags() {
        let host = "search corp\nnameserver 127.0.0.53\noptions edns0\n"
        #expect(EtcFiles.resolvConf(host: host, dns: [], search: [], options: [], embedded: nil)
                == "search corp\nnameserver 8.8.8.8\nnameserver 8.8.4.4\noptions edns0\n")
        #expect(EtcFiles.resolvConf(host: host, dns: ["1.1.1.1"], search: ["x.test"], options: [], embedded: nil)
                == "search x.test\nnameserver 1.1.1.1\noptions edns0\n")
        #expect(EtcFiles.resolvConf(host: host, dns: [], search: [], options: [], embedded: "10.5.0.1")
                == "search corp\nnameserver 10.5.0.1\noptions edns0\n")
    }

    @Test func netavarkSeesTheNetworkByItsID() {
        let n = NetworkRecord(id: String(repeating: "ab", count: 32), name: "bridge", driver: "bridge", created: "",
                              subnet: "10.0.0.0/24", gateway: "10.0.0.1", bridge: "berth0")
        let e = Endpoint(networkID: n.id, networkName: n.name, endpointID: "e", interface: "eth0", address: "10.0.0.2",
                         prefixLength: 24, gateway: "10.0.0.1", macAddress: "02:42:0a:00:00:02", aliases: [], links: [])
        let o = Netavark.options(network: n, endpoint: e, containerID: "c", containerName: "web",
                                 ports: [PortBinding(proto: "tcp", containerPort: 80, hostIP: "", hostPort: 8080)])
        #expect(Array(o.networks.keys) == ["berth-abababababab"])
        #expect(o.network_info["berth-abababababab"]?.network_interface == "berth0")
        #expect(o.port_mappings?.first?.host_port == 8080)
    }

    @Test func endpointsWithoutTheirOwnRulesSkipNetavarksFirewall() {
        let n = NetworkRecord(id: String(repeating: "cd", count: 32), name: "bridge", driver: "bridge", created: "",
                              subnet: "10.0.0.0/24", gateway: "10.0.0.1", bridge: "berth0")
        let e = Endpoint(networkID: n.id, networkName: n.name, endpointID: "e", interface: "eth0", address: "10.0.0.2",
                         prefixLength: 24, gateway: "10.0.0.1", macAddress: "02:42:0a:00:00:02", aliases: [], links: [])
        let name = "berth-cdcdcdcdcdcd"
        let full = Netavark.options(network: n, endpoint: e, containerID: "c", containerName: "web", ports: [])
        let bare = Netavark.options(network: n, endpoint: e, containerID: "c", containerName: "web", ports: [], firewall: false)
        #expect(full.network_info[name]?.internal == false)
        // netavark skips its firewall driver (and the default route) for an internal network.
        #expect(bare.network_info[name]?.internal == true)
        #expect(bare.network_info[name]?.subnets.first?.gateway == "10.0.0.1")
        #expect(bare.networks[name]?.static_ips == ["10.0.0.2"])
    }
}
