#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Waits until the client has read what was sent to it so far.
///
/// docker-py reads a hijacked response's head through a buffered reader and then reads the
/// stream from the raw socket, so stream bytes that arrive together with the head land in a
/// buffer it never looks at again: `exec_run` returned empty output whenever the process was
/// quicker than the client. Docker hides the race behind its slow exec start; we close it by
/// not sending stream bytes until the head has been consumed. The kernel tells: bytes a unix
/// socket sent stay charged to the sender (`SO_MEMINFO`'s write allocation) until the peer
/// reads them (for TCP, until they are acknowledged).
enum PeerDrain {
    /// `SK_MEMINFO_VARS` counters of `getsockopt(SOL_SOCKET, SO_MEMINFO)`.
    struct MemInfo: Sendable {
        var rmemAlloc: UInt32 = 0, rcvbuf: UInt32 = 0, wmemAlloc: UInt32 = 0, sndbuf: UInt32 = 0
        var fwdAlloc: UInt32 = 0, wmemQueued: UInt32 = 0, optmem: UInt32 = 0, backlog: UInt32 = 0, drops: UInt32 = 0
    }

    static let soMeminfo: Int32 = 55

    /// Polls every millisecond until nothing is left unread, for at most `limit`; a socket
    /// that cannot say (not a socket channel, or an old kernel) returns at once.
    static func wait(_ channel: any Channel, limit: Duration = .seconds(2)) async {
        guard let provider = channel as? any SocketOptionProvider else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            let info: MemInfo? = try? await provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(soMeminfo)).get()
            guard let info, info.wmemAlloc > 0 else { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}
