import BerthImage
import BerthOCI
import BerthRegistry
import BerthSystem
import Foundation
import Testing

/// Basic auth against docker-registry with an htpasswd file; bearer tokens, refusals and
/// broken transfers against `fake_registry.py`.
@Suite(.serialized)
struct RegistryAuthTests {
    @Test(.needsRegistry, .needsHtpasswd) func htpasswdLoginPullLogout() async throws {
        let registry = try RegistryServer(htpasswd: ("berth", "s3cret"))
        defer { registry.stop() }
        let dir = TempDir()
        let image = try ImageFixture(seed: "private", dir: dir)
        let config = DockerConfigFile(path: dir.sub("docker/config.json"))
        try Files.mkdirAll(dir.sub("docker"))
        try Files.write(dir.sub("docker/config.json"), #"{"auths":{},"detachKeys":"ctrl-x"}"#)
        let ref = try Reference.parseDocker("\(registry.domain)/private/app:1")
        let store = try ContentStores.local(root: dir.sub("store"))

        // Push with explicit credentials, as the daemon does with X-Registry-Auth.
        try await withClient { client in
            try await pushFixture(client.repository(ref, credentials: RegistryCredentials(username: "berth", password: "s3cret")),
                                  image, tag: "1")
        }

        let fromFile = RegistryClient.Configuration(credentials: RegistryClient.Configuration.credentials(from: config))
        try await withClient(fromFile) { client in
            // Anonymous: refused.
            let anon = await #expect(throws: RegistryError.self) { try await pullIntoStore(client.repository(ref), "1", store) }
            #expect(anon?.kind == .unauthorized)
            #expect(anon?.description == "Get \"http://\(registry.domain)/v2/private/app/manifests/1\": no basic auth credentials")

            // Wrong password: login fails as Docker words it, and nothing is stored.
            let host = client.host(for: registry.domain)
            let bad = await #expect(throws: RegistryError.self) {
                try await client.login(host, credentials: RegistryCredentials(username: "berth", password: "nope"), configFile: config)
            }
            #expect(bad?.kind == .unauthorized)
            #expect(bad?.description == "login attempt to http://\(registry.domain)/v2/ failed with status: 401 Unauthorized")
            #expect(try config.credentials(for: host) == nil)

            #expect(try await client.login(host, credentials: RegistryCredentials(username: "berth", password: "s3cret"),
                                           configFile: config) == "Login Succeeded")
            let text = try Files.readString(config.path)
            #expect(text.contains("\"detachKeys\" : \"ctrl-x\""))
            #expect(text.contains(RegistryCredentials(username: "berth", password: "s3cret").basicToken))
            #expect(try await client.ping(host) == "basic")

            let pulled = try await pullIntoStore(client.repository(ref), "1", store)
            #expect(pulled.digest == image.manifest.digest)
            #expect(try store.read(image.layers[0].digest) == image.blobs[image.layers[0].digest])

            #expect(try await client.logout(host, configFile: config) == "Removing login credentials for \(registry.domain)")
            #expect(try config.credentials(for: host) == nil)
            #expect(try await client.logout(host, configFile: config) == "Not logged in to \(registry.domain)")
            let after = await #expect(throws: RegistryError.self) { try await client.repository(ref).pullManifest("1") }
            #expect(after?.kind == .unauthorized)
        }
    }

    @Test(.needsPython) func bearerTokensAreFetchedAndCached() async throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        try await withClient { client in
            let repo = client.repository(try Reference.parseDocker("\(fake.domain)/public/app:1"))
            // Unknown manifest, but only after a token was fetched and accepted.
            let e = await #expect(throws: RegistryError.self) { try await repo.fetchManifest("1") }
            #expect(e?.kind == .notFound)
            #expect(e?.description == "manifest for \(fake.domain)/public/app:1 not found: manifest unknown: manifest unknown")
            _ = try? await repo.fetchManifest("2")
            _ = try? await repo.fetchManifest("3")
            #expect(try await tokenRequests(fake) == 1)   // one token for the scope, reused

            // Private repositories need credentials at the token server.
            let priv = client.repository(try Reference.parseDocker("\(fake.domain)/private/app:1"))
            let denied = await #expect(throws: RegistryError.self) { try await priv.pullManifest("1") }
            #expect(denied?.kind == .denied)
            #expect(denied?.description == "pull access denied for \(fake.domain)/private/app, repository does not exist "
                + "or may require 'docker login': denied: requested access to the resource is denied")
            let alice = client.repository(try Reference.parseDocker("\(fake.domain)/private/app:1"),
                                          credentials: RegistryCredentials(username: "alice", password: "secret"))
            let notFound = await #expect(throws: RegistryError.self) { try await alice.pullManifest("1") }
            #expect(notFound?.kind == .notFound)
            let wrong = client.repository(try Reference.parseDocker("\(fake.domain)/private/app:1"),
                                          credentials: RegistryCredentials(username: "alice", password: "guess"))
            let refused = await #expect(throws: RegistryError.self) { try await wrong.pullManifest("1") }
            #expect(refused?.kind == .unauthorized)
            #expect(refused?.description == "unauthorized: incorrect username or password")

            // Login against a bearer registry checks the credentials at the token server.
            let host = client.host(for: fake.domain)
            try await client.verifyLogin(host, credentials: RegistryCredentials(username: "alice", password: "secret"))
            await #expect(throws: RegistryError.self) {
                try await client.verifyLogin(host, credentials: RegistryCredentials(username: "alice", password: "x"))
            }
        }
    }

    @Test(.needsPython) func schema1RedirectsTruncationAndSearch() async throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let dir = TempDir()
        let quickRetries = RegistryClient.Configuration(credentials: RegistryClient.Configuration.noCredentials,
                                                        downloadRetries: 2, retryDelay: .milliseconds(10))
        try await withClient(quickRetries) { client in
            let old = client.repository(try Reference.parseDocker("\(fake.domain)/old:1"))
            let e = await #expect(throws: RegistryError.self) { try await old.pullManifest("1") }
            #expect(e?.kind == .unsupported)
            #expect(e?.description.hasPrefix("schema1 manifests are not supported: \(fake.domain)/old:1") == true)

            // A blob behind a redirect to the storage backend.
            let blob = Array("hello from the storage backend\n".utf8)
            let d = Descriptor(mediaType: MediaType.ociLayer, digest: Digest.sha256(of: blob), size: Int64(blob.count))
            let store = try ContentStores.local(root: dir.sub("store"))
            try await downloadIntoStore(client.repository(try Reference.parseDocker("\(fake.domain)/redir:1")), d, store)
            #expect(try store.read(d.digest) == blob)

            // A transfer cut short leaves nothing committed and no ingest behind.
            let cut = Descriptor(mediaType: MediaType.ociLayer, digest: Digest(sha256Hex: String(repeating: "a", count: 64)), size: 1000)
            let trunc = client.repository(try Reference.parseDocker("\(fake.domain)/trunc:1"))
            let broken = await #expect(throws: RegistryError.self) { try await downloadIntoStore(trunc, cut, store) }
            #expect(broken?.kind == .unavailable)
            #expect(!store.contains(cut.digest))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.sub("store/content/ingest")).isEmpty)

            // A broken transfer is resumed with a Range request, or fetched again whole when the
            // registry ignores ranges.
            let flakyBlob = (0..<64).flatMap { _ in (0...255).map { UInt8($0) } }
            let flakyDesc = Descriptor(mediaType: MediaType.ociLayer, digest: Digest.sha256(of: flakyBlob), size: Int64(flakyBlob.count))
            for name in ["flaky", "norange"] {
                let log = ProgressLog()
                let repo = client.repository(try Reference.parseDocker("\(fake.domain)/\(name):1"))
                try await downloadIntoStore(repo, flakyDesc, store, progress: log.handler)
                #expect(try store.read(flakyDesc.digest) == flakyBlob)
                #expect(try await stat(fake, "gets:\(name)") == 2)
                #expect(log.all.last(where: { $0.status == .downloading })?.current == flakyDesc.size)
                try store.delete(flakyDesc.digest)
            }

            // The v1 search API where the registry has it.
            let rows = try await client.search("\(fake.domain)/redis", limit: 10)
            #expect(rows == [SearchResult(name: "fake/redis", description: "a fake image", starCount: 3, isOfficial: true)])
        }
    }

    @Test(.needsPython) func stalledTransferTimesOut() async throws {
        let fake = try FakeRegistry()
        defer { fake.stop() }
        let dir = TempDir()
        let config = RegistryClient.Configuration(credentials: RegistryClient.Configuration.noCredentials,
                                                  readTimeout: .seconds(1), downloadRetries: 0)
        try await withClient(config) { client in
            let store = try ContentStores.local(root: dir.sub("store"))
            let d = Descriptor(mediaType: MediaType.ociLayer, digest: Digest(sha256Hex: String(repeating: "b", count: 64)), size: 1000)
            let started = ContinuousClock.now
            let e = await #expect(throws: RegistryError.self) {
                try await downloadIntoStore(client.repository(try Reference.parseDocker("\(fake.domain)/stall:1")), d, store)
            }
            #expect(e?.kind == .unavailable)
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(!store.contains(d.digest))
        }
    }

    func tokenRequests(_ fake: FakeRegistry) async throws -> Int { try await stat(fake, "tokens") }

    func stat(_ fake: FakeRegistry, _ key: String) async throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: fake.statsFile))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Int])?[key] ?? -1
    }
}
