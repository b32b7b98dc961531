import AsyncHTTPClient
import BerthDigest
import BerthOCI
import NIOCore
import NIOHTTP1

/// How `pushBlob` got a blob into the repository.
public enum BlobPushOutcome: Sendable, Hashable {
    /// The repository had it already.
    case alreadyExists
    /// The registry mounted it from another repository (named).
    case mounted(from: String)
    /// Its bytes were uploaded.
    case uploaded
}

extension RegistryRepository {
    /// `HEAD /v2/<name>/blobs/<digest>`: the blob's size when the repository has it, nil when not.
    public func blobExists(_ digest: Digest) async throws -> Int64? {
        let response = try await send(.init(.HEAD, apiBase + "/blobs/" + digest.description), push: true)
        if response.status == .notFound { return nil }
        try await client.expect(response, [200], method: "HEAD")
        return response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
    }

    /// Cross-repository mount, `POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>`.
    /// Returns nil when the registry mounted the blob (201); otherwise the registry has opened
    /// an upload session instead (202), whose location is returned for `upload(…, session:)`.
    public func mountBlob(_ digest: Digest, from repository: String) async throws -> String? {
        let url = apiBase + "/blobs/uploads/?mount=" + queryEscape(digest.description) + "&from=" + queryEscape(repository)
        let response = try await send(.init(.POST, url, headers: ["Content-Length": "0"]), push: true,
                                      extraScopes: [RegistryScope.pull(repository)])
        try await client.expect(response, [201, 202], method: "POST")
        _ = try? await response.body.collect(upTo: 1 << 16)
        if response.status == .created { return nil }
        return try location(response)
    }

    /// Opens an upload session, `POST /v2/<name>/blobs/uploads/`; returns its location.
    public func startUpload() async throws -> String {
        let response = try await send(.init(.POST, apiBase + "/blobs/uploads/", headers: ["Content-Length": "0"]), push: true)
        try await client.expect(response, [202], method: "POST")
        _ = try? await response.body.collect(upTo: 1 << 16)
        return try location(response)
    }

    /// Uploads a blob's bytes and completes the upload with its digest. With `chunkSize`, the
    /// bytes go in `PATCH` requests of that size (`Content-Range: start-end`) and a final empty
    /// `PUT ?digest=`; without, in one `PUT ?digest=` (monolithic). `session` continues an
    /// upload opened by `mountBlob` or `startUpload`. Returns the digest the registry reports.
    ///
    /// Progress: `Pushing` (current/total) as bytes go out.
    @discardableResult
    public func upload(_ digest: Digest, from source: BlobSource, session: String? = nil, chunkSize: Int? = nil,
                       progress: ProgressHandler? = nil) async throws -> Digest {
        var location: String
        if let session { location = session } else { location = try await startUpload() }
        let meter = ProgressMeter(progress, digest: digest, status: .pushing, total: source.size)
        let octets: HTTPHeaders = ["Content-Type": "application/octet-stream"]
        var final = RegistryClient.Request(.PUT, Self.appending(digest: digest, to: location))
        if let chunkSize, chunkSize > 0, source.size > 0 {
            var offset: Int64 = 0
            while offset < source.size {
                let end = min(offset + Int64(chunkSize), source.size)
                var headers = octets
                headers.add(name: "Content-Range", value: "\(offset)-\(end - 1)")
                let response = try await send(.init(.PATCH, location, headers: headers,
                                                    body: .source(source, range: offset..<end, progress: { meter.advance($0) })),
                                              push: true)
                try await client.expect(response, [202], method: "PATCH")
                _ = try? await response.body.collect(upTo: 1 << 16)
                location = try self.location(response)
                offset = end
            }
            final = .init(.PUT, Self.appending(digest: digest, to: location), headers: ["Content-Length": "0"])
        } else {
            final.headers = octets
            final.body = .source(source, range: 0..<source.size, progress: { meter.advance($0) })
        }
        let response = try await send(final, push: true)
        try await client.expect(response, [201], method: "PUT")
        _ = try? await response.body.collect(upTo: 1 << 16)
        let reported = response.headers.first(name: "Docker-Content-Digest").flatMap { try? Digest(parsing: $0) } ?? digest
        guard reported == digest else {
            throw RegistryError(.digestMismatch, "registry stored blob \(reported), expected \(digest)")
        }
        return reported
    }

    /// Puts a blob into the repository the cheapest way, as `docker push` does: nothing if it is
    /// there, a cross-repository mount from one of `mountFrom` (repositories of the same
    /// registry), else an upload (see `upload` for `chunkSize`).
    ///
    /// Progress: `Layer already exists`, `Mounted from <repo>`, or `Pushing`… then `Pushed`.
    @discardableResult
    public func pushBlob(_ descriptor: Descriptor, from source: BlobSource, mountFrom: [String] = [],
                         chunkSize: Int? = nil, progress: ProgressHandler? = nil) async throws -> BlobPushOutcome {
        let id = ProgressEvent.shortID(descriptor.digest)
        guard source.size == descriptor.size else {
            throw RegistryError(.invalid, "blob \(descriptor.digest) has \(source.size) bytes, its descriptor says \(descriptor.size)")
        }
        if try await blobExists(descriptor.digest) != nil {
            progress?(ProgressEvent(id: id, status: .layerAlreadyExists))
            return .alreadyExists
        }
        var session: String?
        for from in mountFrom where from != path {
            if let opened = try await mountBlob(descriptor.digest, from: from) {
                session = opened   // not mountable from there; keep the session for the upload
                break
            }
            progress?(ProgressEvent(id: id, status: .mounted, from: from))
            return .mounted(from: from)
        }
        progress?(ProgressEvent(id: id, status: .preparing))
        try await upload(descriptor.digest, from: source, session: session, chunkSize: chunkSize, progress: progress)
        progress?(ProgressEvent(id: id, status: .pushed))
        return .uploaded
    }

    /// `PUT /v2/<name>/manifests/<tag|digest>` with `Content-Type: mediaType`. Returns the digest
    /// the registry reports (`Docker-Content-Digest`), which must be the bytes' sha256.
    @discardableResult
    public func putManifest(_ bytes: [UInt8], mediaType: String, reference tagOrDigest: String) async throws -> Digest {
        let computed = Digest.sha256(of: bytes)
        let response = try await send(.init(.PUT, apiBase + "/manifests/" + tagOrDigest,
                                            headers: ["Content-Type": mediaType], body: .bytes(bytes)), push: true)
        try await client.expect(response, [201, 200], method: "PUT")
        _ = try? await response.body.collect(upTo: 1 << 16)
        let reported = response.headers.first(name: "Docker-Content-Digest").flatMap { try? Digest(parsing: $0) } ?? computed
        guard reported == computed else {
            throw RegistryError(.digestMismatch, "registry stored manifest \(reported), expected \(computed)")
        }
        return reported
    }

    /// The absolute URL of a response's `Location` (absolute, or a path on the registry).
    func location(_ response: HTTPClientResponse) throws -> String {
        guard let loc = response.headers.first(name: "Location"), !loc.isEmpty else {
            throw RegistryError(.invalid, "registry sent no upload location for \(reference)")
        }
        if loc.hasPrefix("http://") || loc.hasPrefix("https://") { return loc }
        return host.baseURL + (loc.hasPrefix("/") ? "" : "/") + loc
    }

    /// `location` with `digest=` added to its query.
    static func appending(digest: Digest, to location: String) -> String {
        location + (location.contains("?") ? "&" : "?") + "digest=" + queryEscape(digest.description)
    }
}
