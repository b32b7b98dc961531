#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// A seccomp filter compiled to BPF in the runtime before the container's init is cloned,
/// so that the init only loads it. libseccomp spends ~15 ms of CPU here compiling Docker's
/// default profile (about 370 syscalls for three architectures), more than the rest of a
/// container's creation; with a cache directory the program is kept per profile, and every
/// container after the first loads it in microseconds. crun keeps a similar cache.
struct SeccompProgram: Sendable {
    /// `struct sock_filter` instructions, 8 bytes each, as libseccomp generated them.
    var filter: [UInt8]
    /// SECCOMP_FILTER_FLAG_* for seccomp(2), the ones libseccomp's load would pass.
    var flags: UInt32

    /// Loads the filter into the calling thread, as `seccomp_load` would.
    func load() throws {
        try sys("seccomp(SECCOMP_SET_MODE_FILTER)") {
            filter.withUnsafeBufferPointer { berth_seccomp_load_bpf($0.baseAddress, $0.count, flags) }
        }
    }

    /// The program for `config`: from `cacheDir` when it holds one for exactly this profile
    /// and libseccomp version, else compiled (and stored there). Nil when the profile cannot
    /// be loaded as plain BPF (see `SeccompFilter.isPrecompilable`): the init then builds it
    /// with libseccomp as before.
    static func make(_ config: Spec.Seccomp, cacheDir: String?) throws -> SeccompProgram? {
        let filter = SeccompFilter(config: config)
        guard filter.isPrecompilable else { return nil }
        let flags = try filter.loadFlags()
        guard let cacheDir else { return SeccompProgram(filter: try compile(filter), flags: flags) }
        let key = cacheKey(config)
        let path = cacheDir + "/" + hex(fnv1a(key)) + ".bpf"
        if let cached = cachedFilter(path, key: key) { return SeccompProgram(filter: cached, flags: flags) }
        let program = SeccompProgram(filter: try compile(filter), flags: flags)
        // A cache that cannot be written costs only the next container's compile.
        try? Files.mkdirAll(cacheDir, mode: 0o700)
        try? Files.writeAtomic(path, encode(key: key, filter: program.filter), mode: 0o600, durable: false)
        return program
    }

    private static func compile(_ filter: SeccompFilter) throws -> [UInt8] {
        let ctx = try filter.build()
        defer { seccomp_release(ctx) }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var len = 0
        let rc = berth_seccomp_export(ctx, &out, &len)
        if rc != 0 { throw SyscallError(syscall: "seccomp_export_bpf", code: -rc) }
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: len))
    }

    /// What the program depends on: the profile, the libseccomp version and the native
    /// architecture, as length-prefixed fields. Stored whole in the cache file and compared on
    /// load, so a hash collision cannot pick the wrong program. Written by hand: encoding the
    /// profile with the JSON coder cost more than loading the cached program.
    private static func cacheKey(_ config: Spec.Seccomp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8192)
        func put(_ s: String) { out += "\(s.utf8.count):".utf8; out += s.utf8 }
        func put(_ n: UInt64?) { put(n.map { String($0) } ?? "-") }
        func put(_ list: [String]?) { put(UInt64(list?.count ?? 0)); for s in list ?? [] { put(s) } }
        put("berth-seccomp-cache 1")
        if let v = seccomp_version() { put("libseccomp \(v.pointee.major).\(v.pointee.minor).\(v.pointee.micro)") }
        put(UInt64(seccomp_arch_native()))
        put(config.defaultAction)
        put(config.defaultErrnoRet.map(UInt64.init))
        put(config.architectures)
        put(config.flags)
        put(config.listenerPath ?? "-")
        put(UInt64(config.syscalls?.count ?? 0))
        for rule in config.syscalls ?? [] {
            put(rule.names)
            put(rule.action)
            put(rule.errnoRet.map(UInt64.init))
            put(UInt64(rule.args?.count ?? 0))
            for a in rule.args ?? [] {
                put(UInt64(a.index)); put(a.value); put(a.valueTwo); put(a.op)
            }
        }
        return out
    }

    private static let magic: [UInt8] = Array("BSC1".utf8)

    /// magic, key length (u32 little-endian), key, filter.
    private static func encode(key: [UInt8], filter: [UInt8]) -> [UInt8] {
        let n = UInt32(key.count)
        return magic + [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)] + key + filter
    }

    /// The cached filter, if the file is ours (owned by us, writable by nobody else) and
    /// was made for exactly `key`.
    private static func cachedFilter(_ path: String, key: [UInt8]) -> [UInt8]? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_uid == geteuid(), st.st_mode & 0o022 == 0,
              let bytes = try? Files.read(path), bytes.count > 8, Array(bytes[0..<4]) == magic else { return nil }
        let n = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        let start = 8 + n
        guard n == key.count, bytes.count > start, (bytes.count - start) % 8 == 0,
              bytes[8..<start].elementsEqual(key) else { return nil }
        return Array(bytes[start...])
    }

    private static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
