import BerthOCI
@testable import BerthRegistry
import Foundation
import Testing

@Suite struct RegistryHostTests {
    @Test func dockerHubMapsToRegistryOne() {
        let h = RegistryHost(domain: "docker.io")
        #expect(h.baseURL == "https://registry-1.docker.io")
        #expect(h.credentialKey == "https://index.docker.io/v1/")
        #expect(RegistryHost(domain: "index.docker.io").isDockerHub)
    }

    @Test(arguments: [
        ("localhost", "http"), ("localhost:5000", "http"), ("127.0.0.1:5000", "http"), ("127.1.2.3", "http"),
        ("[::1]:5000", "http"), ("ghcr.io", "https"), ("10.1.2.3:5000", "https"), ("128.0.0.1", "https"),
        ("localhost.example.com", "https"),
    ])
    func schemes(domain: String, scheme: String) {
        #expect(RegistryHost(domain: domain).scheme == scheme)
    }

    @Test func insecureRegistriesByNameAndCIDR() {
        #expect(RegistryHost(domain: "reg.lan:5000", insecure: ["reg.lan:5000"]).scheme == "http")
        #expect(RegistryHost(domain: "reg.lan:5000", insecure: ["reg.lan"]).scheme == "http")
        #expect(RegistryHost(domain: "10.1.2.3:5000", insecure: ["10.0.0.0/8"]).scheme == "http")
        #expect(RegistryHost(domain: "11.1.2.3:5000", insecure: ["10.0.0.0/8"]).scheme == "https")
    }
}

@Suite struct AuthChallengeTests {
    @Test func bearerWithQuotedParams() {
        let c = AuthChallenge.parse([
            #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push""#,
        ])
        #expect(c.count == 1)
        #expect(c[0].scheme == "bearer")
        #expect(c[0].parameters["realm"] == "https://auth.docker.io/token")
        #expect(c[0].parameters["service"] == "registry.docker.io")
        #expect(c[0].parameters["scope"] == "repository:library/busybox:pull,push")
    }

    @Test func severalChallengesAndEscapes() {
        let c = AuthChallenge.parse([#"Basic realm="a \"b\"", Bearer realm=x,error=insufficient_scope"#])
        #expect(c.map(\.scheme) == ["basic", "bearer"])
        #expect(c[0].parameters["realm"] == #"a "b""#)
        #expect(c[1].parameters["error"] == "insufficient_scope")
    }
}

@Suite struct RegistryErrorTests {
    let ref = try! Reference.parseDocker("nosuch/image")

    @Test func errorBodyIsWordedAsDocker() {
        let body = Array(#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#.utf8)
        let e = RegistryError.fromResponse(status: 401, reason: "Unauthorized", body: body, challenges: [])
        #expect(e.kind == .unauthorized)
        #expect(e.description == "unauthorized: authentication required")
    }

    @Test func insufficientScopeIsPullAccessDenied() {
        let challenge = AuthChallenge.parse([#"Bearer realm="r",error="insufficient_scope""#])
        let body = Array(#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.utf8)
        let e = RegistryError.fromResponse(status: 401, reason: "Unauthorized", body: body, challenges: challenge).forPull(of: ref)
        #expect(e.kind == .denied)
        #expect(e.description == "pull access denied for nosuch/image, repository does not exist or may require 'docker login': "
            + "denied: requested access to the resource is denied")
    }

    @Test func manifestUnknownNamesTheTag() {
        let body = Array(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#.utf8)
        let e = RegistryError.fromResponse(status: 404, reason: "Not Found", body: body, challenges: []).forPull(of: ref)
        #expect(e.kind == .notFound)
        #expect(e.description == "manifest for nosuch/image:latest not found: manifest unknown: manifest unknown")
    }

    @Test func bare401AndOtherStatuses() {
        #expect(RegistryError.fromResponse(status: 401, reason: "Unauthorized", body: [], challenges: []).description
            == "unauthorized: authentication required")
        let e = RegistryError.fromResponse(status: 502, reason: "Bad Gateway", body: Array("oops".utf8), challenges: [])
        #expect(e.kind == .unavailable)
        #expect(e.description == "unexpected status from registry: 502 Bad Gateway")
    }
}

@Suite struct DockerConfigFileTests {
    @Test func storeKeepsOtherKeysAndRemoveForgets() throws {
        let dir = TempDir()
        let path = dir.sub("docker/config.json")
        try FileManager.default.createDirectory(atPath: dir.sub("docker"), withIntermediateDirectories: true)
        try #"{"auths":{"other:1":{"auth":"eDp5"}},"psFormat":"table {{.ID}}","proxies":{"default":{"httpProxy":"p"}}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let file = DockerConfigFile(path: path)
        let host = RegistryHost(domain: "127.0.0.1:5000")
        #expect(try file.credentials(for: host) == nil)
        try file.store(RegistryCredentials(username: "u", password: "p:w"), for: host)
        #expect(try file.credentials(for: host) == RegistryCredentials(username: "u", password: "p:w"))
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        #expect(doc["psFormat"] as? String == "table {{.ID}}")
        #expect((doc["proxies"] as? [String: Any]) != nil)
        let auths = doc["auths"] as! [String: Any]
        #expect((auths["127.0.0.1:5000"] as? [String: Any])?["auth"] as? String == "dTpwOnc=")
        #expect(try file.credentials(for: RegistryHost(domain: "other:1")) == RegistryCredentials(username: "x", password: "y"))
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(try file.remove(for: host))
        #expect(try file.credentials(for: host) == nil)
        #expect(try !file.remove(for: host))
    }

    @Test func dockerHubKeyAndURLKeys() throws {
        let dir = TempDir()
        let file = DockerConfigFile(path: dir.sub("config.json"))
        try file.store(RegistryCredentials(username: "hub", password: "pw"), for: RegistryHost(domain: "docker.io"))
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        #expect(text.contains("https://index.docker.io/v1/"))
        try #"{"auths":{"https://reg.example.com/v2/":{"auth":"YTpi"}}}"#.write(toFile: file.path, atomically: true, encoding: .utf8)
        #expect(try file.credentials(for: RegistryHost(domain: "reg.example.com")) == RegistryCredentials(username: "a", password: "b"))
    }

    @Test func defaultPathHonoursDockerConfig() {
        #expect(DockerConfigFile.defaultPath(environment: ["DOCKER_CONFIG": "/x", "HOME": "/h"]) == "/x/config.json")
        #expect(DockerConfigFile.defaultPath(environment: ["HOME": "/h"]) == "/h/.docker/config.json")
    }
}

@Suite struct SearchTermTests {
    @Test func splitsRegistryFromTerm() {
        #expect(RegistryClient.splitSearchTerm("busybox") == ("docker.io", "busybox"))
        #expect(RegistryClient.splitSearchTerm("user/app") == ("docker.io", "user/app"))
        #expect(RegistryClient.splitSearchTerm("127.0.0.1:5000/app") == ("127.0.0.1:5000", "app"))
        #expect(RegistryClient.splitSearchTerm("localhost/app") == ("localhost", "app"))
    }

    @Test func linkHeader() {
        #expect(RegistryClient.nextLink([#"</v2/_catalog?last=b&n=2>; rel="next""#]) == "/v2/_catalog?last=b&n=2")
        #expect(RegistryClient.nextLink([]) == nil)
    }
}

@Suite struct DigestVerifierTests {
    @Test func acceptsMatchingAndRejectsOthers() throws {
        let bytes = Array("hello".utf8)
        let good = Digest(sha256Hex: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        var v = DigestVerifier(expecting: good, size: 5)
        try v.update(bytes)
        try v.finish()
        var short = DigestVerifier(expecting: good, size: 6)
        try short.update(bytes)
        #expect(throws: RegistryError.self) { try short.finish() }
        var long = DigestVerifier(expecting: good, size: 4)
        #expect(throws: RegistryError.self) { try long.update(bytes) }
        var wrong = DigestVerifier(expecting: Digest(sha256Hex: String(repeating: "0", count: 64)), size: 5)
        try wrong.update(bytes)
        let e = #expect(throws: RegistryError.self) { try wrong.finish() }
        #expect(e?.kind == .digestMismatch)
    }
}

@Suite struct ProgressTests {
    @Test func streamDeliversEventsInOrder() async {
        let (stream, handler, finish) = ProgressEvent.makeStream()
        let d = Digest(sha256Hex: String(repeating: "ab", count: 32))
        handler(ProgressEvent(id: ProgressEvent.shortID(d), status: .downloading, current: 1, total: 2))
        handler(ProgressEvent(id: ProgressEvent.shortID(d), status: .mounted, from: "library/x"))
        finish()
        var seen: [ProgressEvent] = []
        for await e in stream { seen.append(e) }
        #expect(seen.map(\.id) == ["abababababab", "abababababab"])
        #expect(seen.map(\.statusText) == ["Downloading", "Mounted from library/x"])
    }
}
