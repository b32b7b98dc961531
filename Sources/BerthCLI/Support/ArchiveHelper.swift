#if canImport(Glibc)
import Glibc
#endif

/// Runs `berth-archive` (see its main.swift), the program that does `cp`'s local tar work,
/// so that `berth` itself never loads libarchive. It is looked for next to the running
/// `berth`, then on PATH; its one-line error becomes the command's.
enum ArchiveHelper {
    static let name = "berth-archive"

    static func run(_ arguments: [String]) throws(CLIError) {
        let program = locate()
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw CLIError("pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        var cargs = ([program] + arguments).map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, program, &actions, nil, &cargs, environ)
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        guard rc == 0 else { throw CLIError("run \(program): \(String(cString: strerror(rc)))") }
        var message: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(pipeFDs[0], &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            message += buf[0..<n]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status != 0 else { return }
        var text = String(decoding: message, as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        throw CLIError(text.isEmpty ? "\(program) failed (status \(status))" : text)
    }

    /// `berth-archive` beside this executable (`/proc/self/exe`'s directory), else the bare
    /// name for a PATH search.
    static func locate() -> String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return name }
        let exe = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = exe.lastIndex(of: "/") else { return name }
        let candidate = String(exe[..<slash]) + "/" + name
        return access(candidate, X_OK) == 0 ? candidate : name
    }
}
