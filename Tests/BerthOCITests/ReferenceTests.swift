import Testing
@testable import BerthOCI

@Suite struct ReferenceTests {
    static let hex = String(repeating: "ab", count: 32)

    static let valid: [(String, String, String)] = [
        ("ubuntu", "docker.io/library/ubuntu:latest", "ubuntu:latest"),
        ("ubuntu:14.04", "docker.io/library/ubuntu:14.04", "ubuntu:14.04"),
        ("user/img:tag", "docker.io/user/img:tag", "user/img:tag"),
        ("docker.io/library/ubuntu", "docker.io/library/ubuntu:latest", "ubuntu:latest"),
        ("index.docker.io/library/busybox:1", "docker.io/library/busybox:1", "busybox:1"),
        ("docker.io/ubuntu", "docker.io/library/ubuntu:latest", "ubuntu:latest"),
        ("docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"),
        ("localhost/x", "localhost/x:latest", "localhost/x:latest"),
        ("localhost:5000/x", "localhost:5000/x:latest", "localhost:5000/x:latest"),
        ("host:5000/a/b:tag", "host:5000/a/b:tag", "host:5000/a/b:tag"),
        ("quay.io/coreos/etcd:v3.5.0", "quay.io/coreos/etcd:v3.5.0", "quay.io/coreos/etcd:v3.5.0"),
        ("Registry.Example.com/a", "Registry.Example.com/a:latest", "Registry.Example.com/a:latest"),
        ("[::1]:5000/img:1", "[::1]:5000/img:1", "[::1]:5000/img:1"),
        ("a-b__c_d/f--g.h:T_a.g-1", "docker.io/a-b__c_d/f--g.h:T_a.g-1", "a-b__c_d/f--g.h:T_a.g-1"),
    ]

    @Test(arguments: valid)
    func normalises(input: String, full: String, familiar: String) throws {
        let ref = try Reference.parseDocker(input)
        #expect(ref.description == full)
        #expect(ref.familiarString == familiar)
    }

    @Test func digestOnlyGetsNoDefaultTag() throws {
        let ref = try Reference.parseDocker("host:5000/a/b:tag@sha256:\(Self.hex)")
        #expect(ref.domain == "host:5000")
        #expect(ref.path == "a/b")
        #expect(ref.tag == "tag")
        #expect(ref.digest?.encoded == Self.hex)
        let byDigest = try Reference.parseDocker("ubuntu@sha256:\(Self.hex)")
        #expect(byDigest.tag == nil)
        #expect(byDigest.familiarString == "ubuntu@sha256:\(Self.hex)")
        #expect(byDigest.description == "docker.io/library/ubuntu@sha256:\(Self.hex)")
    }

    @Test func withoutDefaultTag() throws {
        let ref = try Reference(parsing: "ubuntu")
        #expect(ref.tag == nil)
        #expect(ref.familiarName == "ubuntu")
        #expect(ref.name == "docker.io/library/ubuntu")
        #expect(ref.with(tag: "x").description == "docker.io/library/ubuntu:x")
    }

    static let invalid: [(String, String)] = [
        ("", "invalid reference format"),
        ("a.b_c/d", "invalid reference format"),
        (":", "invalid reference format"),
        ("UPPER", "invalid reference format: repository name (library/UPPER) must be lowercase"),
        ("user/UPPER:tag", "invalid reference format: repository name (user/UPPER) must be lowercase"),
        ("a:b:c", "invalid reference format"),
        ("a/", "invalid reference format"),
        ("/a", "invalid reference format"),
        ("a//b", "invalid reference format"),
        ("a..b", "invalid reference format"),
        ("a_-b", "invalid reference format"),
        ("-a", "invalid reference format"),
        ("a:-tag", "invalid reference format"),
        ("a:" + String(repeating: "t", count: 129), "invalid reference format"),
        ("a@sha256:abc", "invalid reference format"),
        ("a@sha256:" + String(repeating: "a", count: 63), "invalid checksum digest length"),
        ("a@md5:" + String(repeating: "a", count: 32), "unsupported digest algorithm"),
        ("a@sha256:" + String(repeating: "A", count: 64), "invalid checksum digest format"),
        (hex, "invalid repository name (\(hex)), cannot specify 64-byte hexadecimal strings"),
        ("docker.io/" + String(repeating: "a", count: 250), "repository name must not be more than 255 characters"),
        ("host:port/a", "invalid reference format"),
        ("a b", "invalid reference format"),
    ]

    @Test(arguments: invalid)
    func rejects(input: String, message: String) {
        #expect {
            _ = try Reference.parseDocker(input)
        } throws: { error in
            (error as? ReferenceError)?.description == message
        }
    }

    @Test func tagMayBe128Long() throws {
        let tag = String(repeating: "t", count: 128)
        #expect(try Reference.parseDocker("a:" + tag).tag == tag)
    }

    @Test func splitDomain() {
        #expect(ReferenceGrammar.splitDockerDomain("foo/bar") == ("docker.io", "foo/bar"))
        #expect(ReferenceGrammar.splitDockerDomain("foo") == ("docker.io", "library/foo"))
        #expect(ReferenceGrammar.splitDockerDomain("Foo/bar") == ("Foo", "bar"))
        #expect(ReferenceGrammar.splitDockerDomain("localhost/bar") == ("localhost", "bar"))
        #expect(ReferenceGrammar.splitDockerDomain("a.b/c") == ("a.b", "c"))
    }
}

@Suite struct ReferenceGrammarTests {
    @Test func emptyNameInPlainParse() {
        #expect(throws: ReferenceError.nameEmpty) { _ = try ReferenceGrammar.parse("") }
        #expect(throws: ReferenceError.nameContainsUppercase) { _ = try ReferenceGrammar.parse("a/B") }
    }

    @Test func plainParseSplitsDomain() throws {
        let p = try ReferenceGrammar.parse("foo/bar:1")
        #expect(p.domain == "foo")
        #expect(p.path == "bar")
        #expect(try ReferenceGrammar.parse("bar").domain == nil)
    }
}
