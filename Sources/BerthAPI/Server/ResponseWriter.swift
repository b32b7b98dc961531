import NIOCore
import NIOHTTP1

/// Writes an `APIResponse` to a channel whose pipeline has the HTTP response encoder.
enum ResponseWriter {
    /// Writes the whole response. Returns false when the connection cannot carry another
    /// request (a write failed, or a stream broke off after its head went out).
    static func write(_ response: APIResponse, for request: APIRequest, keepAlive: Bool, to channel: any Channel, log: Log) async -> Bool {
        var headers = response.headers
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let isHead = request.method == .HEAD
        let hasBody = response.status != .noContent && response.status != .notModified
            && response.status.code >= 200
        do {
            switch response.body {
            case .bytes(let bytes):
                if hasBody { headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count)) }
                try await send(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)), channel)
                if hasBody && !isHead && !bytes.isEmpty {
                    try await send(.body(.byteBuffer(ByteBuffer(bytes: bytes))), channel)
                }
                try await send(.end(nil), channel)
            case .stream(let produce):
                if isHead { headers.replaceOrAdd(name: "Content-Length", value: "0") }
                try await send(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)), channel)
                if !isHead {
                    do {
                        try await produce(BodyWriter { bytes in
                            try await send(.body(.byteBuffer(ByteBuffer(bytes: bytes))), channel)
                        })
                    } catch {
                        log.debug("stream \(request.uri) ended early: \(error)")
                        return false
                    }
                }
                try await send(.end(nil), channel)
            case .hijack:
                return false
            }
            return true
        } catch {
            log.debug("write \(request.uri): \(error)")
            return false
        }
    }

    private static func send(_ part: HTTPServerResponsePart, _ channel: any Channel) async throws {
        try await channel.writeAndFlush(part).get()
    }

    /// The head of a hijack response, written as raw bytes once the HTTP encoder is gone:
    /// `101 UPGRADED` when the client asked to upgrade, as Docker answers, else `200 OK`.
    static func rawHijackHead(_ response: APIResponse, contentType: String, upgrade: Bool) -> [UInt8] {
        var text = upgrade ? "HTTP/1.1 101 UPGRADED\r\n" : "HTTP/1.1 200 OK\r\n"
        text += "Content-Type: \(contentType)\r\n"
        if upgrade { text += "Connection: Upgrade\r\nUpgrade: tcp\r\n" }
        for (name, value) in response.headers where name.lowercased() != "content-type" {
            text += "\(name): \(value)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }
}
