import BerthImage
import BerthOCI
import BerthRegistry
import Foundation

/// A client that reads no `config.json`, shut down after `body` whatever happens.
@discardableResult
func withClient<T>(_ configuration: RegistryClient.Configuration = .init(credentials: RegistryClient.Configuration.noCredentials),
                   _ body: (RegistryClient) async throws -> T) async throws -> T {
    let client = RegistryClient(configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// What the engine's pull does with the library: resolve, then each blob streamed into a
/// verified content-store ingest, then the manifests.
@discardableResult
func pullIntoStore(_ repo: RegistryRepository, _ tag: String, _ store: any ContentStore, platform: Platform = .current,
                   progress: ProgressHandler? = nil) async throws -> PulledManifest {
    let pulled = try await repo.pullManifest(tag, platform: platform)
    for d in [pulled.image.config] + pulled.image.layers where !store.contains(d.digest) {
        try await downloadIntoStore(repo, d, store, progress: progress)
    }
    if let index = pulled.index { try store.write(index.bytes, expecting: index.descriptor.digest) }
    try store.write(pulled.manifest.bytes, expecting: pulled.manifest.descriptor.digest)
    return pulled
}

/// One blob into the store; the ingest is aborted on any failure.
func downloadIntoStore(_ repo: RegistryRepository, _ d: Descriptor, _ store: any ContentStore,
                       progress: ProgressHandler? = nil) async throws {
    let w = try store.writer(expecting: d.digest, size: d.size)
    do {
        try await repo.download(d, progress: progress) { try w.write($0) }
        try w.commit()
    } catch {
        w.abort()
        throw error
    }
}

/// What the engine's push does: blobs (config first), then the manifest under `tag`.
@discardableResult
func pushFixture(_ repo: RegistryRepository, _ image: ImageFixture, tag: String, chunkSize: Int? = nil,
                 mountFrom: [String] = [], progress: ProgressHandler? = nil) async throws -> (Digest, [BlobPushOutcome]) {
    var outcomes: [BlobPushOutcome] = []
    for d in [image.config] + image.layers {
        outcomes.append(try await repo.pushBlob(d, from: .bytes(image.blobs[d.digest]!), mountFrom: mountFrom,
                                                chunkSize: chunkSize, progress: progress))
    }
    let digest = try await repo.putManifest(image.manifestBytes, mediaType: MediaType.ociManifest, reference: tag)
    return (digest, outcomes)
}

/// Collects progress events from any task.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ProgressEvent] = []
    var handler: ProgressHandler { { [self] e in lock.lock(); events.append(e); lock.unlock() } }
    var all: [ProgressEvent] { lock.lock(); defer { lock.unlock() }; return events }
}

/// `skopeo inspect` output, the parts compared.
struct SkopeoInspect: Decodable {
    var Digest: String
    var Layers: [String]
}

func skopeoInspect(_ ref: String, creds: String? = nil) throws -> SkopeoInspect {
    var args = ["--insecure-policy", "inspect", "--tls-verify=false"]
    if let creds { args += ["--creds", creds] }
    let out = try run(Tools.skopeo, args + ["docker://" + ref])
    return try JSONDecoder().decode(SkopeoInspect.self, from: Data(out.utf8))
}

func skopeoRawManifest(_ ref: String) throws -> [UInt8] {
    Array(try run(Tools.skopeo, ["--insecure-policy", "inspect", "--raw", "--tls-verify=false", "docker://" + ref]).utf8)
}
