#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import Foundation
import Testing

/// A temp directory removed when the value goes away.
final class TempDir: @unchecked Sendable {
    let path: String
    init() {
        var template = Array("/tmp/berth-registry-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    deinit { try? Files.removeAll(path) }
    func sub(_ name: String) -> String { path + "/" + name }
}

enum Tools {
    static let registry = "/usr/bin/docker-registry"
    static let skopeo = "/usr/bin/skopeo"
    static let htpasswd = "/usr/bin/htpasswd"
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static func has(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }
}

extension Trait where Self == ConditionTrait {
    static var needsRegistry: Self {
        .enabled(if: Tools.has(Tools.registry), "docker-registry is not installed (apt-get install docker-registry)")
    }
    static var needsSkopeo: Self {
        .enabled(if: Tools.has(Tools.skopeo), "skopeo is not installed (apt-get install skopeo)")
    }
    static var needsHtpasswd: Self {
        .enabled(if: Tools.has(Tools.htpasswd), "htpasswd is not installed (apt-get install apache2-utils)")
    }
    static var needsPython: Self { .enabled(if: Tools.python != nil, "python3 is not installed") }
}

struct CommandFailed: Error, CustomStringConvertible {
    var description: String
}

/// Runs a program to completion; returns stdout, throws with stderr on a non-zero exit.
@discardableResult
func run(_ program: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Read both pipes before waiting, so a chatty child can't block on a full pipe.
    let errData = DispatchQueueReader(err.fileHandleForReading)
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let stderr = errData.wait()
    guard p.terminationStatus == 0 else {
        throw CommandFailed(description: "\(program) \(args.joined(separator: " ")): exit \(p.terminationStatus): \(String(decoding: stderr, as: UTF8.self))")
    }
    return String(decoding: outData, as: UTF8.self)
}

/// Reads a file handle to its end on another thread.
final class DispatchQueueReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }
    func wait() -> Data { done.wait(); return data }
}

/// A free TCP port on 127.0.0.1 (bound, read back and released; a small race is accepted).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let rc = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
            guard bind(fd, p, len) == 0 else { return -1 }
            return getsockname(fd, p, &len)
        }
    }
    guard rc == 0 else { throw CommandFailed(description: "bind: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// True once something accepts TCP connections on 127.0.0.1:port.
func canConnect(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A child process stopped with SIGTERM (then SIGKILL) by its own pid when the value goes away.
final class Child: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
    func stop() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        for _ in 0..<50 where process.isRunning { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }
    deinit { stop() }
}

/// Debian's docker-registry serving a temp directory on a free loopback port.
final class RegistryServer: @unchecked Sendable {
    let dir = TempDir()
    let port: Int
    private var child: Child?
    var domain: String { "127.0.0.1:\(port)" }
    var storage: String { dir.sub("storage") }

    /// Starts a registry; with `htpasswd` (user, password) it requires Basic auth.
    init(htpasswd: (String, String)? = nil) throws {
        port = try freePort()
        var auth = ""
        if let (user, password) = htpasswd {
            let line = try run(Tools.htpasswd, ["-Bbn", user, password])
            try line.write(toFile: dir.sub("htpasswd"), atomically: true, encoding: .utf8)
            auth = """
            auth:
              htpasswd:
                realm: berth-test
                path: \(dir.sub("htpasswd"))

            """
        }
        let config = """
        version: 0.1
        log:
          level: error
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: \(storage)
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:\(port)
        \(auth)
        """
        try config.write(toFile: dir.sub("config.yml"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Tools.registry)
        p.arguments = ["serve", dir.sub("config.yml")]
        _ = FileManager.default.createFile(atPath: dir.sub("registry.log"), contents: nil)
        let log = FileHandle(forWritingAtPath: dir.sub("registry.log"))
        p.standardOutput = log
        p.standardError = log
        try p.run()
        child = Child(p)
        for _ in 0..<200 {
            if canConnect(port) { return }
            guard p.isRunning else { break }
            usleep(25_000)
        }
        let text = (try? String(contentsOfFile: dir.sub("registry.log"), encoding: .utf8)) ?? ""
        child?.stop()
        throw CommandFailed(description: "docker-registry did not start on port \(port): \(text)")
    }

    /// The file a blob's bytes live in, in distribution's filesystem layout.
    func blobDataPath(_ hex: String) -> String {
        storage + "/docker/registry/v2/blobs/sha256/" + String(hex.prefix(2)) + "/" + hex + "/data"
    }

    func stop() { child?.stop() }
    deinit { stop() }
}

/// `fake_registry.py` running on a free loopback port.
final class FakeRegistry: @unchecked Sendable {
    let port: Int
    private let child: Child
    private let dir = TempDir()
    var domain: String { "127.0.0.1:\(port)" }
    /// JSON counters the fake keeps: `{"tokens": N}`.
    var statsFile: String { dir.sub("stats.json") }

    init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fake_registry.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Tools.python!)
        p.arguments = [script, dir.sub("stats.json")]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        child = Child(p)
        var line = Data()
        while !line.contains(0x0a) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            child.stop()
            throw CommandFailed(description: "fake_registry.py did not print its port")
        }
        self.port = port
    }

    func stop() { child.stop() }
}
