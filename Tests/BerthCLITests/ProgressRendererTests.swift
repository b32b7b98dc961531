import BerthAPIModels
import Testing
@testable import BerthCLI

/// The pull progress stream, recorded from a docker daemon pulling busybox, rendered
/// as the docker CLI renders it.
@Suite struct ProgressRendererTests {
    static let recorded = [
        #"{"status":"Pulling from library/busybox","id":"latest"}"#,
        #"{"status":"Pulling fs layer","progressDetail":{},"id":"a46fbb00284b"}"#,
        #"{"status":"Pulling fs layer","progressDetail":{},"id":"f5b8a4e2e0c1"}"#,
        #"{"status":"Downloading","progressDetail":{"current":1200000,"total":5000000},"progress":"[===>   ]","id":"a46fbb00284b"}"#,
        #"{"status":"Downloading","progressDetail":{"current":5000000,"total":5000000},"progress":"[======>]","id":"a46fbb00284b"}"#,
        #"{"status":"Verifying Checksum","progressDetail":{},"id":"a46fbb00284b"}"#,
        #"{"status":"Download complete","progressDetail":{},"id":"a46fbb00284b"}"#,
        #"{"status":"Extracting","progressDetail":{"current":32768,"total":2152262},"progress":"[>  ]","id":"a46fbb00284b"}"#,
        #"{"status":"Pull complete","progressDetail":{},"id":"a46fbb00284b"}"#,
        #"{"status":"Already exists","progressDetail":{},"id":"f5b8a4e2e0c1"}"#,
        #"{"status":"Digest: sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7"}"#,
        #"{"status":"Status: Downloaded newer image for busybox:latest"}"#,
    ]

    struct Lines: ResponseStreamLines {
        final class Cursor { var index = 0 }
        let lines: [String]
        let cursor = Cursor()
        func nextLine() throws -> String? {
            guard cursor.index < lines.count else { return nil }
            defer { cursor.index += 1 }
            return lines[cursor.index]
        }
    }

    @Test func plainOutputSkipsProgressBars() throws {
        let out = Output()
        var renderer = ProgressRenderer(out: out, isTerminal: false, width: 200)
        try renderer.consume(Lines(lines: Self.recorded))
        #expect(out.captured == """
            latest: Pulling from library/busybox
            a46fbb00284b: Pulling fs layer
            f5b8a4e2e0c1: Pulling fs layer
            a46fbb00284b: Verifying Checksum
            a46fbb00284b: Download complete
            a46fbb00284b: Pull complete
            f5b8a4e2e0c1: Already exists
            Digest: sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7
            Status: Downloaded newer image for busybox:latest

            """)
    }

    @Test func terminalRedrawsLayerLines() throws {
        let out = Output(terminal: true)
        var renderer = ProgressRenderer(out: out, isTerminal: true, width: 120)
        renderer.now = { 0 }
        for line in Self.recorded.prefix(4) { try renderer.display(try JSONValue.parse(line)) }
        let esc = "\u{1B}"
        #expect(out.captured == "latest: Pulling from library/busybox\n"
            + "\n\(esc)[1A\(esc)[2K\ra46fbb00284b: Pulling fs layer \r\(esc)[1B"
            + "\n\(esc)[1A\(esc)[2K\rf5b8a4e2e0c1: Pulling fs layer \r\(esc)[1B"
            + "\(esc)[2A\(esc)[2K\ra46fbb00284b: Downloading [============>                                      ]    1.2MB/5MB\r\(esc)[2B")
    }

    @Test func progressBar() {
        #expect(ProgressRenderer.bar(["current": 1_200_000, "total": 5_000_000], width: 200, now: 0)
            == "[============>                                      ]    1.2MB/5MB")
        #expect(ProgressRenderer.bar(["current": 1_200_000, "total": 5_000_000], width: 80, now: 0) == "   1.2MB/5MB")
        #expect(ProgressRenderer.bar(["current": 1_000_000, "total": 5_000_000, "start": 100], width: 80, now: 110) == "     1MB/5MB 40s")
        #expect(ProgressRenderer.bar(["current": 3, "total": 0, "units": "items"], width: 80, now: 0) == "3 items")
        #expect(ProgressRenderer.bar([:], width: 200, now: 0) == "")
    }

    @Test func errorInStreamIsThrown() {
        var renderer = ProgressRenderer(out: Output(), isTerminal: false, width: 200)
        #expect(throws: CLIError.self) {
            try renderer.display(try! JSONValue.parse(#"{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}"#))
        }
    }
}
