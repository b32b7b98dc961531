#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth

extension LayerArchive {
    /// The bytes of the files under `dir`, as Docker's `directory.Size`: the sizes of
    /// everything but directories, a file with several hardlinks counted once. Unreadable
    /// parts count as nothing (a size is an estimate, never a failure).
    public static func treeSize(_ dir: String) -> Int64 {
        var seen: Set<String> = []
        func walk(_ fd: Int32) -> Int64 {
            var total: Int64 = 0
            for name in (try? ConfinedRoot.listAt(fd, hostPath: dir)) ?? [] {
                guard let st = ConfinedRoot.statAt(fd, name) else { continue }
                if st.st_mode & S_IFMT == S_IFDIR {
                    let child = openat(fd, name, O_RDONLY | O_DIRECTORY | BERTH_O_NOFOLLOW | BERTH_O_CLOEXEC)
                    if child >= 0 {
                        total += walk(child)
                        close(child)
                    }
                    continue
                }
                if st.st_nlink > 1 && !seen.insert("\(st.st_dev):\(st.st_ino)").inserted { continue }
                total += Int64(st.st_size)
            }
            return total
        }
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        return walk(fd)
    }
}
