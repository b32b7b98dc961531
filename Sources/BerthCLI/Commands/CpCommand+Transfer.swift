#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthClient

/// `cp CONTAINER:SRC DEST|-`.
struct CopyOut {
    let invocation: Invocation
    let container: String
    var path: String
    let destination: String

    func run() throws {
        let client = try invocation.client()
        var srcPath = path
        var rebaseName: String?
        if invocation.flags.bool("follow-link"), let st = try ContainerPathStat.fetch(client, container: container, path: srcPath),
           st.isSymlink {
            // Copy what the link points at, under the link's own name.
            rebaseName = CopyPlan.split(srcPath).base
            srcPath = st.linkTarget
        }
        let stream = try client.stream(ClientRequest("GET", "/containers/\(pathComponent(container))/archive", query: [("path", srcPath)]))
        guard let info = ContainerPathStat(header: stream.head.headers["X-Docker-Container-Path-Stat"]) else {
            throw CLIError("unable to get resource stat from response: missing X-Docker-Container-Path-Stat")
        }
        if destination == "-" {
            while let bytes = try stream.next() { invocation.out.write(bytes: bytes) }
            return
        }
        let tar = try TempFile()
        var size = 0
        while let bytes = try stream.next() {
            try tar.write(bytes)
            size += bytes.count
        }
        // Where it goes: the destination as it is now (symlinks followed, as Docker's
        // CopyInfoDestinationPath), and the parent directory when it does not exist yet.
        let dst = absoluteLocal(destination)
        var resolved = dst
        var exists = false, isDir = false
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        if localStat(dst) != nil, realpath(dst, &buf) != nil {
            var st = stat()
            if fstatat(AT_FDCWD, dst, &st, 0) == 0 {
                exists = true
                isDir = st.st_mode & S_IFMT == S_IFDIR
                resolved = cString(buf) + (CopyPlan.assertsDirectory(destination) ? "/" : "")
            }
        }
        if !exists {
            let parent = CopyPlan.split(dst).dir
            var st = stat()
            guard fstatat(AT_FDCWD, parent, &st, 0) == 0 else {
                throw CLIError("lstat \(parent): \(String(cString: strerror(errno)).lowercased())")
            }
        }
        let (dir, rename) = try CopyPlan.prepare(srcPath: srcPath, srcIsDir: info.isDirectory, dstPath: resolved, dstExists: exists,
                                                 dstIsDir: isDir, rebaseName: rebaseName)
        // As Docker's client: never replace a directory by a file or the reverse, and the
        // files belong to the user copying them (NoLchown).
        try ArchiveHelper.run(["extract", tar.path, dir] + (rename.map { [$0.0, $0.1] } ?? []))
        if !invocation.flags.bool("quiet") && invocation.err.isTerminal {
            invocation.err.line("Successfully copied \(HumanUnits.size(Double(size))) to \(destination)")
        }
    }
}

/// `cp SRC|- CONTAINER:DEST`.
struct CopyIn {
    let invocation: Invocation
    let source: String
    let container: String
    let path: String

    func run() throws {
        let client = try invocation.client()
        var dstPath = path
        var dstStat = try ContainerPathStat.fetch(client, container: container, path: dstPath)
        if let st = dstStat, st.isSymlink {
            var target = st.linkTarget
            if !target.hasPrefix("/") { target = CopyPlan.split(dstPath).dir + "/" + target }
            dstPath = target
            dstStat = try ContainerPathStat.fetch(client, container: container, path: dstPath)
        }
        if let st = dstStat, !st.isDirectory, st.mode & 0xFFF0_0000 & ~UInt32(1 << 23 | 1 << 22 | 1 << 20) != 0 {
            throw CLIError("destination \"\(container):\(path)\": must be a directory or a regular file")
        }
        let query: (String) -> [(String, String)] = { dir in
            [("path", dir), ("noOverwriteDirNonDir", "true"), ("copyUIDGID", invocation.flags.bool("archive") ? "true" : "false")]
        }
        let request = { (dir: String) in
            ClientRequest("PUT", "/containers/\(pathComponent(self.container))/archive", query: query(dir),
                          headers: [("Content-Type", "application/x-tar")])
        }
        if source == "-" {
            guard dstStat?.isDirectory == true else { throw CLIError("destination \"\(container):\(path)\" must be a directory") }
            _ = try client.upload(request(dstPath), from: 0).readAll()
            return
        }
        var src = absoluteLocal(source)
        guard let lst = localStat(src) else {
            throw CLIError("lstat \(src): \(String(cString: strerror(errno)).lowercased())")
        }
        var rebaseName: String?
        if invocation.flags.bool("follow-link") && lst.st_mode & S_IFMT == S_IFLNK {
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            guard realpath(src, &buf) != nil else { throw CLIError("lstat \(src): \(String(cString: strerror(errno)).lowercased())") }
            rebaseName = CopyPlan.split(src).base
            src = cString(buf)
        }
        let srcIsDir = (rebaseName != nil ? { var st = stat(); return fstatat(AT_FDCWD, src, &st, 0) == 0 && st.st_mode & S_IFMT == S_IFDIR }()
                                          : lst.st_mode & S_IFMT == S_IFDIR)
        let (dir, rename) = try CopyPlan.prepare(srcPath: src, srcIsDir: srcIsDir, dstPath: dstPath, dstExists: dstStat != nil,
                                                 dstIsDir: dstStat?.isDirectory == true, rebaseName: rebaseName)
        let tar = try TempFile()
        let srcBase = CopyPlan.split(src).base
        let name = rename?.1 ?? rebaseName ?? srcBase
        try ArchiveHelper.run(["create", src, tar.path] + (name == "." ? [] : [name]))
        lseek(tar.fd, 0, SEEK_SET)
        _ = try client.upload(request(dir), from: tar.fd).readAll()
        if !invocation.flags.bool("quiet") && invocation.err.isTerminal {
            var st = stat()
            fstat(tar.fd, &st)
            invocation.err.line("Successfully copied \(HumanUnits.size(Double(st.st_size))) to \(container):\(path)")
        }
    }
}
