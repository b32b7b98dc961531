#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthImage
import BerthOCI
import BerthRegistry
import BerthSystem

/// Carries out one `FetchRequest` (see FetchProtocol.swift), sending its lines through `send`.
/// The only place with a registry client: berthd hands every registry conversation to a
/// `berth-fetch` process that runs this, so the daemon itself stays small.
public struct Fetcher: Sendable {
    public let request: FetchRequest
    let send: @Sendable (FetchLine) -> Void

    public init(_ request: FetchRequest, send: @escaping @Sendable (FetchLine) -> Void) {
        self.request = request; self.send = send
    }

    /// Runs the request to its last line (`done` or `error`); true if it succeeded.
    public func run() async -> Bool {
        let client = RegistryClient(configuration: .init(insecureRegistries: request.insecureRegistries,
                                                         credentials: RegistryClient.Configuration.noCredentials,
                                                         userAgent: request.userAgent))
        let result: Result<JSONValue, EngineError>
        do {
            result = .success(try await perform(client))
        } catch {
            result = .failure(Self.engineError(error, login: request.op == .login))
        }
        try? await client.shutdown()
        switch result {
        case .success(let done):
            send(FetchLine(done: done))
            return true
        case .failure(let error):
            send(FetchLine(error: FetchFailure(error)))
            return false
        }
    }

    func perform(_ client: RegistryClient) async throws -> JSONValue {
        let credentials = request.auth.map { RegistryCredentials(username: $0.username, password: $0.password) }
        switch request.op {
        case .pull:
            let reference = try parseReference()
            var platform = Platform.current
            if let text = request.platform {
                do { platform = try Platform(parsing: text) } catch { throw EngineError.invalidArgument("\(error)") }
            }
            let repository = client.repository(reference, credentials: credentials)
            let manifest = try await repository.pullManifest(reference, platform: platform)
            send(FetchLine(ready: true))
            let pull = ImagePull(reference: reference, repository: repository, content: try ContentStores.local(root: request.dataRoot),
                                 snapshots: try SnapshotStores.overlay(root: request.dataRoot), emit: progress,
                                 origins: BlobOrigins(root: request.dataRoot))
            return try JSONValueEncoder.encode(try await pull.run(manifest))
        case .push:
            guard let manifest = request.manifest else { throw EngineError.invalidArgument("push: no manifest") }
            let reference = try parseReference()
            let push = ImagePush(reference: reference, repository: client.repository(reference, credentials: credentials),
                                 content: try ContentStores.local(root: request.dataRoot), manifest: manifest,
                                 emit: progress, mountSources: BlobOrigins(root: request.dataRoot))
            return try JSONValueEncoder.encode(try await push.run())
        case .login:
            guard let credentials else { throw EngineError.invalidArgument("Username cannot be empty") }
            let host = client.host(for: Self.registryDomain(request.server ?? ""))
            try await client.verifyLogin(host, credentials: credentials)
            return ["Status": "Login Succeeded"]
        case .search:
            let results = try await client.search(request.term ?? "", limit: request.limit ?? 25, credentials: credentials)
            return try JSONValueEncoder.encode(results)
        case .download:
            guard let url = request.url, let path = request.path else { throw EngineError.invalidArgument("download: no url or path") }
            let fd = try FD.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            defer { close(fd) }
            _ = try await client.fetch(url: url) { try FD.writeAll(fd, $0, path: path) }
            return .object(JSONObject())
        }
    }

    var progress: ProgressSink {
        let send = self.send
        return { send(FetchLine(progress: $0.json)) }
    }

    func parseReference() throws -> Reference {
        do { return try Reference.parseDocker(request.reference ?? "") } catch {
            throw EngineError.invalidArgument("invalid reference format")
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
        if error is CancellationError { return EngineError(.internalError, "context canceled") }
        return EngineError(.internalError, "\(error)")
    }
}

extension ProgressMessage {
    /// A registry transfer step as a line.
    init(_ event: ProgressEvent) {
        self.init(event.statusText, id: event.id, current: event.current, total: event.total)
    }
}
