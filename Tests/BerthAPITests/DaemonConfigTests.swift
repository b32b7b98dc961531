import Testing
@testable import BerthAPI

@Suite struct DaemonConfigTests {
    @Test func fileSettingsApplyWithDockerKeys() throws {
        var config = DaemonConfig()
        let unknown = try config.apply(
            fileText: Array(#"{"data-root":"/srv/berth","hosts":["unix:///tmp/a.sock"],"log-level":"debug","storage-driver":"overlay2"}"#.utf8),
            path: "daemon.json", flagsGiven: [])
        #expect(config.dataRoot == "/srv/berth")
        #expect(config.hosts == ["unix:///tmp/a.sock"])
        #expect(config.logLevel == "debug")
        #expect(unknown == ["storage-driver"])
        #expect(try config.socketPaths() == ["/tmp/a.sock"])
    }

    @Test func flagAndFileConflictIsAnError() {
        var config = DaemonConfig()
        #expect(throws: (any Error).self) {
            try config.apply(fileText: Array(#"{"data-root":"/a"}"#.utf8), path: "daemon.json", flagsGiven: ["data-root"])
        }
    }

    @Test func emptyFileConfiguresNothing() throws {
        var config = DaemonConfig()
        try config.apply(fileText: Array(" \n".utf8), path: "daemon.json", flagsGiven: [])
        #expect(config == DaemonConfig())
    }

    @Test func onlyUnixHosts() {
        var config = DaemonConfig()
        config.hosts = ["tcp://0.0.0.0:2375"]
        #expect(throws: (any Error).self) { try config.socketPaths() }
    }
}
