#if canImport(Glibc)
import Glibc
#endif
import BerthSystem

extension NetworkManager {
    /// Docker's range for ports it picks (`-p 80`, `-P`): the kernel's default ephemeral range.
    static let dynamicPorts = 32768...60999

    /// Checks and completes the requested bindings: a free host port where none was given,
    /// and Docker's errors for a port another container holds or a host program listens on.
    func allocatePorts(_ requested: [PortBinding], taken: [PortBinding], container: String,
                       endpointID: String) throws -> [PortBinding] {
        var out: [PortBinding] = []
        func clash(_ p: PortBinding, _ q: PortBinding) -> Bool {
            p.proto == q.proto && p.hostPort == q.hostPort && (p.hostIP.isEmpty || q.hostIP.isEmpty || p.hostIP == q.hostIP)
        }
        let prefix = "driver failed programming external connectivity on endpoint \(container) (\(endpointID))"
        for var p in requested {
            if p.hostIP == "0.0.0.0" { p.hostIP = "" }
            guard p.hostIP.isEmpty || IPv4Address(p.hostIP) != nil else {
                throw NetworkError(.invalid, "invalid IP address: \(p.hostIP)")
            }
            guard (1...65535).contains(p.containerPort), (0...65535).contains(p.hostPort),
                  ["tcp", "udp", "sctp"].contains(p.proto) else {
                throw NetworkError(.invalid, "invalid port specification: \"\(p.containerPort)/\(p.proto)\"")
            }
            if p.hostPort == 0 {
                var rng = SystemRandomNumberGenerator()
                let span = Self.dynamicPorts.count
                let start = Int.random(in: 0..<span, using: &rng)
                var found = false
                for k in 0..<span {
                    p.hostPort = Self.dynamicPorts.lowerBound + (start + k) % span
                    if !(taken + out).contains(where: { clash(p, $0) }) && Self.bindable(p) == nil { found = true; break }
                }
                guard found else { throw NetworkError(.failed, "\(prefix): no free host port for \(p.containerPort)/\(p.proto)") }
            } else {
                if (taken + out).contains(where: { clash(p, $0) }) {
                    throw NetworkError(.failed, "\(prefix): Bind for \(p.hostIP.isEmpty ? "0.0.0.0" : p.hostIP):\(p.hostPort) failed: port is already allocated")
                }
                if let reason = Self.bindable(p) {
                    throw NetworkError(.failed, "\(prefix): Error starting userland proxy: listen \(p.proto)4 \(p.hostIP.isEmpty ? "0.0.0.0" : p.hostIP):\(p.hostPort): bind: \(reason)")
                }
            }
            out.append(p)
        }
        return out
    }

    /// nil if a host program could bind the port now (so the DNAT would not hide a listener),
    /// else the reason it cannot. SO_REUSEADDR, so a TIME_WAIT connection does not count.
    static func bindable(_ p: PortBinding) -> String? {
        let type = p.proto == "udp" ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)
        let fd = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(p.hostPort).bigEndian)
        addr.sin_addr.s_addr = (IPv4Address(p.hostIP)?.value ?? 0).bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0 ? nil : String(cString: strerror(errno)).lowercased()
    }
}
