#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthClient

extension Command {
    /// `berth cp` = `berth container cp`: `CONTAINER:SRC DEST|-` reads
    /// `GET /containers/{id}/archive` and extracts it locally; `SRC|- CONTAINER:DEST` sends a
    /// tar with `PUT /containers/{id}/archive`. Where the copy lands (existing directory,
    /// new name, `/.` for contents) follows Docker's `PrepareArchiveCopy`; local extraction
    /// is confined to the destination directory, as the daemon's is to the container.
    static var cp: Command {
        Command(
            name: "cp", usage: "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
            summary: "Copy files/folders between a container and the local filesystem",
            flags: [
                .bool("archive", short: "a", usage: "Archive mode (copy all uid/gid information)"),
                .bool("follow-link", short: "L", usage: "Always follow symbol link in SRC_PATH"),
                .bool("quiet", short: "q", usage: "Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached"),
            ],
            arguments: .exactly(2),
            run: { invocation in
                let src = CopyEndpoint(invocation.arguments[0]), dst = CopyEndpoint(invocation.arguments[1])
                if src.path.isEmpty { throw CLIError("source can not be empty") }
                if dst.path.isEmpty { throw CLIError("destination can not be empty") }
                switch (src.container, dst.container) {
                case (let c?, nil): try CopyOut(invocation: invocation, container: c, path: src.path, destination: dst.path).run()
                case (nil, let c?): try CopyIn(invocation: invocation, source: src.path, container: c, path: dst.path).run()
                case (nil, nil): throw CLIError("must specify at least one container source")
                default: throw CLIError("copying between containers is not supported")
                }
                return 0
            })
    }
}

/// One side of `cp`: `CONTAINER:PATH` or a local path (absolute, or starting with `.`,
/// is always local, as Docker's `splitCpArg`).
struct CopyEndpoint {
    var container: String?
    var path: String
    init(_ arg: String) {
        container = nil
        path = arg
        guard !arg.hasPrefix("/"), let colon = arg.firstIndex(of: ":"), !arg[..<colon].hasPrefix(".") else { return }
        container = String(arg[..<colon])
        path = String(arg[arg.index(after: colon)...])
    }
}

/// The stat a daemon sends in `X-Docker-Container-Path-Stat`.
struct ContainerPathStat {
    var name = "", linkTarget = ""
    var mode: UInt32 = 0
    /// Go's `os.ModeDir` and `os.ModeSymlink`, the bits the daemon's `mode` carries.
    var isDirectory: Bool { mode & (1 << 31) != 0 }
    var isSymlink: Bool { mode & (1 << 27) != 0 }

    init?(header: String?) {
        guard let header, let bytes = Base64.decode(header), let v = try? WireJSON.decode(JSONValue.self, from: bytes) else { return nil }
        name = v["name"]?.stringValue ?? ""
        linkTarget = v["linkTarget"]?.stringValue ?? ""
        mode = UInt32(truncatingIfNeeded: v["mode"]?.intValue ?? 0)
    }

    /// `HEAD /containers/{id}/archive?path=`: nil when the path does not exist.
    static func fetch(_ client: APIClient, container: String, path: String) throws -> ContainerPathStat? {
        let r = try client.send(ClientRequest("HEAD", "/containers/\(pathComponent(container))/archive", query: [("path", path)]))
        if r.status == 404 { return nil }
        if r.status >= 400 {
            // HEAD carries no message: ask again with GET for the daemon's words.
            _ = try client.stream(ClientRequest("GET", "/containers/\(pathComponent(container))/archive", query: [("path", path)]))
            throw CLIError("Error response from daemon: status \(r.status)")
        }
        return ContainerPathStat(header: r.head.headers["X-Docker-Container-Path-Stat"])
    }
}

/// Docker's `SplitPathDirEntry` and `PrepareArchiveCopy` decisions, shared by both directions.
enum CopyPlan {
    /// `path` with its last component: `a/b/` → (`a`, `b`).
    static func split(_ path: String) -> (dir: String, base: String) {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return (".", p) }
        let dir = String(p[..<slash])
        return (dir.isEmpty ? "/" : dir, String(p[p.index(after: slash)...]))
    }

    /// True when `path` says it names a directory (`dir/` or `dir/.`).
    static func assertsDirectory(_ path: String) -> Bool { path.hasSuffix("/") || path.hasSuffix("/.") || path == "." }

    /// Where to extract and how to rename the archive's top entry: (directory, new name or nil).
    static func prepare(srcPath: String, srcIsDir: Bool, dstPath: String, dstExists: Bool, dstIsDir: Bool,
                        rebaseName: String? = nil) throws -> (dir: String, rename: (String, String)?) {
        let (dstDir, dstBase) = split(dstPath)
        let srcBase = rebaseName ?? split(srcPath).base
        if dstExists && dstIsDir { return (dstPath, nil) }
        if dstExists && srcIsDir { throw CLIError("cannot copy directory") }
        if !dstExists && !srcIsDir && assertsDirectory(dstPath) { throw CLIError("no such directory") }
        return (dstDir, (srcBase, dstBase))
    }
}

/// A temporary file that removes itself.
final class TempFile {
    let path: String
    let fd: Int32
    init() throws {
        var template = Array(((getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/berth-cp-XXXXXX").utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw CLIError("create temporary file: \(String(cString: strerror(errno)))") }
        path = cString(Array(template))
    }
    deinit { close(fd); unlink(path) }

    func write(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw CLIError("write \(path): \(String(cString: strerror(errno)))") }
            done += n
        }
    }
}

/// `lstat` of a local path; nil when it does not exist.
func localStat(_ path: String) -> stat? {
    var st = stat()
    return lstat(path, &st) == 0 ? st : nil
}

/// A local path made absolute against the working directory.
func absoluteLocal(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buf = [CChar](repeating: 0, count: 4097)
    let cwd = getcwd(&buf, buf.count).map { String(cString: $0) } ?? "/"
    return (cwd == "/" ? "" : cwd) + "/" + path
}

/// A NUL-terminated C buffer as a String.
func cString(_ buf: [CChar]) -> String {
    String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
