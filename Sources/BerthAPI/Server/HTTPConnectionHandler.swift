import BerthAPIModels
import NIOCore
import NIOHTTP1

/// Serves one client connection: decodes requests one at a time, runs each through the
/// router on a task, writes the response, and on a hijack response rebuilds the pipeline
/// for raw bytes. A request that arrives before the previous response is done (HTTP
/// pipelining) waits its turn. Reading pauses while a route has not taken enough of a
/// large request body (see `BodyChannel`).
final class HTTPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: Router
    private let log: Log
    private let encoder: HTTPResponseEncoder
    private let decoder: ByteToMessageHandler<HTTPRequestDecoder>

    private var context: ChannelHandlerContext?
    private var busy = false
    private var requestEnded = true
    private var responseDone = true
    private var keepAlive = true
    private var inputClosed = false
    private var pending: [HTTPServerRequestPart] = []
    private var body: BodyChannel?
    /// Set while the current body has too many unread bytes; `read` calls wait.
    private var readingPaused = false
    private var readPending = false

    init(router: Router, log: Log, encoder: HTTPResponseEncoder, decoder: ByteToMessageHandler<HTTPRequestDecoder>) {
        self.router = router
        self.log = log
        self.encoder = encoder
        self.decoder = decoder
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        body?.finish()
        body = nil
        if readPending { context.read() }
    }

    /// Holds back reads while a request body waits to be consumed.
    func read(context: ChannelHandlerContext) {
        if readingPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    private func resumeReading() {
        readingPaused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if busy && requestEnded {
            pending.append(part)
        } else {
            handle(part, context: context)
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            busy = true
            requestEnded = false
            responseDone = false
            keepAlive = head.isKeepAlive
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let loop = context.eventLoop
            let channel = BodyChannel(onDrain: { loop.execute { bound.value.resumeReading() } })
            body = channel
            let request = APIRequest(method: head.method, uri: head.uri, headers: head.headers, body: RequestBody(channel: channel))
            start(request, context: context)
        case .body(var buffer):
            if body?.yield(buffer.readBytes(length: buffer.readableBytes) ?? []) == true { readingPaused = true }
        case .end:
            body?.finish()
            body = nil
            requestEnded = true
            resumeReading()
            if responseDone { finishExchange(context: context) }
        }
    }

    /// Runs the router off the event loop and comes back to it when the response is out.
    private func start(_ request: APIRequest, context: ChannelHandlerContext) {
        let channel = context.channel
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        let (router, log, keepAlive) = (self.router, self.log, self.keepAlive)
        Task {
            let response = await router.respond(to: request)
            log.debug("\(request.method) \(request.uri) \(response.status.code)")
            if case .hijack(let contentType, let headFirst, let run) = response.body {
                loop.execute { bound.value.hijack(request, response, contentType: contentType, headFirst: headFirst, run: run) }
                return
            }
            let reusable = await ResponseWriter.write(response, for: request, keepAlive: keepAlive, to: channel, log: log)
            loop.execute { bound.value.responseFinished(reusable: reusable) }
        }
    }

    private func responseFinished(reusable: Bool) {
        responseDone = true
        guard let context else { return }
        if !requestEnded {
            // The route answered without reading the whole body: drop the rest as it comes.
            body?.finish()
            body = nil
            resumeReading()
        }
        if !reusable || !keepAlive || inputClosed {
            context.close(promise: nil)
        } else if requestEnded {
            finishExchange(context: context)
        }
    }

    /// The request and its response are both complete: start on requests that queued up.
    private func finishExchange(context: ChannelHandlerContext) {
        busy = false
        let queued = pending
        pending = []
        for part in queued {
            if busy && requestEnded { pending.append(part) } else { handle(part, context: context) }
        }
        if !busy && inputClosed { context.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client half-closed: finish what is in flight, then close.
            inputClosed = true
            if !busy { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        log.debug("connection error: \(error)")
        if !busy, error is HTTPParserError {
            let body = (try? WireJSON.encode(ErrorResponse(message: "malformed HTTP request"))) ?? []
            var headers = HTTPHeaders([("Content-Type", "application/json"), ("Connection", "close")])
            headers.add(name: "Content-Length", value: String(body.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        body?.finish(error: ChannelError.ioOnClosedChannel)
        body = nil
        context.fireChannelInactive()
    }
}

extension HTTPConnectionHandler {
    /// Takes the connection out of HTTP: a raw-bytes handler goes in after the decoder
    /// (which hands it any bytes it already read past the request), the HTTP handlers
    /// come out, the head goes out as raw bytes, and the route's closure gets the stream.
    private func hijack(
        _ request: APIRequest, _ response: APIResponse, contentType: String, headFirst: Bool,
        run: @escaping @Sendable (HijackedConnection) async throws -> Void
    ) {
        guard let context else { return }
        let channel = context.channel
        let raw = RawStreamHandler()
        let pipeline = context.pipeline.syncOperations
        do {
            try pipeline.addHandler(raw, position: .after(decoder))
        } catch {
            context.close(promise: nil)
            return
        }
        _ = pipeline.removeHandler(encoder)
        _ = pipeline.removeHandler(decoder)
        _ = pipeline.removeHandler(context: context)
        let head = ResponseWriter.rawHijackHead(response, contentType: contentType, upgrade: request.wantsUpgrade)
        let headSent = channel.writeAndFlush(ByteBuffer(bytes: head))
        let connection = HijackedConnection(
            input: raw.stream,
            write: { bytes in try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get() },
            closeOutput: { try? await channel.close(mode: .output).get() })
        let log = self.log
        Task {
            // The stream starts once the client has read the head (see PeerDrain).
            if (try? await headSent.get()) != nil, headFirst { await PeerDrain.wait(channel) }
            do { try await run(connection) } catch { log.debug("hijacked \(request.uri): \(error)") }
            try? await channel.close().get()
        }
    }
}

/// Inbound bytes of a hijacked connection, as an async stream that ends when the client
/// closes its side.
final class RawStreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    let stream: AsyncStream<[UInt8]>
    private let continuation: AsyncStream<[UInt8]>.Continuation

    init() {
        (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes), !bytes.isEmpty { continuation.yield(bytes) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { continuation.finish() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { continuation.finish() }
}
