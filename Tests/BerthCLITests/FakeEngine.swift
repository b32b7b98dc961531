import BerthAPIModels
import CBerth
import Foundation

/// A tiny Engine API on a unix socket for end-to-end tests of the CLI: each connection
/// gets one canned answer chosen by `route`, on its own thread. It records what it was
/// asked.
final class FakeEngine: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var query: String
        var body: String
        /// The order the connection was accepted in (the order the client connected).
        var sequence: Int
    }

    enum Reply: Sendable {
        case json(Int, String)
        case status(Int)
        /// Switches protocols and sends these bytes, then closes.
        case hijack([UInt8])
    }

    let socketPath: String
    private let listener: Int32
    private let route: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var recorded: [Request] = []

    init(route: @escaping @Sendable (Request) -> Reply) {
        socketPath = "/tmp/berth-cli-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        listener = berth_unix_listen(socketPath, 16)
        self.route = route
        let listener = self.listener
        Thread { [weak self] in
            var sequence = 0
            while true {
                let fd = accept(listener, nil, nil)
                if fd < 0 { return }
                guard let self else { close(fd); return }
                sequence += 1
                let number = sequence
                Thread { self.serve(fd, sequence: number) }.start()
            }
        }.start()
    }

    var host: String { "unix://" + socketPath }

    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded.sorted { $0.sequence < $1.sequence }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(socketPath)
    }

    private func serve(_ fd: Int32, sequence: Int) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
        var headEnd: Int?
        while headEnd == nil {
            if let range = findHeadEnd(buffer) { headEnd = range; break }
            if !fill() { return }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        let target = String(parts[1])
        var length = 0
        for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        while buffer.count < headEnd! + 4 + length { if !fill() { break } }
        let body = String(decoding: buffer[(headEnd! + 4)...].prefix(length), as: UTF8.self)
        var path = String(target.split(separator: "?", maxSplits: 1)[0])
        if path.hasPrefix("/v1."), let slash = path.dropFirst(1).firstIndex(of: "/") { path = String(path[slash...]) }
        let query = target.contains("?") ? String(target.split(separator: "?", maxSplits: 1)[1]) : ""
        let request = Request(method: String(parts[0]), path: path, query: query, body: body, sequence: sequence)
        lock.lock()
        recorded.append(request)
        lock.unlock()
        let reply: Reply = path == "/_ping" ? .json(200, "OK") : route(request)
        var out: [UInt8]
        switch reply {
        case .json(let status, let text):
            out = Array("HTTP/1.1 \(status) X\r\nApi-Version: 1.47\r\nContent-Type: application/json\r\nContent-Length: \(text.utf8.count)\r\n\r\n\(text)".utf8)
        case .status(let status):
            out = Array("HTTP/1.1 \(status) X\r\nApi-Version: 1.47\r\nContent-Length: 0\r\n\r\n".utf8)
        case .hijack(let bytes):
            out = Array("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n".utf8) + bytes
        }
        _ = out.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func findHeadEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}
