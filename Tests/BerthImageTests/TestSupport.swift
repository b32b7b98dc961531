#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import Testing

/// A temp directory removed when the value goes away.
final class TempDir {
    let path: String
    init() {
        var template = Array("/tmp/berth-image-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    deinit { try? Files.removeAll(path) }
    func sub(_ name: String) -> String { path + "/" + name }
}

enum Host {
    /// Root in the initial user namespace, as crun's tests check.
    static let isRealRoot: Bool = {
        guard geteuid() == 0, let map = try? Files.readString("/proc/self/uid_map") else { return false }
        return map.contains("4294967295")
    }()
}

extension Trait where Self == ConditionTrait {
    static var requiresRoot: Self { .enabled(if: Host.isRealRoot, "needs root in the initial user namespace") }
}

func lstatOf(_ path: String) -> stat? {
    var st = stat()
    return lstat(path, &st) == 0 ? st : nil
}

func fileType(_ path: String) -> mode_t? { lstatOf(path).map { $0.st_mode & S_IFMT } }
