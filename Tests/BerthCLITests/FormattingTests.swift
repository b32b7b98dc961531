import BerthAPIModels
import Testing
@testable import BerthCLI

/// Tables of `ps`, `images` and `history` from the API spec's example objects, and
/// go-units durations and sizes.
@Suite struct FormattingTests {
    static let now = 1_739_811_096.0 + 4 * 86400 + 3600

    /// `ContainerSummary` with the spec's example values.
    static let container: JSONValue = try! JSONValue.parse(#"""
    {"Id":"aa86eacfb3b3ed4cd362c1e88fc89a53908ad05fb3a4103bca3f9b28292d14bf","Names":["/funny_chatelet"],
     "Image":"docker.io/library/ubuntu:latest","ImageID":"sha256:72297848456d5d37d1262630108ab308d3e9ec7ed1c3286a32fe09856619a782",
     "Command":"/bin/bash","Created":1739811096,"Ports":[{"IP":"0.0.0.0","PrivatePort":8080,"PublicPort":80,"Type":"tcp"}],
     "SizeRw":122880,"SizeRootFs":1653948416,
     "Labels":{"com.example.vendor":"Acme","com.example.license":"GPL","com.example.version":"1.0"},
     "State":"running","Status":"Up 4 days","HostConfig":{"NetworkMode":"host"},
     "NetworkSettings":{"Networks":{"bridge":{}}},"Mounts":[]}
    """#)

    /// `ImageSummary` with the spec's example values.
    static let image: JSONValue = try! JSONValue.parse(#"""
    {"Id":"sha256:ec3f0931a6e6b6855d76b2d7b0be30e81860baccd891b2e243280bf1cd8ad710","ParentId":"",
     "RepoTags":["example:1.0","example:latest","example:stable","internal.registry.example.com:5000/example:1.0"],
     "RepoDigests":["example@sha256:afcc7f1ac1b49db317a7196c902e61c6c3c4607d63599ee1a82d702d249a0ccb",
                    "internal.registry.example.com:5000/example@sha256:b69959407d21e8a062e0416bf13405bb2b71ed7a84dde4158ebafacfa06f5578"],
     "Created":1644009612,"Size":172064416,"SharedSize":1239828,"Labels":{},"Containers":2}
    """#)

    @Test func psTable() throws {
        let row = ContainerRows.row(Self.container, truncate: true, now: Self.now)
        let text = try renderRows([row], format: "", defaultTable: ContainerRows.defaultTable, headers: ContainerRows.headers)
        #expect(text == """
            CONTAINER ID   IMAGE           COMMAND       CREATED      STATUS      PORTS                  NAMES
            aa86eacfb3b3   ubuntu:latest   "/bin/bash"   4 days ago   Up 4 days   0.0.0.0:80->8080/tcp   funny_chatelet

            """)
    }

    @Test func psColumnsAndJSON() throws {
        var container = Self.container.objectValue!
        container["Command"] = "sh -c 'echo hello world; sleep 1000'"
        let row = ContainerRows.row(.object(container), truncate: true, now: Self.now)
        #expect(row["Command"] == #""sh -c 'echo hello w…""#)
        #expect(row["Size"] == "123kB (virtual 1.65GB)")
        #expect(row["Labels"] == "com.example.license=GPL,com.example.vendor=Acme,com.example.version=1.0")
        #expect(row["Networks"] == "bridge")
        let json = try renderRows([row], format: "json", defaultTable: ContainerRows.defaultTable, headers: ContainerRows.headers)
        #expect(json.hasPrefix(#"{"Command":"\"sh -c 'echo hello w…\"","CreatedAt":"2025-02-17 16:51:36 +0000 UTC","ID":"aa86eacfb3b3""#))
        let custom = try renderRows([row], format: "table {{.Names}}\\t{{.State}}", defaultTable: ContainerRows.defaultTable, headers: ContainerRows.headers)
        #expect(custom == "NAMES            STATE\nfunny_chatelet   running\n")
        let untruncated = ContainerRows.row(Self.container, truncate: false, now: Self.now)
        #expect(untruncated["ID"]?.stringValue?.count == 64)
        #expect(untruncated["Image"] == "docker.io/library/ubuntu:latest")
    }

    @Test func portsColumnGroupsRanges() throws {
        let ports: JSONValue = [
            ["PrivatePort": 80, "Type": "tcp"], ["PrivatePort": 81, "Type": "tcp"], ["PrivatePort": 82, "Type": "tcp"],
            ["PrivatePort": 53, "Type": "udp"],
            ["IP": "0.0.0.0", "PrivatePort": 9000, "PublicPort": 9000, "Type": "tcp"],
            ["IP": "::", "PrivatePort": 443, "PublicPort": 8443, "Type": "tcp"],
        ]
        #expect(PortList.displayable(ports.arrayValue!) == "53/udp, 80-82/tcp, 0.0.0.0:9000->9000/tcp, [::]:8443->443/tcp")
    }

    @Test func imagesTable() throws {
        let rows = ImageRows.rows([Self.image], truncate: true, digests: false, now: Self.now)
        let text = try renderRows(rows, format: "", defaultTable: ImageRows.defaultTable(digests: false), headers: ImageRows.headers)
        #expect(text == """
            REPOSITORY                                   TAG       IMAGE ID       CREATED       SIZE
            example                                      1.0       ec3f0931a6e6   3 years ago   172MB
            example                                      latest    ec3f0931a6e6   3 years ago   172MB
            example                                      stable    ec3f0931a6e6   3 years ago   172MB
            internal.registry.example.com:5000/example   1.0       ec3f0931a6e6   3 years ago   172MB

            """)
        let withDigests = ImageRows.rows([Self.image], truncate: true, digests: true, now: Self.now)
        #expect(withDigests[3]["Digest"] == "sha256:b69959407d21e8a062e0416bf13405bb2b71ed7a84dde4158ebafacfa06f5578")
        let dangling = ImageRows.rows([["Id": "sha256:0123456789abcdef", "RepoTags": [], "Created": 0, "Size": 999_500]], truncate: true, digests: false, now: Self.now)
        #expect(dangling.count == 1)
        #expect(dangling[0]["Repository"] == "<none>")
        #expect(dangling[0]["Size"] == "1e+03kB")
        #expect(dangling[0]["CreatedSince"] == "N/A")
    }

    @Test func historyRows() throws {
        let items: JSONValue = [
            ["Id": "sha256:3e1f3c4e1b6ab4f9b3a8d9d3f2e1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3", "Created": .int(Int64(Self.now) - 7200),
             "CreatedBy": "/bin/sh -c #(nop)  CMD [\"sh\"]\twith a tab and a long tail", "Tags": ["busybox:latest"], "Size": 0, "Comment": ""],
            ["Id": "<missing>", "Created": .int(Int64(Self.now) - 7200), "CreatedBy": "ADD file:abc in /", "Size": 4_261_550, "Comment": ""],
        ]
        let rows = HistoryRows.rows(items.arrayValue!, truncate: true, human: true, now: Self.now)
        #expect(rows[0]["ID"] == "3e1f3c4e1b6a")
        #expect(rows[0]["CreatedBy"] == "/bin/sh -c #(nop)  CMD [\"sh\"] with a tab and…")
        #expect(rows[0]["CreatedSince"] == "2 hours ago")
        #expect(rows[1]["ID"] == "<missing>")
        #expect(rows[1]["Size"] == "4.26MB")
    }

    @Test func humanDurations() {
        let cases: [(Double, String)] = [
            (0.5, "Less than a second"), (1, "1 second"), (59, "59 seconds"), (60, "About a minute"), (119, "About a minute"),
            (120, "2 minutes"), (3599, "59 minutes"), (3600, "About an hour"), (5399, "About an hour"), (5400, "2 hours"),
            (47 * 3600, "47 hours"), (48 * 3600, "2 days"), (13 * 86400, "13 days"), (14 * 86400, "2 weeks"),
            (59 * 86400, "8 weeks"), (60 * 86400, "2 months"), (729 * 86400, "24 months"), (730 * 86400, "2 years"),
        ]
        for (seconds, text) in cases { #expect(HumanUnits.duration(seconds: seconds) == text, "\(seconds)") }
    }

    @Test func humanSizes() {
        #expect(HumanUnits.size(0, precision: 3) == "0B")
        #expect(HumanUnits.size(999, precision: 3) == "999B")
        #expect(HumanUnits.size(5_600_000, precision: 3) == "5.6MB")
        #expect(HumanUnits.size(172_064_416, precision: 3) == "172MB")
        #expect(HumanUnits.size(1_234, precision: 3) == "1.23kB")
        #expect(HumanUnits.size(1_200_000) == "1.2MB")
        #expect(HumanUnits.size(12_345_678_901) == "12.35GB")
        #expect(HumanUnits.binarySize(25_276_514_304) == "23.54GiB")
        #expect(HumanUnits.formatG(0.00001234, precision: 3) == "1.23e-05")
    }

    @Test func timestamps() throws {
        #expect(Clock.parseTimestamp("2013-01-02T13:23:37Z")! == (1_357_133_017, 0))
        #expect(Clock.parseTimestamp("2013-01-02T13:23:37.5+01:00")! == (1_357_129_417, 500_000_000))
        #expect(try Clock.apiTimestamp("2013-01-02T13:23:37Z") == "1357133017.000000000")
        #expect(try Clock.apiTimestamp("42m", now: 10_000) == "7480")
        #expect(try Clock.apiTimestamp("1357133017") == "1357133017")
        #expect(throws: CLIError.self) { try Clock.apiTimestamp("yesterday") }
        #expect(GoDuration.parse("1h30m") == 5400)
        #expect(GoDuration.parse("300ms") == 0.3)
        #expect(GoDuration.format(seconds: 3725) == "1h2m5s")
        #expect(GoDuration.format(seconds: 60) == "1m0s")
        #expect(Clock.rfc3339(1_644_009_612) == "2022-02-04T21:20:12Z")
    }

    @Test func filtersAndBase64() throws {
        let query = try Filters.parse(["status=exited", "label=a=b", "status=created"])
        #expect(query.count == 1)
        #expect(query.first?.0 == "filters")
        #expect(query.first?.1 == #"{"status":{"exited":true,"created":true},"label":{"a=b":true}}"#)
        #expect(throws: CLIError.self) { try Filters.parse(["nonsense"]) }
        #expect(Base64.encode(Array("user:pass".utf8)) == "dXNlcjpwYXNz")
        #expect(Base64.decode("dXNlcjpwYXNz").map { String(decoding: $0, as: UTF8.self) } == "user:pass")
        #expect(Base64.encode(Array("{}".utf8), urlSafe: true) == "e30=")
    }
}
