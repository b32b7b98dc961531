// berth-archive: the local half of `berth cp`, the tar work of BerthImage's PathArchive.
// A program of its own so that `berth` does not load libarchive (and with it libxml2 and
// ICU) on every command: that would cost every `berth` call several milliseconds.
//
//   berth-archive extract ARCHIVE DIR [OLD NEW]   check ARCHIVE, then extract it into DIR,
//                                                  never replacing a directory by a file or
//                                                  the reverse, owned by the caller, the top
//                                                  entry OLD renamed NEW
//   berth-archive create PATH OUTPUT [NAME]        PATH (from /) as a tar in OUTPUT, its top
//                                                  entry named NAME
//
// Errors go to stderr in one line; the exit status is 1.
#if canImport(Glibc)
import Glibc
#endif
import BerthImage

func fail(_ message: String) -> Never {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(1)
}

let args = Array(CommandLine.arguments.dropFirst())
do {
    switch (args.first, args.count) {
    case ("extract", 3), ("extract", 5):
        try PathArchive.check(archive: args[1])
        let options = PathArchive.ExtractOptions(noOverwriteDirNonDir: true, owner: (getuid(), getgid()),
                                                 rebase: args.count == 5 ? (old: args[3], new: args[4]) : nil)
        try PathArchive.extract(archive: args[1], root: args[2], directory: "/", options: options)
    case ("create", 3), ("create", 4):
        let fd = open(args[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { fail("open \(args[2]): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = try PathArchive.archive(root: "/", path: args[1], as: args.count == 4 ? args[3] : nil) { chunk in
            var done = 0
            while done < chunk.count {
                let n = write(fd, chunk.baseAddress! + done, chunk.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { fail("write \(args[2]): \(String(cString: strerror(errno)))") }
                done += n
            }
        }
    default:
        fail("usage: berth-archive extract ARCHIVE DIR [OLD NEW] | create PATH OUTPUT [NAME]")
    }
} catch {
    fail("\(error)")
}
