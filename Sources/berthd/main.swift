// berthd: the Berth daemon. Parses dockerd-style flags, merges daemon.json, and runs
// the API server until SIGTERM or SIGINT.
#if canImport(Glibc)
import Glibc
#endif
import BerthAPI
import BerthAPIModels
import BerthFlags
import BerthNetwork
import BerthSystem

let flags: [FlagSpec] = [
    .string("config-file", usage: "Daemon configuration file", default: "/etc/berth/daemon.json"),
    .string("data-root", usage: "Root directory of persistent Berth state", default: "/var/lib/berth"),
    .string("bip", usage: "Specify network bridge IP"),
    .string("bridge", short: "b", usage: "Attach containers to a network bridge"),
    .bool("debug", short: "D", usage: "Enable debug mode"),
    .list("host", short: "H", usage: "Daemon socket(s) to connect to"),
    .string("log-level", short: "l", usage: "Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\")", default: "info"),
    .string("pidfile", short: "p", usage: "Path to use for daemon PID file", default: "/run/berth/berthd.pid"),
    .bool("version", short: "v", usage: "Print version information and quit"),
    .bool("help", short: "h", usage: "Print usage"),
]

func fail(_ message: String) -> Never {
    let bytes = Array("berthd: \(message)\n".utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(1)
}

let parsed: ParsedFlags
do {
    parsed = try FlagParser.parse(Array(CommandLine.arguments.dropFirst()), flags: flags)
} catch {
    fail("\(error)\nSee 'berthd --help'.")
}
if parsed.bool("help") {
    print(HelpText.usage(line: "berthd [OPTIONS]", summary: "A self-sufficient runtime for containers.", flags: flags))
    exit(0)
}
if parsed.bool("version") {
    print("Berth version \(BerthVersionInfo.version), build \(BerthVersionInfo.gitCommit)")
    exit(0)
}
if !parsed.arguments.isEmpty { fail("berthd takes no arguments, got \(parsed.arguments.joined(separator: " "))") }

var config = DaemonConfig()
var log = Log()
let configFile = parsed.string("config-file") ?? "/etc/berth/daemon.json"
if let bytes = try? Files.read(configFile) {
    let given: Set<String> = Set(parsed.order.map { $0 == "host" ? "hosts" : $0 })
    do {
        for key in try config.apply(fileText: bytes, path: configFile, flagsGiven: given) {
            log.warn("ignoring unsupported option \"\(key)\" in \(configFile)")
        }
    } catch {
        fail("\(error)")
    }
} else if parsed.isSet("config-file") {
    fail("unable to read config file \(configFile)")
}
if let dataRoot = parsed.string("data-root") { config.dataRoot = Files.absolute(dataRoot) }
if parsed.isSet("host") { config.hosts = parsed.list("host") }
if let level = parsed.string("log-level") { config.logLevel = level }
if let pidFile = parsed.string("pidfile") { config.pidFile = Files.absolute(pidFile) }
if parsed.bool("debug") { config.debug = true }
if let bip = parsed.string("bip") { config.network.bip = bip }
if let bridge = parsed.string("bridge") { config.network.bridgeName = bridge }

guard let level = Log.Level(name: config.debug ? "debug" : config.logLevel) else {
    fail("unable to parse logging level: \(config.logLevel)")
}
log.level = level
log.info("Starting up")
do {
    try await Daemon.run(config: config, log: log)
} catch {
    log.error("\(error)")
    exit(1)
}
