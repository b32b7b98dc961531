import BerthAPIModels
import BerthNetwork
import BerthSystem

/// The daemon's settings: defaults, then daemon.json, then flags. As in dockerd, a
/// setting given both as a flag and in the file is an error.
public struct DaemonConfig: Sendable, Equatable {
    public var dataRoot = "/var/lib/berth"
    public var hosts = ["unix:///run/berth/berth.sock"]
    public var logLevel = "info"
    public var pidFile = "/run/berth/berthd.pid"
    public var debug = false
    /// Registries reached over plain HTTP besides loopback ones: `host[:port]` or CIDR.
    public var insecureRegistries: [String] = []
    /// The default bridge (`bridge`, `bip`) and the pools user networks take subnets from
    /// (`default-address-pools`), with dockerd's names.
    public var network = NetworkDefaults()

    public init() {}

    /// The settings Berth reads from daemon.json, with Docker's key names.
    public static let fileKeys: Set<String> = ["data-root", "hosts", "log-level", "pidfile", "debug", "insecure-registries",
                                                   "bridge", "bip", "default-address-pools"]

    /// Applies the JSON text of a daemon.json. Returns the keys it does not know, which
    /// the caller warns about (a Docker daemon.json may carry settings Berth lacks).
    @discardableResult
    public mutating func apply(fileText bytes: [UInt8], path: String, flagsGiven: Set<String>) throws -> [String] {
        // An empty file configures nothing.
        if bytes.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) { return [] }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw BerthError("unable to configure the Berth daemon with file \(path): \(error)")
        }
        guard let object = value.objectValue else {
            throw BerthError("unable to configure the Berth daemon with file \(path): not a JSON object")
        }
        let conflicts = object.keys.filter { flagsGiven.contains($0) }.sorted()
        if !conflicts.isEmpty {
            throw BerthError("unable to configure the Berth daemon with file \(path): the following directives are specified both as a flag and in the configuration file: \(conflicts.joined(separator: ", "))")
        }
        var unknown: [String] = []
        for member in object {
            switch (member.key, member.value) {
            case ("data-root", .string(let s)): dataRoot = s
            case ("log-level", .string(let s)): logLevel = s
            case ("pidfile", .string(let s)): pidFile = s
            case ("debug", .bool(let b)): debug = b
            case ("insecure-registries", .array(let items)):
                insecureRegistries = try items.map { item in
                    guard let s = item.stringValue else { throw BerthError("\(path): insecure-registries: expected strings") }
                    return s
                }
            case ("bridge", .string(let s)): network.bridgeName = s
            case ("bip", .string(let s)): network.bip = s
            case ("default-address-pools", .array(let items)):
                network.pools = try items.map { item in
                    guard let base = item["base"]?.stringValue, let size = item["size"]?.intValue else {
                        throw BerthError("\(path): default-address-pools: expected {\"base\": CIDR, \"size\": N} objects")
                    }
                    return NetworkDefaults.Pool(base: base, size: Int(size))
                }
            case ("hosts", .array(let items)):
                hosts = try items.map { item in
                    guard let s = item.stringValue else { throw BerthError("\(path): hosts: expected strings") }
                    return s
                }
            case (let key, _) where Self.fileKeys.contains(key):
                throw BerthError("unable to configure the Berth daemon with file \(path): invalid type for \(key)")
            default:
                unknown.append(member.key)
            }
        }
        return unknown
    }

    /// The unix socket paths of `hosts`. Only `unix://` hosts are served for now.
    public func socketPaths() throws -> [String] {
        try hosts.map { host in
            guard host.hasPrefix("unix://") else {
                throw BerthError("unsupported host \(host): only unix:// sockets are supported")
            }
            let path = String(host.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw BerthError("invalid host \(host): the socket path must be absolute") }
            return path
        }
    }
}
