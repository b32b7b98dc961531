#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

/// The one route Berth writes itself: a container's default route, added over rtnetlink
/// (`RTM_NEWROUTE`) inside the container's network namespace. netavark adds it for a network
/// it sets up with its firewall; the container endpoints that skip the firewall run (see
/// `Netavark.options`) get it from here, as `ip route add default via GW metric 100 proto static`
/// would write it.
enum RouteNetlink {
    /// Adds `default via gateway` (table main, metric 100, proto static) in the namespace
    /// bind-mounted at `netns`.
    static func addDefaultRoute(netns: String, gateway: IPv4Address, metric: UInt32 = 100) throws {
        let sock = try socket(in: netns)
        defer { close(sock) }
        var msg: [UInt8] = []
        // struct nlmsghdr: length (filled below), RTM_NEWROUTE (24),
        // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE, sequence 1, port 0.
        msg += le32(0) + le16(24) + le16(0x1 | 0x4 | 0x200 | 0x400) + le32(1) + le32(0)
        // struct rtmsg: AF_INET, dst_len 0, src_len 0, tos 0, RT_TABLE_MAIN, RTPROT_STATIC,
        // RT_SCOPE_UNIVERSE, RTN_UNICAST, flags 0.
        msg += [UInt8(AF_INET), 0, 0, 0, 254, 4, 0, 1] + le32(0)
        msg += le16(8) + le16(5) + gateway.bytes                 // RTA_GATEWAY
        msg += le16(8) + le16(6) + le32(metric)                  // RTA_PRIORITY
        msg.replaceSubrange(0..<4, with: le32(UInt32(msg.count)))
        _ = try sys("send", path: netns) { msg.withUnsafeBytes { Glibc.send(sock, $0.baseAddress, $0.count, 0) } }
        var reply = [UInt8](repeating: 0, count: 4096)
        let n = try sys("recv", path: netns) { reply.withUnsafeMutableBytes { recv(sock, $0.baseAddress, $0.count, 0) } }
        // NLMSG_ERROR (2) carries the request's errno, negated; 0 is the acknowledgement.
        guard n >= 20, reply[4] == 2, reply[5] == 0 else {
            throw NetworkError(.failed, "add default route via \(gateway) in \(netns): unexpected netlink reply")
        }
        let code = Int32(bitPattern: UInt32(reply[16]) | UInt32(reply[17]) << 8 | UInt32(reply[18]) << 16 | UInt32(reply[19]) << 24)
        if code != 0 { throw SyscallError(syscall: "RTM_NEWROUTE default via \(gateway)", path: netns, code: -code) }
    }

    /// A `NETLINK_ROUTE` socket in the namespace at `path` (a netlink socket stays in the
    /// namespace it was made in).
    static func socket(in path: String) throws -> Int32 {
        try NetworkNamespace.socket(in: path, domain: AF_NETLINK,
                               type: Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), protocol: 0 /* NETLINK_ROUTE */)
    }

    private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xff) } }
}
