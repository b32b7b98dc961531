#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem

/// What the runtime remembers of a container between invocations, in `<root>/<id>/state.json`.
public struct ContainerRecord: Codable, Sendable {
    public var id: String
    public var bundle: String
    public var rootfs: String
    /// The init process on the host, once it exists.
    public var pid: Int32?
    /// Its start time (/proc/PID/stat field 22), so a recycled pid is not mistaken for it.
    public var pidStartTime: UInt64?
    public var created: String
    public var cgroupPath: String
    public var owner: String
    public var annotations: [String: String]?
}

/// The runtime's state directory (`--root`), one subdirectory per container.
public struct StateStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func dir(_ id: String) -> String { root + "/" + id }
    func statePath(_ id: String) -> String { dir(id) + "/state.json" }
    func fifoPath(_ id: String) -> String { dir(id) + "/exec.fifo" }
    func configPath(_ id: String) -> String { dir(id) + "/config.json" }

    /// Keeps the container's config as given (hooks, process defaults for exec, limits),
    /// copied rather than re-encoded: creation is a hot path.
    func saveConfig(_ id: String, _ bytes: [UInt8]) throws {
        try Files.writeAtomic(configPath(id), bytes, mode: 0o600, durable: false)
    }

    /// The container's config, decoded.
    public func spec(_ id: String) throws -> Spec {
        try OCIJSON.decode(Spec.self, from: try Files.read(configPath(id)))
    }

    /// Container IDs may not name paths.
    static func validate(id: String) throws {
        guard !id.isEmpty, id != ".", id != "..", !id.contains("/"), id.utf8.count <= 1024 else {
            throw RuntimeError.invalidArgument("invalid container id \"\(id)\"")
        }
    }

    /// Makes the directory for a new container; fails if the id is taken.
    func reserve(_ id: String) throws {
        try StateStore.validate(id: id)
        try Files.mkdirAll(root, mode: 0o711)
        if mkdir(dir(id), 0o711) != 0 {
            if errno == EEXIST { throw RuntimeError.alreadyExists(id) }
            throw SyscallError(syscall: "mkdir", path: dir(id), code: errno)
        }
    }

    func save(_ record: ContainerRecord) throws {
        // Runtime state lives in /run (tmpfs) and dies with the boot, as runc's does.
        try Files.writeAtomic(statePath(record.id), try OCIJSON.encode(record), mode: 0o600, durable: false)
    }

    public func load(_ id: String) throws -> ContainerRecord {
        try StateStore.validate(id: id)
        guard Files.exists(dir(id)) else { throw RuntimeError.notFound(id) }
        let bytes: [UInt8]
        do { bytes = try Files.read(statePath(id)) } catch { throw RuntimeError.notFound(id) }
        return try OCIJSON.decode(ContainerRecord.self, from: bytes)
    }

    public func ids() -> [String] {
        ((try? Files.list(root)) ?? []).filter { Files.isDirectory(dir($0)) }.sorted()
    }

    func remove(_ id: String) throws { try Files.removeAll(dir(id)) }
}
