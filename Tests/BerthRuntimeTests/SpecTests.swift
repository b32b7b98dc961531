import BerthOCI
import BerthSystem
import Testing
@testable import BerthRuntime

@Suite struct SpecTests {
    @Test func dockerSeccompFollowsCapabilities() throws {
        let profile = try DockerSeccompProfile.dockerDefault()
        let plain = profile.oci(capabilities: ["CAP_CHOWN"], arch: "amd64", kernel: (6, 1))
        let admin = profile.oci(capabilities: ["CAP_SYS_ADMIN"], arch: "amd64", kernel: (6, 1))
        func allowed(_ s: Spec.Seccomp, _ name: String) -> Bool {
            (s.syscalls ?? []).contains { $0.action == "SCMP_ACT_ALLOW" && $0.names.contains(name) && $0.args == nil }
        }
        #expect(plain.defaultAction == "SCMP_ACT_ERRNO")
        #expect(plain.architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        #expect(allowed(plain, "read"))
        #expect(!allowed(plain, "mount"))
        #expect(allowed(admin, "mount"))
        #expect(!allowed(plain, "reboot"))
        #expect(allowed(plain, "arch_prctl"))
        #expect(!allowed(plain, "s390_runtime_instr"))
    }

    @Test func namespaceTypesAreChecked() throws {
        let json = #"{"ociVersion":"1.2.0","linux":{"namespaces":[{"type":"pid"},{"type":"bogus"}]}}"#
        do {
            _ = try OCIJSON.decode(Spec.self, from: Array(json.utf8))
            Issue.record("expected a decoding error")
        } catch {
            let message = OCIJSON.describe(error)
            #expect(message.contains("linux.namespaces[1].type"))
            #expect(message.contains("bogus"))
        }
    }

    @Test func defaultSpecRoundTrips() throws {
        let spec = Spec.runtimeDefault()
        let again = try OCIJSON.decode(Spec.self, from: try OCIJSON.encode(spec))
        #expect(again == spec)
        #expect(spec.linux?.maskedPaths?.contains("/proc/kcore") == true)
    }

    @Test func resourcesAddDefaultDevices() {
        var r = Spec.Resources()
        r.devices = [Spec.DeviceCgroup(allow: false, access: "rwm")]
        let c = CgroupResources(spec: r, defaultDevices: true)
        #expect(c.devices.first?.v1String == "a *:* rwm")
        #expect(c.devices.contains { $0.v1String == "c 1:3 rwm" && $0.allow })
    }
}

