#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// The mount(2) calls of the init path, each failing with the path it acted on.
enum Mounter {
    static func mount(_ source: String?, _ target: String, _ type: String?, _ flags: UInt, _ data: String? = nil) throws {
        let rc = berth_mount(source, target, type, flags, (data?.isEmpty ?? true) ? nil : data)
        if rc != 0 { throw SyscallError(syscall: "mount", path: target, code: errno) }
    }

    /// Creates the mount point: a directory, or an empty file when the source is one.
    static func makeMountPoint(_ path: String, asFile: Bool) throws {
        if Files.exists(path) { return }
        if asFile {
            try Files.mkdirAll(Files.dirname(path))
            let fd = try FD.open(path, O_WRONLY | O_CREAT, mode: 0o644)
            close(fd)
        } else {
            try Files.mkdirAll(path)
        }
    }

    /// Bind-mounts `source` on `target`, then applies the other flags with a remount, as
    /// bind mounts ignore flags on the first call. If the kernel refuses because the source
    /// carries locked flags (nosuid, nodev, noexec in a user namespace), keeps them.
    static func bind(_ source: String, _ target: String, options: MountOptions) throws {
        try mount(source, target, nil, MountFlag.bind | (options.flags & MountFlag.rec))
        let extra = options.flags & ~(MountFlag.bind | MountFlag.rec | MountFlag.remount)
        if extra != 0 {
            let flags = MountFlag.bind | MountFlag.remount | extra
            if berth_mount(nil, target, nil, flags, nil) != 0 {
                var st = statvfs()
                guard errno == EPERM, statvfs(source, &st) == 0 else {
                    throw SyscallError(syscall: "mount", path: target, code: errno)
                }
                let locked = UInt(st.f_flag) & (MountFlag.nosuid | MountFlag.nodev | MountFlag.noexec | MountFlag.rdonly)
                try mount(nil, target, nil, flags | locked)
            }
        }
        for p in options.propagation { try mount(nil, target, nil, p) }
    }
}
