import Testing
@testable import BerthRuntime

@Suite struct MountOptionsTests {
    @Test func splitsFlagsPropagationAndData() {
        let o = MountOptions(["nosuid", "noexec", "rprivate", "mode=755", "size=65536k", "ro"])
        #expect(o.flags == MountFlag.nosuid | MountFlag.noexec | MountFlag.rdonly)
        #expect(o.propagation == [MountFlag.private | MountFlag.rec])
        #expect(o.dataString == "mode=755,size=65536k")
    }

    @Test func laterOptionsWin() {
        #expect(MountOptions(["ro", "rw"]).flags & MountFlag.rdonly == 0)
        #expect(MountOptions(["rw", "ro"]).flags & MountFlag.rdonly != 0)
    }

    @Test func rbindIsRecursiveBind() {
        let o = MountOptions(["rbind", "z", "tmpcopyup"])
        #expect(o.isBind)
        #expect(o.flags & MountFlag.rec != 0)
        #expect(o.data.isEmpty)
    }

    @Test func rootfsPropagation() {
        #expect(MountOptions.propagation("rslave") == MountFlag.slave | MountFlag.rec)
        #expect(MountOptions.propagation(nil) == nil)
        #expect(MountOptions.propagation("") == nil)
    }
}
