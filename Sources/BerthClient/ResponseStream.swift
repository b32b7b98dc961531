import BerthSystem

/// A response body read as it arrives: `Content-Length`, chunked, or until the daemon
/// closes. Progress, logs and events come this way.
public final class ResponseStream {
    public let head: ResponseHead
    private let connection: SocketConnection
    private var framing: Framing
    private var lineBuffer: [UInt8] = []

    enum Framing {
        case length(Int)
        case chunked(remainingInChunk: Int)
        case untilClose
        case done
    }

    init(head: ResponseHead, connection: SocketConnection, isHead: Bool) {
        self.head = head
        self.connection = connection
        if isHead || head.status == 204 || head.status == 304 || (100..<200).contains(head.status) {
            framing = .done
        } else if head.headers["Transfer-Encoding"]?.lowercased().includes("chunked") == true {
            framing = .chunked(remainingInChunk: 0)
        } else if let length = head.headers["Content-Length"].flatMap({ Int($0) }) {
            framing = length == 0 ? .done : .length(length)
        } else {
            framing = .untilClose
        }
    }

    /// The next piece of the body as the daemon sent it; nil at the end.
    public func next() throws(ClientError) -> [UInt8]? {
        switch framing {
        case .done:
            return nil
        case .length(let remaining):
            guard let bytes = try connection.readSome(max: remaining) else {
                throw .protocolError("connection closed before the end of the body")
            }
            framing = remaining - bytes.count == 0 ? .done : .length(remaining - bytes.count)
            return bytes
        case .untilClose:
            guard let bytes = try connection.readSome() else {
                framing = .done
                return nil
            }
            return bytes
        case .chunked(let remaining):
            return try nextChunked(remaining)
        }
    }

    private func nextChunked(_ remaining: Int) throws(ClientError) -> [UInt8]? {
        var remaining = remaining
        if remaining == 0 {
            guard let sizeLine = try connection.readLine() else { throw .protocolError("connection closed in a chunked body") }
            let hex = sizeLine.prefix(while: { $0 != ";" }).drop(while: { $0 == " " })
            guard let size = Int(hex.filter { $0 != " " }, radix: 16) else {
                throw .protocolError("malformed chunk size: \(sizeLine)")
            }
            if size == 0 {
                while let trailer = try connection.readLine(), !trailer.isEmpty {}
                framing = .done
                return nil
            }
            remaining = size
        }
        guard let bytes = try connection.readSome(max: remaining) else {
            throw .protocolError("connection closed in a chunked body")
        }
        remaining -= bytes.count
        if remaining == 0 { _ = try connection.readExactly(2) }
        framing = .chunked(remainingInChunk: remaining)
        return bytes
    }

    /// The next line of the body without its newline (JSON message streams); the last
    /// line may lack a newline. nil at the end.
    public func nextLine() throws(ClientError) -> String? {
        while true {
            if let nl = lineBuffer.firstIndex(of: 0x0A) {
                let line = String(decoding: lineBuffer[..<nl], as: UTF8.self)
                lineBuffer.removeSubrange(...nl)
                return line
            }
            guard let more = try next() else {
                if lineBuffer.isEmpty { return nil }
                defer { lineBuffer = [] }
                return String(decoding: lineBuffer, as: UTF8.self)
            }
            lineBuffer.append(contentsOf: more)
        }
    }

    /// The rest of the body.
    public func readAll() throws(ClientError) -> [UInt8] {
        var out = lineBuffer
        lineBuffer = []
        while let bytes = try next() { out.append(contentsOf: bytes) }
        return out
    }
}
