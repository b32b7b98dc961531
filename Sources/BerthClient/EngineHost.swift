/// Where the daemon listens. Only unix sockets for now.
public struct EngineHost: Sendable, Equatable, CustomStringConvertible {
    /// The default socket, `unix:///run/berth/berth.sock`.
    public static let defaultHost = "unix:///run/berth/berth.sock"

    /// The socket's path.
    public var socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// Parses `unix:///path`. Other schemes are refused until the client speaks them.
    public init(parsing url: String) throws(ClientError) {
        guard url.hasPrefix("unix://") else {
            throw .invalidHost("unsupported host \(url): only unix:// sockets are supported")
        }
        let path = String(url.dropFirst("unix://".count))
        guard path.hasPrefix("/") else { throw .invalidHost("invalid host \(url): the socket path must be absolute") }
        socketPath = path
    }

    /// The host to use: the `-H`/`--host` flag, else `BERTH_HOST`, else `DOCKER_HOST`,
    /// else the default socket.
    public static func resolve(flag: String?, environment: [String: String]) throws(ClientError) -> EngineHost {
        for candidate in [flag, environment["BERTH_HOST"], environment["DOCKER_HOST"]] {
            if let candidate, !candidate.isEmpty { return try EngineHost(parsing: candidate) }
        }
        return try EngineHost(parsing: defaultHost)
    }

    public var description: String { "unix://" + socketPath }
}
