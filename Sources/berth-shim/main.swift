// berth-shim: one small, single-threaded process per running container (DESIGN.md). It
// creates the container through the runtime library and stays its parent (subreaper),
// holds its stdio, writes the json-file log, answers requests on its own unix socket, and
// writes the exit status to disk, so berthd can restart without stopping containers.
#if canImport(Glibc)
import Glibc
#endif
import BerthRuntime
import BerthSystem
import CBerth

struct ShimOptions {
    var id = ""
    var bundle = "."
    var stateDir = ""
    var runtimeRoot: String?
    var seccompCache: String?
    var logPath: String?
    var logMaxSize = 0
    var logMaxFiles = 1
    var tty = false
    var stdin = false
    var stdinOnce = false

    static let usage = """
    usage: berth-shim --id ID --bundle DIR --state-dir DIR [--runtime-root DIR]
                      [--seccomp-cache DIR] [--log-path FILE] [--log-max-size BYTES] [--log-max-files N]
                      [--tty] [--stdin] [--stdin-once]
    Creates the container and serves DIR/shim.sock; `start` runs it. Writes DIR/exit.json at exit.
    --seccomp-cache keeps compiled seccomp filters between containers.
    """

    static func parse(_ args: [String]) throws -> ShimOptions {
        var o = ShimOptions()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BerthError("\(args[i - 1]) needs a value\n\(usage)") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--id": o.id = try value()
            case "--bundle": o.bundle = try value()
            case "--state-dir": o.stateDir = try value()
            case "--runtime-root": o.runtimeRoot = try value()
            case "--seccomp-cache": o.seccompCache = try value()
            case "--log-path": o.logPath = try value()
            case "--log-max-size": o.logMaxSize = Int(try value()) ?? 0
            case "--log-max-files": o.logMaxFiles = Int(try value()) ?? 1
            case "--tty": o.tty = true
            case "--stdin": o.stdin = true
            case "--stdin-once": o.stdinOnce = true
            case "-h", "--help": print(usage); exit(0)
            default: throw BerthError("unknown argument \(args[i])\n\(usage)")
            }
            i += 1
        }
        guard !o.id.isEmpty, !o.stateDir.isEmpty else { throw BerthError(usage) }
        return o
    }
}

do {
    let options = try ShimOptions.parse(Array(CommandLine.arguments.dropFirst()))
    var shim = try Shim(options)
    // Creating the container parsed the bundle and built the filter; what they freed goes
    // back to the kernel, since one shim stays per running container.
    _ = berth_malloc_trim()
    exit(shim.serve())
} catch {
    _ = "berth-shim: \(error)\n".withCString { write(2, $0, strlen($0)) }
    exit(1)
}
