/// The contents of a container's /etc/hosts and /etc/resolv.conf, as Docker writes them.
/// Pure: the engine writes the files.
public enum EtcFiles {
    static let defaultHosts = """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters

        """

    /// Docker's /etc/hosts: the defaults, `--add-host` entries, `--link` entries, then the
    /// container's own address and hostname (none without a network).
    public static func hosts(address: String?, hostname: String, extraHosts: [(name: String, ip: String)],
                             links: [(ip: String, names: [String])]) -> String {
        var text = defaultHosts
        for h in extraHosts { text += "\(h.ip)\t\(h.name)\n" }
        for l in links { text += "\(l.ip)\t\(l.names.joined(separator: " "))\n" }
        if let address { text += "\(address)\t\(hostname)\n" }
        return text
    }

    /// Docker's resolv.conf: the host's, without loopback nameservers (they are not reachable
    /// from the container's namespace; Google's servers stand in if none remain); `--dns`,
    /// `--dns-search` and `--dns-option` replace the host's lines of the same kind. With an
    /// embedded DNS server (user networks) it comes first.
    public static func resolvConf(host: String, dns: [String], search: [String], options: [String],
                                  embedded: String?) -> String {
        var servers: [String] = [], hostSearch: [String] = [], hostOptions: [String] = []
        for line in host.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let key = f.first else { continue }
            switch key {
            case "nameserver" where f.count > 1: servers.append(f[1])
            case "search", "domain": hostSearch = Array(f.dropFirst())
            case "options": hostOptions += f.dropFirst()
            default: continue
            }
        }
        servers = servers.filter { !$0.hasPrefix("127.") && $0 != "::1" }
        if !dns.isEmpty { servers = dns } else if servers.isEmpty && embedded == nil { servers = ["8.8.8.8", "8.8.4.4"] }
        if let embedded { servers = [embedded] + (dns.isEmpty ? [] : dns) }
        var text = ""
        let s = search.isEmpty ? hostSearch : search.filter { $0 != "." }
        if !s.isEmpty { text += "search \(s.joined(separator: " "))\n" }
        for server in servers { text += "nameserver \(server)\n" }
        let o = options.isEmpty ? hostOptions : options
        if !o.isEmpty { text += "options \(o.joined(separator: " "))\n" }
        return text
    }
}
