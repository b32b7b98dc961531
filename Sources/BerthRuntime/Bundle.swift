#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem

/// An OCI bundle: the directory holding `config.json` and the root filesystem.
public struct Bundle: Sendable {
    public let path: String
    public let spec: Spec
    /// The root filesystem, absolute.
    public let rootfs: String
    /// config.json as read (or as encoded from `spec`).
    public let configBytes: [UInt8]

    /// Reads and checks `config.json`; every failure is one line naming the field.
    public init(path: String) throws {
        let bundle = Files.absolute(path)
        let configPath = Files.join(bundle, "config.json")
        let bytes: [UInt8]
        do { bytes = try Files.read(configPath) } catch {
            throw RuntimeError.invalidBundle("config.json: \(error)")
        }
        let spec: Spec
        do { spec = try OCIJSON.decode(Spec.self, from: bytes) } catch {
            throw RuntimeError.invalidBundle("config.json: \(OCIJSON.describe(error))")
        }
        try self.init(path: bundle, spec: spec, bytes: bytes)
    }

    /// Checks a spec already in memory against the bundle directory.
    public init(path: String, spec: Spec, bytes: [UInt8]? = nil) throws {
        self.path = Files.absolute(path)
        self.spec = spec
        self.configBytes = try bytes ?? OCIJSON.encode(spec)
        guard let root = spec.root else { throw RuntimeError.invalidBundle("config.json: root: missing required field") }
        let rootfs = root.path.hasPrefix("/") ? root.path : Files.join(self.path, root.path)
        guard Files.isDirectory(rootfs) else {
            throw RuntimeError.invalidBundle("config.json: root.path: rootfs `\(rootfs)` is not a directory")
        }
        self.rootfs = rootfs
        guard let process = spec.process else { return }
        guard let args = process.args, !args.isEmpty else {
            throw RuntimeError.invalidBundle("config.json: process.args: must not be empty")
        }
        guard process.cwd.hasPrefix("/") else {
            throw RuntimeError.invalidBundle("config.json: process.cwd: \"\(process.cwd)\" is not an absolute path")
        }
        try validateNamespaces()
        try validateMounts()
        let sets = process.capabilities.map { [$0.bounding, $0.effective, $0.permitted, $0.inheritable, $0.ambient] } ?? []
        for (i, list) in sets.enumerated() {
            for cap in list ?? [] where Capabilities.number(cap) == nil {
                let set = ["bounding", "effective", "permitted", "inheritable", "ambient"][i]
                throw RuntimeError.invalidBundle("config.json: process.capabilities.\(set): unknown capability \"\(cap)\"")
            }
        }
        for (i, r) in (process.rlimits ?? []).enumerated() where Rlimits.numbers[r.type] == nil {
            throw RuntimeError.invalidBundle("config.json: process.rlimits[\(i)].type: unknown rlimit \"\(r.type)\"")
        }
    }

    private func validateNamespaces() throws {
        var seen = Set<Spec.NamespaceType>()
        for (i, ns) in (spec.linux?.namespaces ?? []).enumerated() {
            guard seen.insert(ns.type).inserted else {
                throw RuntimeError.invalidBundle("config.json: linux.namespaces[\(i)].type: duplicate namespace \"\(ns.type.rawValue)\"")
            }
            if let p = ns.path, !Files.exists(p) {
                throw RuntimeError.invalidBundle("config.json: linux.namespaces[\(i)].path: `\(p)` does not exist")
            }
        }
    }

    private func validateMounts() throws {
        for (i, m) in (spec.mounts ?? []).enumerated() {
            guard m.destination.hasPrefix("/") else {
                throw RuntimeError.invalidBundle("config.json: mounts[\(i)].destination: \"\(m.destination)\" is not an absolute path")
            }
            do { _ = try SecureJoin.resolve(root: rootfs, path: m.destination) } catch {
                throw RuntimeError.invalidBundle("config.json: mounts[\(i)].destination: \(error)")
            }
        }
    }

    /// The namespaces the spec asks for.
    public var namespaces: [Spec.Namespace] { spec.linux?.namespaces ?? [] }

    public func has(_ type: Spec.NamespaceType) -> Bool { namespaces.contains { $0.type == type } }
}

/// Resolves a path inside a root directory the way the container will see it: symlinks
/// are followed relative to the root, and nothing may climb above it.
enum SecureJoin {
    struct EscapeError: Error, CustomStringConvertible {
        var path: String
        var via: String?
        var description: String {
            if let via { return "\"\(path)\" escapes the container's root through symlink \(via)" }
            return "\"\(path)\" escapes the container's root through \"..\""
        }
    }

    /// The host path for `path` inside `root`. Missing trailing components are fine (they
    /// will be created). Throws `EscapeError` when `..` in the path or in a relative symlink
    /// would leave the root; absolute symlinks are taken relative to the root, as in a chroot.
    static func resolve(root: String, path: String) throws -> String {
        var resolved: [String] = []
        var pending = path.split(separator: "/").map(String.init)
        var hops = 0
        var via: String? = nil
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                if resolved.isEmpty { throw EscapeError(path: path, via: via) }
                resolved.removeLast()
                continue
            }
            let candidate = root + "/" + (resolved + [part]).joined(separator: "/")
            if let target = Files.readlink(candidate) {
                hops += 1
                if hops > 40 { throw BerthError("too many levels of symbolic links in \"\(path)\"") }
                via = "/" + (resolved + [part]).joined(separator: "/") + " -> " + target
                if target.hasPrefix("/") { resolved = [] }
                pending = target.split(separator: "/").map(String.init) + pending
                continue
            }
            resolved.append(part)
        }
        return resolved.isEmpty ? root : root + "/" + resolved.joined(separator: "/")
    }
}
