import BerthAPIModels
import BerthClient
import CBerth
import Foundation
import NIOPosix
import Testing
@testable import BerthAPI

/// The server in-process on a temporary socket, exercised with the blocking client.
@Suite(.serialized) struct ServerTests {
    struct FixedBackend: SystemBackend {
        func version() async throws -> SystemVersion {
            try await HostSystemBackend(dataRoot: "/tmp", engineID: "test").version()
        }
        func info() async throws -> SystemInfo {
            var info = SystemInfo()
            info.id = "test-id"
            info.ncpu = 3
            return info
        }
    }

    static func router() -> Router {
        var router = Router()
        router.commonHeaders = Router.standardHeaders(serverVersion: "test")
        router.addSystemRoutes(FixedBackend())
        router.get("/events") { _ in
            .stream { writer in
                for i in 1...3 { try await writer.write("{\"n\":\(i)}\n") }
            }
        }
        router.post("/echo") { request in
            let body = try await request.body.collect()
            return .text(String(decoding: body, as: UTF8.self).uppercased())
        }
        router.post("/count") { request in
            // Reads slowly, so a large body must wait in the socket, not in memory.
            var total = 0
            for try await chunk in request.body {
                total += chunk.count
                if total < 4 << 20 { try await Task.sleep(nanoseconds: 100_000) }
            }
            return .text(String(total))
        }
        router.post("/containers/{id}/attach") { request in
            let id = request.parameter("id")
            return .hijack { connection in
                try await connection.write(Array("hello \(id)\n".utf8))
                for await chunk in connection.input { try await connection.write(chunk.reversed()) }
                try await connection.write(Array("bye\n".utf8))
            }
        }
        return router
    }

    /// Runs `body` against a fresh server and removes the socket afterwards.
    func withServer(_ body: @escaping @Sendable (APIClient) throws -> Void) async throws {
        let dir = "/tmp/berth-api-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let socket = dir + "/run/api.sock"
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = APIServer(socketPath: socket, router: Self.router(), group: group, log: Log(level: .error))
        try await server.start()
        do {
            try await onThread { try body(APIClient(host: EngineHost(socketPath: socket))) }
        } catch {
            await server.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await server.stop()
        try await group.shutdownGracefully()
        #expect(!FileManager.default.fileExists(atPath: socket))
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Blocking client calls run on their own thread, off the concurrency pool the
    /// server's handlers need.
    func onThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                do { try body(); continuation.resume() } catch { continuation.resume(throwing: error) }
            }.start()
        }
    }

    @Test func socketIsGroupReadableOnly() async throws {
        try await withServer { client in
            let attributes = try FileManager.default.attributesOfItem(atPath: client.host.socketPath)
            #expect((attributes[.posixPermissions] as? Int) == 0o660)
        }
    }

    @Test func pingVersionInfo() async throws {
        try await withServer { client in
            let ping = try client.ping()
            #expect(ping.apiVersion == APIVersion.current)
            #expect(ping.osType == "linux")
            let head = try client.send(ClientRequest("HEAD", "/_ping", versioned: false))
            #expect(head.status == 200 && head.body.isEmpty)
            let version = try client.get(SystemVersion.self, "/version")
            #expect(version.apiVersion == "1.47" && version.minAPIVersion == "1.24" && version.os == "linux")
            let info = try client.getJSON("/info")
            #expect(info["ID"] == "test-id" && info["NCPU"] == 3)
            client.version = APIVersion(1, 41)
            #expect(try client.getJSON("/info")["ID"] == "test-id")
        }
    }

    @Test func errorsCarryDockersMessage() async throws {
        try await withServer { client in
            do {
                try client.call(ClientRequest("GET", "/nothing/here"))
                Issue.record("expected an error")
            } catch let error as ClientError {
                #expect(error.description == "page not found")
                #expect(error.kind == .notFound)
            }
            client.version = APIVersion(1, 99)
            do {
                try client.call(ClientRequest("GET", "/version"))
                Issue.record("expected an error")
            } catch let error as ClientError {
                #expect(error.kind == .invalidArgument)
                #expect(error.description.hasPrefix("client version 1.99 is too new"))
            }
        }
    }

    @Test func requestBodiesAndStreams() async throws {
        try await withServer { client in
            let echoed = try client.call(ClientRequest("POST", "/echo", body: Array("shout".utf8)))
            #expect(String(decoding: echoed.body, as: UTF8.self) == "SHOUT")
            let stream = try client.stream(ClientRequest("GET", "/events"))
            #expect(stream.head.headers["Transfer-Encoding"] == "chunked")
            var lines: [String] = []
            while let line = try stream.nextLine() { lines.append(line) }
            #expect(lines == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#])
        }
    }

    @Test func largeBodiesStreamThrough() async throws {
        try await withServer { client in
            let body = [UInt8](repeating: 0x61, count: 16 << 20)
            let response = try client.call(ClientRequest("POST", "/count", body: body))
            #expect(String(decoding: response.body, as: UTF8.self) == String(16 << 20))
            // A route that ignores a large body still answers, and the connection recovers.
            let ignored = try client.send(ClientRequest("POST", "/nowhere", body: body))
            #expect(ignored.status == 404)
        }
    }

    @Test func hijackSwitchesToRawBytes() async throws {
        try await withServer { client in
            let socket = try client.hijack(ClientRequest("POST", "/containers/c1/attach", query: [("stream", "1")]))
            var received: [UInt8] = []
            while !received.contains(0x0A), let chunk = try socket.read() { received += chunk }
            #expect(String(decoding: received, as: UTF8.self) == "hello c1\n")
            try socket.write(Array("abc".utf8))
            received = []
            while received.count < 3, let chunk = try socket.read() { received += chunk }
            #expect(String(decoding: received, as: UTF8.self) == "cba")
            socket.closeWrite()
            received = []
            while let chunk = try socket.read() { received += chunk }
            #expect(String(decoding: received, as: UTF8.self) == "bye\n")
        }
    }

    /// Two requests in one write (pipelining) on one keep-alive connection: answered in
    /// order, and `Connection: close` on the second ends the connection.
    @Test func keepAliveAndPipelining() async throws {
        try await withServer { client in
            let fd = berth_unix_connect(client.host.socketPath)
            #expect(fd >= 0)
            defer { close(fd) }
            let requests = "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /v1.44/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            _ = Array(requests.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                received += buffer[0..<n]
            }
            let text = String(decoding: received, as: UTF8.self)
            let parts = text.components(separatedBy: "HTTP/1.1 200 OK")
            #expect(parts.count == 4)
            #expect(parts[1].hasSuffix("\r\n\r\nOK"))
            #expect(parts[2].hasSuffix("\r\n\r\nABC"))
            #expect(parts[3].contains("Connection: close") && parts[3].contains("\"ID\":\"test-id\""))
        }
    }

    @Test func cannotConnectNamesTheHost() throws {
        let client = APIClient(host: EngineHost(socketPath: "/tmp/berth-no-such-dir/x.sock"))
        #expect(throws: ClientError.self) { try client.ping() }
        do { _ = try client.ping() } catch {
            #expect(error.description == "Cannot connect to the Berth daemon at unix:///tmp/berth-no-such-dir/x.sock. Is the berth daemon running?")
        }
    }

    @Test func hostResolution() throws {
        #expect(try EngineHost.resolve(flag: nil, environment: [:]).socketPath == "/run/berth/berth.sock")
        #expect(try EngineHost.resolve(flag: nil, environment: ["DOCKER_HOST": "unix:///d.sock"]).socketPath == "/d.sock")
        #expect(try EngineHost.resolve(flag: nil, environment: ["DOCKER_HOST": "unix:///d.sock", "BERTH_HOST": "unix:///b.sock"]).socketPath == "/b.sock")
        #expect(try EngineHost.resolve(flag: "unix:///f.sock", environment: ["BERTH_HOST": "unix:///b.sock"]).socketPath == "/f.sock")
        #expect(throws: ClientError.self) { try EngineHost.resolve(flag: "tcp://1.2.3.4:2375", environment: [:]) }
    }
}

@Suite struct BodyChannelTests {
    final class Counter: @unchecked Sendable {
        var drains = 0
    }

    @Test func pausesAboveHighWatermarkAndResumesBelowLow() async throws {
        let counter = Counter()
        let channel = BodyChannel(highWatermark: 10, lowWatermark: 4, onDrain: { counter.drains += 1 })
        #expect(!channel.yield(Array(repeating: 1, count: 6)))
        #expect(channel.yield(Array(repeating: 2, count: 6)))     // 12 > 10: pause
        #expect(try await channel.next()?.count == 6)              // 6 left, not below 4
        #expect(counter.drains == 0)
        #expect(try await channel.next()?.count == 6)              // 0 left: resume
        #expect(counter.drains == 1)
        channel.finish()
        #expect(try await channel.next() == nil)
    }

    @Test func aWaitingReaderGetsBytesDirectly() async throws {
        let channel = BodyChannel()
        async let first = channel.next()
        try await Task.sleep(nanoseconds: 10_000_000)
        _ = channel.yield([1, 2, 3])
        #expect(try await first == [1, 2, 3])
        channel.finish(error: CancellationError())
        await #expect(throws: CancellationError.self) { try await channel.next() }
    }
}
