import BerthAPIModels
import Foundation
import Testing
@testable import BerthCLI

/// `berth` commands against `FakeEngine`: the requests they send and what they print.
@Suite(.serialized) struct EndToEndTests {
    /// Runs `berth ARGS` on a thread (the CLI blocks) and returns status, stdout, stderr.
    func berth(_ args: [String], engine: FakeEngine) async -> (Int32, String, String) {
        await withCheckedContinuation { continuation in
            Thread {
                let out = Output(), err = Output()
                let status = BerthCLI(out: out, err: err).main(args, environment: ["BERTH_HOST": engine.host, "HOME": "/nonexistent"])
                continuation.resume(returning: (status, out.captured, err.captured))
            }.start()
        }
    }

    static let containers = """
        [{"Id":"aa86eacfb3b3ed4cd362c1e88fc89a53908ad05fb3a4103bca3f9b28292d14bf","Names":["/funny_chatelet"],
          "Image":"ubuntu","ImageID":"sha256:72297848456d","Command":"/bin/bash","Created":\(Int(Date().timeIntervalSince1970) - 130),
          "Ports":[],"Labels":{},"State":"exited","Status":"Exited (0) 2 minutes ago","Mounts":[]}]
        """

    @Test func psSendsFiltersAndPrintsTable() async throws {
        let engine = FakeEngine { request in
            request.path == "/containers/json" ? .json(200, Self.containers) : .json(404, #"{"message":"page not found"}"#)
        }
        defer { engine.stop() }
        let (status, out, _) = await berth(["ps", "-a", "-f", "status=exited"], engine: engine)
        #expect(status == 0)
        #expect(out == """
            CONTAINER ID   IMAGE     COMMAND       CREATED         STATUS                     PORTS     NAMES
            aa86eacfb3b3   ubuntu    "/bin/bash"   2 minutes ago   Exited (0) 2 minutes ago             funny_chatelet

            """)
        let request = try #require(engine.requests.last)
        #expect(request.query == "all=1&filters=%7B%22status%22%3A%7B%22exited%22%3Atrue%7D%7D")
        let (_, quiet, _) = await berth(["container", "ls", "-aq"], engine: engine)
        #expect(quiet == "aa86eacfb3b3\n")
    }

    @Test func imagesTable() async throws {
        let engine = FakeEngine { _ in
            .json(200, #"[{"Id":"sha256:ec3f0931a6e6b6855d76b2d7b0be30e81860baccd891b2e243280bf1cd8ad710","RepoTags":["busybox:latest"],"RepoDigests":[],"Created":0,"Size":4261550,"SharedSize":-1,"Containers":-1}]"#)
        }
        defer { engine.stop() }
        let (status, out, _) = await berth(["images"], engine: engine)
        #expect(status == 0)
        #expect(out == "REPOSITORY   TAG       IMAGE ID       CREATED   SIZE\nbusybox      latest    ec3f0931a6e6   N/A       4.26MB\n")
        let (_, filtered, _) = await berth(["image", "ls", "busy*", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}"], engine: engine)
        #expect(filtered == "busybox:latest 4.26MB\n")
        #expect(engine.requests.last?.query == "filters=%7B%22reference%22%3A%7B%22busy%2A%22%3Atrue%7D%7D")
    }

    @Test func inspectFormatAndMissingObjects() async throws {
        let engine = FakeEngine { request in
            if request.path == "/containers/web/json" {
                return .json(200, #"{"Id":"abc","Name":"/web","State":{"Running":true,"Pid":42},"Config":{"Env":["A=1"]}}"#)
            }
            return .json(404, #"{"message":"No such object"}"#)
        }
        defer { engine.stop() }
        let (status, out, err) = await berth(["inspect", "--format", "{{.Name}} {{.State.Pid}} {{json .Config.Env}}", "web", "ghost"], engine: engine)
        #expect(status == 1)
        #expect(out == "/web 42 [\"A=1\"]\n")
        #expect(err == "Error: No such object: ghost\n")
        let (_, json, _) = await berth(["container", "inspect", "web"], engine: engine)
        #expect(json.hasPrefix("[\n    {\n        \"Id\": \"abc\",\n        \"Name\": \"/web\",\n        \"State\": {\n            \"Running\": true,"))
        let (missingStatus, _, missing) = await berth(["container", "inspect", "ghost"], engine: engine)
        #expect(missingStatus == 1)
        #expect(missing == "Error: No such container: ghost\n")
    }

    @Test func runCreatesAttachesStartsAndWaits() async throws {
        let frames = MultiplexedStream.frame(.stdout, Array("hello\n".utf8)) + MultiplexedStream.frame(.stderr, Array("oops\n".utf8))
        let engine = FakeEngine { request in
            switch (request.method, request.path) {
            case ("POST", "/containers/create"): return .json(201, #"{"Id":"c0ffee","Warnings":[]}"#)
            case ("POST", "/containers/c0ffee/attach"): return .hijack(frames)
            case ("POST", "/containers/c0ffee/wait"): return .json(200, #"{"StatusCode":3}"#)
            case ("POST", "/containers/c0ffee/start"): return .status(204)
            default: return .json(404, #"{"message":"page not found"}"#)
            }
        }
        defer { engine.stop() }
        let (status, out, err) = await berth(["run", "--rm", "--name", "x", "busybox", "sh", "-c", "echo hello"], engine: engine)
        #expect(status == 3)
        #expect(out == "hello\n")
        #expect(err == "oops\n")
        let calls = engine.requests.filter { $0.path != "/_ping" }.map { "\($0.method) \($0.path)?\($0.query)" }
        #expect(calls == [
            "POST /containers/create?name=x",
            "POST /containers/c0ffee/attach?stream=1&stdout=1&stderr=1",
            "POST /containers/c0ffee/wait?condition=removed",
            "POST /containers/c0ffee/start?",
        ])
        let body = try JSONValue.parse(engine.requests.first { $0.path == "/containers/create" }!.body)
        #expect(body["Cmd"] == ["sh", "-c", "echo hello"])
        #expect(body["HostConfig"]?["AutoRemove"] == true)
    }

    @Test func runStartFailureExitCodes() async throws {
        let engine = FakeEngine { request in
            switch request.path {
            case "/containers/create": return .json(201, #"{"Id":"c0ffee","Warnings":["low memory"]}"#)
            case "/containers/c0ffee/start":
                return .json(400, #"{"message":"exec: \"nope\": executable file not found in $PATH"}"#)
            default: return .status(204)
            }
        }
        defer { engine.stop() }
        let (status, out, err) = await berth(["run", "-d", "busybox", "nope"], engine: engine)
        #expect(status == 127)
        #expect(out == "")
        #expect(err == "WARNING: low memory\nberth: Error response from daemon: exec: \"nope\": executable file not found in $PATH\n\nRun 'berth run --help' for more information\n")
    }

    @Test func stopPrintsNamesAndErrors() async throws {
        let engine = FakeEngine { request in
            request.path.hasPrefix("/containers/ghost") ? .json(404, #"{"message":"No such container: ghost"}"#) : .status(204)
        }
        defer { engine.stop() }
        let (status, out, err) = await berth(["stop", "-t", "3", "web", "ghost"], engine: engine)
        #expect(status == 1)
        #expect(out == "web\n")
        #expect(err == "Error response from daemon: No such container: ghost\n")
        #expect(engine.requests.contains { $0.path == "/containers/web/stop" && $0.query == "t=3" })
    }

    @Test func unknownFlagAndHelp() async throws {
        let engine = FakeEngine { _ in .status(204) }
        defer { engine.stop() }
        let (status, _, err) = await berth(["ps", "--bogus"], engine: engine)
        #expect(status == 125)
        #expect(err.hasPrefix("unknown flag: --bogus"))
        let (helpStatus, help, _) = await berth(["container", "ls", "--help"], engine: engine)
        #expect(helpStatus == 0)
        #expect(help.contains("Usage:  berth container ls [OPTIONS]"))
        #expect(help.contains("berth container ls, berth container list, berth container ps, berth ps"))
    }
}
