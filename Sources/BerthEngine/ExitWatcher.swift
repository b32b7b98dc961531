#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CBerth
import Synchronization

/// One thread that waits on many descriptors with epoll: each running container's `wait`
/// connection to its shim (the answer comes when the container exits) and each shim's pidfd
/// (readable when the shim exits, to reap it). A blocked thread for each of those would cost
/// two threads per running container.
final class ExitWatcher: Sendable {
    static let shared = ExitWatcher()

    private struct Entry { let fd: Int32; let ready: @Sendable (Int32) -> Void }
    private let epfd: Int32
    private let entries = Mutex<(next: UInt64, byToken: [UInt64: Entry])>((1, [:]))

    private init() {
        epfd = berth_epoll_create()
        if epfd >= 0 { Threads.detach { [self] in loop() } }
    }

    /// Calls `ready(fd)` on the watcher's thread once `fd` is readable or hung up, then closes
    /// `fd`. Keep `ready` short: other descriptors wait meanwhile.
    func whenReadable(_ fd: Int32, _ ready: @escaping @Sendable (Int32) -> Void) {
        let token = entries.withLock { state -> UInt64 in
            let token = state.next
            state.next += 1
            state.byToken[token] = Entry(fd: fd, ready: ready)
            return token
        }
        if epfd >= 0 && berth_epoll_add(epfd, fd, token) == 0 { return }
        // No epoll here: a thread of its own, as before.
        _ = entries.withLock { $0.byToken.removeValue(forKey: token) }
        Threads.detach {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while poll(&p, 1, -1) < 0 && errno == EINTR {}
            ready(fd)
            close(fd)
        }
    }

    /// Reaps `pid`, a child of this process, when it exits.
    func reap(_ pid: pid_t) {
        let pidfd = berth_pidfd_open(pid)
        guard pidfd >= 0 else {
            Threads.detach { var s: Int32 = 0; while waitpid(pid, &s, 0) < 0 && errno == EINTR {} }
            return
        }
        whenReadable(pidfd) { _ in var s: Int32 = 0; _ = waitpid(pid, &s, WNOHANG) }
    }

    private func loop() {
        var tokens = [UInt64](repeating: 0, count: 64)
        while true {
            let n = berth_epoll_wait(epfd, &tokens, Int32(tokens.count), -1)
            if n < 0 {
                // Only EINTR is expected; anything else is logged and tried again, as every
                // running container's exit is watched here.
                if errno != EINTR {
                    let line = Array("berthd: epoll_wait: \(String(cString: strerror(errno)))\n".utf8)
                    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                    usleep(100_000)
                }
                continue
            }
            for token in tokens[0..<Int(n)] {
                guard let entry = entries.withLock({ $0.byToken.removeValue(forKey: token) }) else { continue }
                _ = berth_epoll_del(epfd, entry.fd)
                entry.ready(entry.fd)
                close(entry.fd)
            }
        }
    }
}
