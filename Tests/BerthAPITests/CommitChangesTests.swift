@testable import BerthAPI
import BerthOCI
import Testing

/// `docker commit --change`: instructions applied onto the container's settings.
@Suite struct CommitChangesTests {
    @Test func changesApplyOntoTheBase() throws {
        var base = ImageConfig.Container()
        base.env = ["PATH=/bin"]
        base.cmd = ["sh"]
        let c = try ImportChanges.parse(["ENV A=1", "CMD echo hi", "STOPSIGNAL SIGINT", "ONBUILD RUN true",
                                         #"VOLUME ["/data", "/logs"]"#, "EXPOSE 80 53/udp"], onto: base)
        #expect(c.env == ["PATH=/bin", "A=1"])
        #expect(c.cmd == ["/bin/sh", "-c", "echo hi"])
        #expect(c.stopSignal == "SIGINT" && c.onBuild == ["RUN true"])
        #expect(Set((c.volumes ?? [:]).keys) == ["/data", "/logs"])
        #expect(Set((c.exposedPorts ?? [:]).keys) == ["80/tcp", "53/udp"])
    }

    @Test func instructionsCommitRefuses() {
        #expect(throws: (any Error).self) { try ImportChanges.parse(["FROM busybox"]) }
        #expect(throws: (any Error).self) { try ImportChanges.parse(["CMD"]) }
    }
}
