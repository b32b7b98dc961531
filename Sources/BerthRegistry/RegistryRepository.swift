import AsyncHTTPClient
import BerthDigest
import BerthOCI
import NIOCore
import NIOHTTP1

/// One repository of one registry (`127.0.0.1:5000/team/app`), with the credentials to use
/// for it. Made by `RegistryClient.repository(_:credentials:)`; cheap to copy.
public struct RegistryRepository: Sendable {
    /// The client that sends the requests.
    public let client: RegistryClient
    /// The registry.
    public let host: RegistryHost
    /// The repository's path in the registry: `library/busybox`.
    public let path: String
    /// The credentials answering challenges; nil for anonymous access.
    public let credentials: RegistryCredentials?

    /// Manifest media types asked for, best first: OCI index and Docker list (so multi-platform
    /// images come as indexes), then single manifests. Schema1 is not asked for.
    public static let manifestAccept = [
        MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.dockerManifest,
    ]

    /// Largest manifest accepted, as containerd's limit.
    public static let manifestSizeLimit = 4 << 20

    /// `scheme://host/v2/<path>`.
    var apiBase: String { host.baseURL + "/v2/" + path }

    /// The repository as a reference (for messages).
    public var reference: Reference { Reference(domain: host.domain, path: path) }

    func send(_ request: RegistryClient.Request, push: Bool = false, extraScopes: [String] = []) async throws -> HTTPClientResponse {
        let scopes = [push ? RegistryScope.push(path) : RegistryScope.pull(path)] + extraScopes
        return try await client.send(request, host: host, scopes: scopes, credentials: credentials)
    }

    // MARK: - Manifests

    /// `HEAD /v2/<name>/manifests/<tag|digest>`: the manifest's descriptor without its body.
    /// Falls back to GET when the registry sends no `Docker-Content-Digest`.
    public func resolve(_ tagOrDigest: String) async throws -> Descriptor {
        let url = apiBase + "/manifests/" + tagOrDigest
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: Self.manifestAccept.joined(separator: ", "))
        let response = try await send(.init(.HEAD, url, headers: headers))
        do {
            try await client.expect(response, [200], method: "HEAD")
        } catch let e as RegistryError {
            throw e.status == 404 && e.errors.isEmpty
                ? RegistryError(.notFound, "manifest for \(display(tagOrDigest)) not found: manifest unknown: manifest unknown",
                                status: 404, errors: [RegistryErrorEntry(code: "MANIFEST_UNKNOWN", message: nil)])
                : e.forPull(of: reference(tagOrDigest))
        }
        let type = response.headers.first(name: "Content-Type").map(Self.bareMediaType)
        if let d = response.headers.first(name: "Docker-Content-Digest").flatMap({ try? Digest(parsing: $0) }),
           let size = response.headers.first(name: "Content-Length").flatMap({ Int64($0) }),
           let type, MediaType.isManifest(type) || MediaType.isIndex(type) {
            return Descriptor(mediaType: type, digest: d, size: size)
        }
        return try await fetchManifest(tagOrDigest).descriptor
    }

    /// `GET /v2/<name>/manifests/<tag|digest>`: the manifest or index and its descriptor.
    /// The digest is computed from the bytes; when `tagOrDigest` is a digest the bytes must
    /// have it, and a `Docker-Content-Digest` header must agree. Schema1 manifests are refused.
    public func fetchManifest(_ tagOrDigest: String) async throws -> FetchedManifest {
        let url = apiBase + "/manifests/" + tagOrDigest
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: Self.manifestAccept.joined(separator: ", "))
        let response = try await send(.init(.GET, url, headers: headers))
        do {
            try await client.expect(response, [200], method: "GET")
        } catch let e as RegistryError {
            throw e.forPull(of: reference(tagOrDigest))
        }
        let bytes = try await client.collect(response, limit: Self.manifestSizeLimit, what: "manifest \(display(tagOrDigest))")
        let digest = Digest.sha256(of: bytes)
        if let wanted = try? Digest(parsing: tagOrDigest), wanted != digest {
            throw RegistryError(.digestMismatch, "manifest verification failed for digest \(wanted)")
        }
        if let header = response.headers.first(name: "Docker-Content-Digest").flatMap({ try? Digest(parsing: $0) }),
           header.algorithm == "sha256", header != digest {
            throw RegistryError(.digestMismatch, "manifest verification failed for digest \(header)")
        }
        let probe = try? ManifestProbe(bytes)
        let headerType = response.headers.first(name: "Content-Type").map(Self.bareMediaType)
        if probe?.schemaVersion == 1 || headerType?.hasPrefix("application/vnd.docker.distribution.manifest.v1") == true {
            throw RegistryError(.unsupported, "schema1 manifests are not supported: \(reference(tagOrDigest).familiarString) "
                + "uses Docker Image manifest version 2, schema 1; ask its author to push it as OCI or Docker schema 2")
        }
        let declared = probe?.detectedMediaType
        let type = [headerType, declared].compactMap { $0 }.first { MediaType.isManifest($0) || MediaType.isIndex($0) }
        guard let type else {
            throw RegistryError(.unsupported, "unsupported manifest media type \(headerType ?? declared ?? "(none)") for \(display(tagOrDigest))")
        }
        return FetchedManifest(descriptor: Descriptor(mediaType: type, digest: digest, size: Int64(bytes.count)), bytes: bytes)
    }

    /// Resolves `tagOrDigest` to one platform's image: fetches the manifest, and when it is an
    /// index, the entry best matching `platform` (see `ImageIndex.manifest(for:)`).
    ///
    /// Errors: `no matching manifest for linux/amd64 in the manifest list entries`, or the
    /// registry's, worded as `docker pull` words them (`RegistryError.forPull(of:)`).
    public func pullManifest(_ tagOrDigest: String, platform: Platform = .current) async throws -> PulledManifest {
        var top = try await fetchManifest(tagOrDigest)
        var index: FetchedManifest?
        var depth = 0
        while MediaType.isIndex(top.descriptor.mediaType) {
            depth += 1
            guard depth <= 2 else { throw RegistryError(.unsupported, "nested image indexes are not supported") }
            let parsed: ImageIndex
            do { parsed = try OCIJSON.decode(ImageIndex.self, from: top.bytes) } catch {
                throw RegistryError(.invalid, "invalid image index \(top.descriptor.digest): \(OCIJSON.describe(error))")
            }
            guard let entry = parsed.manifest(for: platform) else {
                throw RegistryError(.notFound, "no matching manifest for \(platform) in the manifest list entries")
            }
            if index == nil { index = top }
            top = try await fetchManifest(entry.digest.description)
        }
        let manifest: ImageManifest
        do { manifest = try OCIJSON.decode(ImageManifest.self, from: top.bytes) } catch {
            throw RegistryError(.invalid, "invalid image manifest \(top.descriptor.digest): \(OCIJSON.describe(error))")
        }
        return PulledManifest(index: index, manifest: top, image: manifest)
    }

    /// What a reference names in its repository: its digest when it has one (`name:tag@digest`
    /// pulls by digest, as Docker does), else its tag, else `latest`.
    public static func tagOrDigest(of reference: Reference) -> String {
        reference.digest?.description ?? reference.tag ?? Reference.defaultTag
    }

    /// `pullManifest` for what `reference` names (see `tagOrDigest(of:)`).
    public func pullManifest(_ reference: Reference, platform: Platform = .current) async throws -> PulledManifest {
        try await pullManifest(Self.tagOrDigest(of: reference), platform: platform)
    }

    /// `name:tag` or `name@digest` for messages.
    func reference(_ tagOrDigest: String) -> Reference {
        if let d = try? Digest(parsing: tagOrDigest) { return reference.with(digest: d) }
        return reference.with(tag: tagOrDigest)
    }

    func display(_ tagOrDigest: String) -> String { reference(tagOrDigest).familiarString }

    /// `application/json; charset=utf-8` → `application/json`.
    static func bareMediaType(_ header: String) -> String {
        String(header.split(separator: ";", maxSplits: 1).first ?? "").trimmed(" ")
    }
}

/// A manifest or index as the registry sent it.
public struct FetchedManifest: Sendable, Hashable {
    /// Its media type, digest (computed from the bytes) and size.
    public var descriptor: Descriptor
    /// The exact bytes, to store as a blob under `descriptor.digest`.
    public var bytes: [UInt8]
}

/// What `pullManifest` resolved a reference to.
public struct PulledManifest: Sendable, Hashable {
    /// The index the manifest was picked from, when the reference named an index.
    public var index: FetchedManifest?
    /// The platform's image manifest.
    public var manifest: FetchedManifest
    /// `manifest` parsed.
    public var image: ImageManifest
    /// The digest `docker pull` prints (`Digest: sha256:…`): the index's if any, else the manifest's.
    public var digest: Digest { (index ?? manifest).descriptor.digest }
}

extension String {
    func trimmed(_ set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
