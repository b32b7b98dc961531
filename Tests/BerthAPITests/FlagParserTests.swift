@testable import BerthCLI
import BerthFlags
import Testing

@Suite struct FlagParserTests {
    static let flags: [FlagSpec] = [
        .bool("interactive", short: "i", usage: "Keep STDIN open"),
        .bool("tty", short: "t", usage: "Allocate a pseudo-TTY"),
        .bool("detach", short: "d", usage: "Run in background"),
        .string("name", usage: "Assign a name"),
        .list("env", short: "e", usage: "Set environment variables"),
        .list("publish", short: "p", usage: "Publish ports"),
        .int("cpu-shares", short: "c", usage: "CPU shares"),
    ]

    func parse(_ args: [String], interspersed: Bool = true) throws -> ParsedFlags {
        try FlagParser.parse(args, flags: Self.flags, interspersed: interspersed)
    }

    @Test func combinedShortBools() throws {
        let p = try parse(["-itd", "alpine"])
        #expect(p.bool("interactive") && p.bool("tty") && p.bool("detach"))
        #expect(p.arguments == ["alpine"])
    }

    @Test func combinedShortsEndingWithAValue() throws {
        let p = try parse(["-itp", "80:80", "-p8080:80", "-p=9090:90", "x"])
        #expect(p.bool("tty"))
        #expect(p.list("publish") == ["80:80", "8080:80", "9090:90"])
    }

    @Test func longFormsAndRepeats() throws {
        let p = try parse(["--name=web", "--env", "A=1", "-e", "B=2", "--env=C=3", "--detach=false", "--name", "db"])
        #expect(p.string("name") == "db")
        #expect(p.list("env") == ["A=1", "B=2", "C=3"])
        #expect(p.isSet("detach") && !p.bool("detach"))
        #expect(p.order == ["name", "env", "env", "env", "detach", "name"])
    }

    @Test func valuesMayStartWithADash() throws {
        #expect(try parse(["--name", "-x"]).string("name") == "-x")
    }

    @Test func doubleDashEndsFlags() throws {
        let p = try parse(["-d", "--", "-i", "--name", "x"])
        #expect(p.bool("detach") && !p.bool("interactive"))
        #expect(p.arguments == ["-i", "--name", "x"])
    }

    @Test func interspersedOrNot() throws {
        #expect(try parse(["alpine", "-d"]).bool("detach"))
        let p = try parse(["-i", "alpine", "ls", "-d", "--name", "x"], interspersed: false)
        #expect(p.bool("interactive") && !p.bool("detach"))
        #expect(p.arguments == ["alpine", "ls", "-d", "--name", "x"])
        #expect(try parse(["-", "x"]).arguments == ["-", "x"])
    }

    @Test func intsAreChecked() throws {
        #expect(try parse(["-c", "512"]).int("cpu-shares") == 512)
        #expect(throws: FlagError("invalid argument \"lots\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"lots\": invalid syntax")) {
            try parse(["--cpu-shares", "lots"])
        }
    }

    @Test func pflagErrorTexts() {
        #expect(throws: FlagError("unknown flag: --nope")) { try parse(["--nope"]) }
        #expect(throws: FlagError("unknown shorthand flag: 'x' in -ix")) { try parse(["-ix"]) }
        #expect(throws: FlagError("flag needs an argument: --name")) { try parse(["--name"]) }
        #expect(throws: FlagError("flag needs an argument: 'e' in -e")) { try parse(["-e"]) }
        #expect(throws: FlagError.self) { try parse(["--tty=maybe"]) }
    }

    @Test func helpTextAlignsAndShowsDefaults() {
        let text = HelpText.options([
            .string("format", short: "f", usage: "Format output"),
            .bool("all", short: "a", usage: "Show all"),
            .string("log-driver", usage: "Logging driver", default: "json-file"),
            .bool("secret", usage: "Hidden", hidden: true),
        ])
        #expect(text == """
              -f, --format string       Format output
              -a, --all                 Show all
                  --log-driver string   Logging driver (default "json-file")

            """)
    }
}

@Suite struct CLIDispatchTests {
    static func registry() -> CommandRegistry {
        var registry = CommandRegistry()
        let echo = Command(
            name: "echo", aliases: ["say"], usage: "[OPTIONS] WORD...", summary: "Print words",
            flags: [.bool("upper", short: "u", usage: "Upper case")], arguments: .atLeast(1)
        ) { invocation in
            let text = invocation.arguments.joined(separator: " ")
            invocation.out.line(invocation.flags.bool("upper") ? text.uppercased() : text)
            invocation.out.line("host=\(invocation.global.host ?? "-") debug=\(invocation.global.debug)")
            return 0
        }
        registry.register(echo, group: "words", groupSummary: "Manage words", topLevel: true)
        return registry
    }

    func run(_ args: [String]) -> (Int32, String, String) {
        let out = Output(), err = Output()
        let status = BerthCLI(registry: Self.registry(), out: out, err: err).main(args, environment: [:])
        return (status, out.captured, err.captured)
    }

    @Test func topLevelAndManagementForms() {
        #expect(run(["echo", "hi"]).1 == "hi\nhost=- debug=false\n")
        #expect(run(["words", "echo", "-u", "hi"]).1 == "HI\nhost=- debug=false\n")
        #expect(run(["words", "say", "hi"]).0 == 0)
        #expect(run(["-D", "-H", "unix:///x.sock", "echo", "hi"]).1 == "hi\nhost=unix:///x.sock debug=true\n")
    }

    @Test func helpForEveryCommand() {
        let (status, out, _) = run(["echo", "--help"])
        #expect(status == 0)
        #expect(out.contains("Usage:  berth echo [OPTIONS] WORD..."))
        #expect(out.contains("Aliases:\n  berth words echo, berth words say, berth echo"))
        #expect(out.contains("  -u, --upper   Upper case"))
        #expect(run(["words", "echo", "-h"]).1.contains("Usage:  berth words echo"))
        #expect(run(["words"]).1.contains("Usage:  berth words COMMAND"))
        #expect(run(["--help"]).1.contains("Management Commands:\n  words"))
        #expect(run([]).0 == 0)
    }

    @Test func errorsAndStatuses() {
        #expect(run(["echo", "--bogus", "x"]).0 == 125)
        #expect(run(["echo", "--bogus", "x"]).2 == "unknown flag: --bogus\nSee 'berth echo --help'.\n")
        #expect(run(["--bogus"]).0 == 125)
        #expect(run(["nope"]).2 == "berth: 'nope' is not a berth command.\nSee 'berth --help'\n")
        #expect(run(["echo"]).2.hasPrefix("\"berth echo\" requires at least 1 argument.\nSee 'berth echo --help'."))
        #expect(run(["words", "nope"]).0 == 1)
    }

    @Test func byteSizesLikeGoUnits() {
        #expect(ByteSize.binary(25_276_514_304) == "23.54GiB")
        #expect(ByteSize.binary(1024) == "1KiB")
        #expect(ByteSize.binary(1536) == "1.5KiB")
        #expect(ByteSize.binary(512) == "512B")
        #expect(ByteSize.binary(0) == "0B")
    }
}
