#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthSystem
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The Engine API over HTTP/1.1 on a unix socket. Create it with a router that has its
/// routes, `start` it, and `stop` it to close the listener and remove the socket file.
public final class APIServer: Sendable {
    public let socketPath: String
    private let router: Router
    private let group: any EventLoopGroup
    private let log: Log
    private let listener = Mutex<(any Channel)?>(nil)

    /// - Parameters:
    ///   - socketPath: where to listen; its directory is created, a stale socket replaced.
    ///   - group: the event loops; one thread is enough for the daemon.
    public init(socketPath: String, router: Router, group: any EventLoopGroup, log: Log = Log()) {
        self.socketPath = socketPath
        self.router = router
        self.group = group
        self.log = log
    }

    /// Binds the socket (mode 0660, as Docker's) and starts accepting connections.
    public func start() async throws {
        try Files.mkdirAll(Files.dirname(socketPath), mode: 0o755)
        let (router, log) = (self.router, self.log)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let encoder = HTTPResponseEncoder()
                    let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
                    let handler = HTTPConnectionHandler(router: router, log: log, encoder: encoder, decoder: decoder)
                    try channel.pipeline.syncOperations.addHandlers([encoder, decoder, handler])
                }
            }
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true)
            .get()
        try sys("chmod", path: socketPath) { chmod(socketPath, 0o660) }
        listener.withLock { $0 = channel }
        log.info("API listen on \(socketPath)")
    }

    /// Stops accepting connections and removes the socket file. Open connections are
    /// closed with the event loop group.
    public func stop() async {
        let channel = listener.withLock { current -> (any Channel)? in
            defer { current = nil }
            return current
        }
        try? await channel?.close().get()
        unlink(socketPath)
    }

    /// Returns when the listener has closed.
    public func waitUntilClosed() async {
        let channel = listener.withLock { $0 }
        try? await channel?.closeFuture.get()
    }
}
