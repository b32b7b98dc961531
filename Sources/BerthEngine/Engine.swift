#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthImage
import BerthNetwork
import BerthOCI
import BerthRuntime
import BerthSystem

/// The daemon's core: images and containers under the data root, containers run by shims.
/// An actor: API handlers call it concurrently; blocking waits happen on plain threads.
public actor Engine {
    public let dataRoot: String
    let content: any ContentStore
    let images: any ImageStore
    let snapshots: any SnapshotStore
    var containers: [String: Container] = [:]
    var exitWaiters: [String: [CheckedContinuation<Int32, Never>]] = [:]
    var removeWaiters: [String: [CheckedContinuation<Int32, Never>]] = [:]
    /// Attaches that arrived before start: run by `start` once the shim exists and before
    /// the container runs, so no output is missed.
    var pendingAttach: [String: [(ShimProcess?) -> Void]] = [:]
    /// Exec instances by ID (kept in memory, as Docker does).
    var execs: [String: ExecInstance] = [:]
    /// Registries reached over plain HTTP besides loopback ones (`insecure-registries`).
    let insecureRegistries: [String]
    /// Restart policies and health checks at work (Engine+Restart, Engine+Health).
    var ops = OpsState()
    /// The event log `GET /events` reads; anything may publish to it (Engine+Events).
    public nonisolated let events = EventBus()
    /// Networks, endpoints and their leases (thread-safe; see Engine+Network).
    public nonisolated let network: NetworkManager
    /// Named and anonymous volumes under `volumes/` (Engine+Volumes).
    var volumeStore: VolumeStore

    public init(dataRoot: String, insecureRegistries: [String] = [], networkDefaults: NetworkDefaults = NetworkDefaults()) throws {
        self.dataRoot = dataRoot
        self.insecureRegistries = insecureRegistries
        network = try NetworkManager(dataRoot: dataRoot, defaults: networkDefaults)
        try Files.mkdirAll(dataRoot + "/containers", mode: 0o710)
        content = try ContentStores.local(root: dataRoot)
        images = try ImageStores.local(root: dataRoot)
        snapshots = try SnapshotStores.overlay(root: dataRoot)
        volumeStore = try VolumeStore(dataRoot: dataRoot)
        var found: [String: Container] = [:]
        for id in (try? Files.list(dataRoot + "/containers")) ?? [] {
            guard let bytes = try? Files.read(dataRoot + "/containers/" + id + "/container.json"),
                  let c = try? OCIJSON.decode(Container.self, from: bytes) else { continue }
            found[id] = c
        }
        containers = found
    }

    /// After a restart: containers whose shim still runs are watched again; those that
    /// exited meanwhile get their real exit code and time from the shim's exit.json.
    public func restore() {
        restoreVolumes()
        for (id, c) in containers where c.state.running {
            let shim = ShimProcess(stateDir: shimDir(id))
            if let status = shim.exitStatus {
                recordExit(id, status)
            } else if shim.isAlive {
                watch(id)
            } else {
                var s = ShimStatus(id: id, pid: c.state.pid, status: "stopped", exitCode: 255)
                s.exitedAt = WallClock.rfc3339Nano()
                recordExit(id, s)
            }
        }
        restoreNetworks()
        resumeAtBoot()
    }

    nonisolated func containerDir(_ id: String) -> String { dataRoot + "/containers/" + id }
    nonisolated func shimDir(_ id: String) -> String { "/run/berth/shims/" + id }
    /// Compiled seccomp filters the shims share (see the runtime's SeccompProgram).
    nonisolated var seccompCacheDir: String { "/run/berth/seccomp" }

    /// Records `c` in memory and on disk, atomically. `durable` (fsync'd) for what must
    /// survive a power loss: a container's existence and name. Run-state changes (started,
    /// exited) need not be: after a power loss no container runs, and `restore` reports the
    /// ones recorded as running as exited.
    func save(_ c: Container, durable: Bool = true) throws {
        containers[c.id] = c
        try Files.writeAtomic(containerDir(c.id) + "/container.json", try OCIJSON.encode(c), durable: durable)
    }

    /// A container by full ID, name, or unique ID prefix, as Docker looks them up.
    public func lookup(_ ref: String) throws(EngineError) -> Container {
        let key = ref.hasPrefix("/") ? String(ref.dropFirst()) : ref
        if let c = containers[key] { return c }
        if let c = containers.values.first(where: { $0.name == key }) { return c }
        let matches = key.isEmpty ? [] : containers.keys.filter { $0.hasPrefix(key) }
        if matches.count == 1 { return containers[matches[0]]! }
        if matches.count > 1 { throw .invalidArgument("multiple IDs found with provided prefix: \(key)") }
        throw .notFound("No such container: \(ref)")
    }

    public func list(all: Bool) -> [Container] {
        containers.values.filter { all || $0.state.running || $0.state.status == "restarting" }.sorted { $0.created > $1.created }
    }
}
