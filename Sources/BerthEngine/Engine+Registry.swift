#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthImage
import BerthOCI
import BerthRegistry
import BerthSystem

/// A pull whose manifest is resolved; `run` fetches and records the image.
public struct PendingPull: Sendable {
    let pull: ImagePull
    let manifest: PulledManifest

    /// Fetches, unpacks and records the image, sending progress; returns the image ID.
    public func run() async throws -> Digest {
        do { return try await pull.run(manifest) } catch { throw Engine.engineError(error) }
    }
}

/// A push whose image and manifest are found locally; `run` uploads.
public struct PendingPush: Sendable {
    let push: ImagePush

    /// Uploads the blobs and the manifest, sending progress.
    public func run() async throws {
        do { try await push.run() } catch { throw Engine.engineError(error) }
    }
}

extension Engine {
    /// The registry client, made on first use.
    func registry() -> RegistryClient {
        if let registryClient { return registryClient }
        let client = RegistryClient(configuration: .init(insecureRegistries: insecureRegistries, credentials: RegistryClient.Configuration.noCredentials,
                                                         userAgent: "berth/\(BerthVersionInfo.version)"))
        registryClient = client
        return client
    }

    /// Closes the registry client's connections; call before the engine goes away.
    public func shutdown() async {
        try? await registryClient?.shutdown()
        registryClient = nil
        restoreNetworks()
        network.removeAnchorsIfIdle()
    }

    /// `POST /images/create?fromImage=`: resolves `reference` to one platform's manifest.
    /// Errors here (no such manifest, refused credentials) are the request's status, as in
    /// Docker, where nothing has been streamed yet.
    public func preparePull(_ reference: Reference, platform: Platform?, credentials: RegistryCredentials?,
                            emit: @escaping ProgressSink) async throws -> PendingPull {
        let repository = registry().repository(reference, credentials: credentials)
        let manifest: PulledManifest
        do {
            manifest = try await repository.pullManifest(reference, platform: platform ?? .current)
        } catch {
            throw Engine.engineError(error)
        }
        let pull = ImagePull(reference: reference, repository: repository, content: content, images: images,
                             snapshots: snapshots, emit: emit, origins: BlobOrigins(root: dataRoot))
        return PendingPull(pull: pull, manifest: manifest)
    }

    /// `POST /images/{name}/push?tag=`: finds the local image `reference` names (with `tag`,
    /// or its own tag, or `latest`).
    public func preparePush(_ reference: Reference, credentials: RegistryCredentials?,
                            emit: @escaping ProgressSink) throws -> PendingPush {
        let tagged = reference.digest == nil ? reference.withDefaultTag() : reference
        let record: ImageRecord
        do { record = try images.resolve(tagged.description) } catch {
            throw EngineError.notFound("An image does not exist locally with the tag: \(reference.familiarName)")
        }
        guard let manifest = record.manifest else {
            throw EngineError.internalError("image \(record.id) has no manifest to push")
        }
        let repository = registry().repository(tagged, credentials: credentials)
        let push = ImagePush(reference: tagged, repository: repository, content: content, images: images,
                             manifest: manifest, emit: emit, mountSources: BlobOrigins(root: dataRoot))
        return PendingPush(push: push)
    }

    /// `POST /auth`: checks credentials against a registry; Docker's `Login Succeeded`.
    public func login(server: String, credentials: RegistryCredentials) async throws -> String {
        let host = registry().host(for: Self.registryDomain(server))
        do {
            try await registry().verifyLogin(host, credentials: credentials)
        } catch {
            throw Engine.engineError(error, login: true)
        }
        return "Login Succeeded"
    }

    /// `GET /images/search`: Docker's search results from the registry the term names.
    public func search(_ term: String, limit: Int, credentials: RegistryCredentials?) async throws -> [SearchResult] {
        do {
            return try await registry().search(term, limit: limit, credentials: credentials)
        } catch {
            throw Engine.engineError(error)
        }
    }

    /// `POST /images/create?fromSrc=URL`: fetches the tar to import into a new file at `path`.
    public func download(url: String, to path: String) async throws {
        let fd = try FD.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        defer { close(fd) }
        do {
            try await registry().fetch(url: url) { try FD.writeAll(fd, $0, path: path) }
        } catch {
            throw Engine.engineError(error)
        }
    }

    /// `https://index.docker.io/v1/`, `http://host:5000/v2/`, `host:5000` → the reference domain.
    static func registryDomain(_ server: String) -> String {
        var s = Substring(server)
        for scheme in ["https://", "http://"] where s.hasPrefix(scheme) { s = s.dropFirst(scheme.count) }
        if let slash = s.firstIndex(of: "/") { s = s[..<slash] }
        if s.isEmpty || s == "index.docker.io" || s == "registry-1.docker.io" { return Reference.defaultDomain }
        return String(s)
    }

    /// Registry, store and archive failures as the engine's, with Docker's status for each.
    /// Only a login answers 401: the docker CLI takes a 401 from pull or push as a cue to
    /// prompt for credentials, so those report refused access as Docker does (moby's
    /// `translatePullError`): `denied` as not found, `unauthorized` as a server error.
    static func engineError(_ error: any Error, login: Bool = false) -> EngineError {
        if let e = error as? EngineError { return e }
        if let e = error as? RegistryError {
            switch e.kind {
            case .unauthorized: return EngineError(login ? .unauthorized : .internalError, e.message)
            case .denied: return EngineError(login ? .forbidden : .notFound, e.message)
            case .notFound: return EngineError(.notFound, e.message)
            case .invalid, .unsupported, .digestMismatch: return EngineError(.invalidArgument, e.message)
            case .tooManyRequests, .unavailable: return EngineError(.internalError, e.message)
            }
        }
        if let e = error as? ContentError { return EngineError(.invalidArgument, e.description) }
        if let e = error as? SnapshotError { return EngineError(.invalidArgument, e.description) }
        if let e = error as? LayerError { return EngineError(.invalidArgument, e.description) }
        return EngineError(.internalError, "\(error)")
    }
}
