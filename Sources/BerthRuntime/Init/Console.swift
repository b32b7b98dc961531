#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import CBerth

/// The container's terminal: a pty from the container's own devpts. The master goes to
/// whoever holds the console socket (conmon, containerd's shim, berth-shim, or our own
/// `run`); the slave becomes stdin, stdout, stderr and the controlling terminal.
enum Console {
    static func setup(socket: Int32, size: Spec.Box?, bindConsole: Bool) throws {
        var master: Int32 = -1
        var name = [CChar](repeating: 0, count: 64)
        try sys("open", path: "/dev/ptmx") { berth_open_pty(-1, &master, &name, name.count) }
        let slavePath = String(cString: name)
        let slave = try FD.open(slavePath, O_RDWR | O_NOCTTY)
        if let size { _ = berth_set_winsize(master, UInt16(size.height), UInt16(size.width)) }
        try sys("sendmsg", path: "console socket") {
            "/dev/ptmx".withCString { berth_send_fd(socket, master, $0, 9) }
        }
        close(master)
        if bindConsole {
            // /dev/console names the container's terminal, as runc arranges.
            if (try? Mounter.makeMountPoint("/dev/console", asFile: true)) != nil {
                try? Mounter.mount(slavePath, "/dev/console", nil, MountFlag.bind)
            }
        }
        for target: Int32 in 0...2 { try sys("dup2", path: slavePath) { dup2(slave, target) } }
        if slave > 2 { close(slave) }
        try sys("ioctl(TIOCSCTTY)", path: slavePath) { berth_set_ctty(0) }
    }
}
