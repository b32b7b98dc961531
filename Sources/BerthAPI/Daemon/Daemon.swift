#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthEngine
import BerthSystem
import Dispatch
import NIOPosix

/// berthd's life: pid file, data root, API servers, and a clean stop on SIGTERM or SIGINT.
public enum Daemon {
    /// Runs until SIGTERM or SIGINT, then closes the listeners, removes the sockets and
    /// the pid file.
    public static func run(config: DaemonConfig, log: Log) async throws {
        let socketPaths = try config.socketPaths()
        try Files.mkdirAll(config.dataRoot, mode: 0o710)
        try PidFile.create(config.pidFile)
        defer { PidFile.remove(config.pidFile) }

        let engineID = try HostSystemBackend.loadEngineID(dataRoot: config.dataRoot)
        var router = Router()
        router.commonHeaders = Router.standardHeaders(serverVersion: BerthVersionInfo.version)
        router.addSystemRoutes(HostSystemBackend(dataRoot: config.dataRoot, engineID: engineID, debug: config.debug))
        let engine = try Engine(dataRoot: config.dataRoot, insecureRegistries: config.insecureRegistries,
                                networkDefaults: config.network)
        await engine.restore()
        do { try await engine.collectGarbage() } catch { log.warn("garbage collection at start: \(error)") }
        router.addContainerRoutes(engine)
        router.addImageManageRoutes(engine, tempDir: config.dataRoot + "/tmp")
        router.addStatsRoutes(engine)
        router.addEventRoutes(engine)
        router.addImageRoutes(engine, tempDir: config.dataRoot + "/tmp")
        router.addRegistryRoutes(engine)
        router.addNetworkRoutes(engine)
        router.addVolumeRoutes(engine)
        router.addArchiveRoutes(engine, tempDir: config.dataRoot + "/tmp")
        router.addCommitRoutes(engine)
        router.addDiskUsageRoutes(engine)

        // One event loop thread: the daemon's work happens on tasks, the loop only moves bytes.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let signals = SignalWaiter([SIGTERM, SIGINT])
        var servers: [APIServer] = []
        do {
            for path in socketPaths {
                let server = APIServer(socketPath: path, router: router, group: group, log: log)
                try await server.start()
                servers.append(server)
            }
            log.info("Daemon has completed initialization")
            let signal = await signals.next()
            log.info("Processing signal '\(signal == SIGINT ? "interrupt" : "terminated")'")
        } catch {
            for server in servers { await server.stop() }
            await engine.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        for server in servers { await server.stop() }
        await engine.shutdown()
        try? await group.shutdownGracefully()
        log.info("Daemon shutdown complete")
    }
}

/// Turns signals into an async wait: the default action is ignored and a dispatch source
/// reports each signal instead.
final class SignalWaiter: Sendable {
    private let stream: AsyncStream<Int32>
    private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func next() async -> Int32 {
        for await number in stream { return number }
        return SIGTERM
    }
}

/// The daemon's pid file, refusing to start when another live daemon wrote it.
enum PidFile {
    static func create(_ path: String) throws {
        if let text = try? Files.readString(path), let pid = Int32(text.prefix(while: { $0.isNumber })),
           pid > 0, pid != getpid(), ProcFS.isAlive(pid, startTime: nil) {   // a zombie is not running
            throw BerthError("pid file found, ensure berthd is not running or delete \(path)")
        }
        try Files.mkdirAll(Files.dirname(path))
        try Files.writeAtomic(path, Array("\(getpid())".utf8))
    }

    static func remove(_ path: String) {
        unlink(path)
    }
}
