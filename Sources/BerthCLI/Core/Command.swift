import BerthAPIModels
import BerthClient
import BerthFlags

/// One CLI command: its name, help, flags, argument count, and what it does. Commands
/// are plain values registered with `CommandRegistry`; each lives in its own file under
/// Commands/ as a `static var` on `Command`.
public struct Command: Sendable {
    /// How many positional arguments the command takes.
    public enum Arguments: Sendable, Equatable {
        case none
        case exactly(Int)
        case atLeast(Int)
        case between(Int, Int)
    }

    public var name: String
    /// The same command registered in several places (`container ls`, `ps`) shares it.
    public var id: String
    /// Other names in the same place (`ls`, `list` for `ps`).
    public var aliases: [String]
    /// What follows the command's path in the usage line: `[OPTIONS] CONTAINER [CONTAINER...]`.
    public var usage: String
    public var summary: String
    public var flags: [FlagSpec]
    public var arguments: Arguments
    /// False for commands whose arguments after the first positional one are a command
    /// line of their own (`run IMAGE ls -l`).
    public var interspersed: Bool
    public var run: @Sendable (Invocation) throws -> Int32

    public init(
        name: String, aliases: [String] = [], usage: String = "[OPTIONS]", summary: String,
        flags: [FlagSpec] = [], arguments: Arguments = .none, interspersed: Bool = true,
        run: @escaping @Sendable (Invocation) throws -> Int32
    ) {
        self.name = name
        self.id = name
        self.aliases = aliases
        self.usage = usage
        self.summary = summary
        self.flags = flags
        self.arguments = arguments
        self.interspersed = interspersed
        self.run = run
    }

    /// Docker's message when the argument count is wrong, or nil when it is right.
    func argumentProblem(_ count: Int, path: String) -> String? {
        switch arguments {
        case .none where count > 0:
            return "\"\(path)\" accepts no arguments."
        case .exactly(let n) where count != n:
            return "\"\(path)\" requires exactly \(n) argument\(n == 1 ? "" : "s")."
        case .atLeast(let n) where count < n:
            return "\"\(path)\" requires at least \(n) argument\(n == 1 ? "" : "s")."
        case .between(let low, let high) where count < low || count > high:
            return "\"\(path)\" requires at least \(low) and at most \(high) arguments."
        default:
            return nil
        }
    }
}

/// The global options given before the command (`berth -H unix:///x.sock info`).
public struct GlobalOptions: Sendable {
    public var host: String?
    public var configDirectory: String?
    public var debug = false
    public var logLevel = "info"

    public init() {}

    /// Docker's root flags; TLS and context flags are accepted and ignored for now.
    static let flags: [FlagSpec] = [
        .string("config", usage: "Location of client config files", default: "~/.berth"),
        .string("context", short: "c", usage: "Name of the context to use to connect to the daemon"),
        .bool("debug", short: "D", usage: "Enable debug mode"),
        .list("host", short: "H", usage: "Daemon socket to connect to"),
        .string("log-level", short: "l", usage: "Set the logging level (\"debug\", \"info\", \"warn\", \"error\", \"fatal\")", default: "info"),
        .bool("tls", usage: "Use TLS; implied by --tlsverify", hidden: true),
        FlagSpec("tlscacert", usage: "Trust certs signed only by this CA", hidden: true),
        FlagSpec("tlscert", usage: "Path to TLS certificate file", hidden: true),
        FlagSpec("tlskey", usage: "Path to TLS key file", hidden: true),
        .bool("tlsverify", usage: "Use TLS and verify the remote", hidden: true),
        .bool("version", short: "v", usage: "Print version information and quit"),
        .bool("help", short: "h", usage: "Print usage", hidden: true),
    ]
}

/// A command's run: its parsed flags and arguments, the global options, where to write,
/// and the API client (made on first use, so `--help` never touches the socket).
public final class Invocation {
    public let flags: ParsedFlags
    public var arguments: [String] { flags.arguments }
    public let global: GlobalOptions
    public let environment: [String: String]
    public let out: Output
    public let err: Output
    private var cachedClient: APIClient?

    public init(flags: ParsedFlags, global: GlobalOptions, environment: [String: String], out: Output, err: Output) {
        self.flags = flags
        self.global = global
        self.environment = environment
        self.out = out
        self.err = err
    }

    /// The client for `-H`, `BERTH_HOST`, `DOCKER_HOST` or the default socket. It
    /// negotiates the API version with the daemon on its first request.
    public func client() throws -> APIClient {
        if let cachedClient { return cachedClient }
        let client = APIClient(host: try EngineHost.resolve(flag: global.host, environment: environment), negotiate: true)
        cachedClient = client
        return client
    }
}

/// An error a command reports with a message and an exit status.
public struct CLIError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var status: Int32
    public init(_ message: String, status: Int32 = 1) {
        self.message = message
        self.status = status
    }
    public var description: String { message }
}
