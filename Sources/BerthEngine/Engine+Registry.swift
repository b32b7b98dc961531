#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthImage
import BerthOCI
import BerthSystem

/// A pull whose manifest is resolved; `run` fetches and records the image.
public struct PendingPull: Sendable {
    let fetch: FetchProcess
    let reference: Reference
    let engine: Engine
    let emit: @Sendable (JSONValue) -> Void

    /// Fetches and unpacks (in berth-fetch), then records the image; returns its ID.
    public func run() async throws -> Digest {
        let done = try await fetch.finish(emit: emit)
        let result: PullResult
        do { result = try WireJSON.decode(PullResult.self, from: done) } catch {
            throw EngineError.internalError("berth-fetch: unreadable pull result: \(error)")
        }
        return try await engine.recordPull(result, reference: reference, emit: emit)
    }
}

/// A push whose image and manifest are found locally; `run` uploads.
public struct PendingPush: Sendable {
    let request: FetchRequest
    let reference: Reference
    let engine: Engine
    let emit: @Sendable (JSONValue) -> Void

    /// Uploads the blobs and the manifest (in berth-fetch), sending progress, then tags the
    /// image with the digest the registry has it under.
    public func run() async throws {
        let done = try await FetchProcess.start(request).finish(emit: emit)
        guard let result = try? WireJSON.decode(PushResult.self, from: done) else {
            throw EngineError.internalError("berth-fetch: unreadable push result")
        }
        await engine.tagPushed(reference.repository.with(digest: result.digest), image: result.image)
    }
}

extension Engine {
    /// A request for berth-fetch with this daemon's settings.
    nonisolated func fetchRequest(_ op: FetchRequest.Operation, auth: RegistryAuth?) -> FetchRequest {
        var request = FetchRequest(op: op, dataRoot: dataRoot, insecureRegistries: insecureRegistries,
                                   userAgent: "berth/\(BerthVersionInfo.version)")
        request.auth = auth
        return request
    }

    /// Runs berth-fetch to its answer, with no progress.
    nonisolated func fetch(_ request: FetchRequest) async throws -> JSONValue {
        try await FetchProcess.start(request).finish(emit: nil)
    }

    /// `POST /images/create?fromImage=`: resolves `reference` to one platform's manifest.
    /// Errors here (no such manifest, refused credentials) are the request's status, as in
    /// Docker, where nothing has been streamed yet.
    public nonisolated func preparePull(_ reference: Reference, platform: Platform?, auth: RegistryAuth?,
                                        emit: @escaping @Sendable (JSONValue) -> Void) async throws -> PendingPull {
        var request = fetchRequest(.pull, auth: auth)
        request.reference = reference.description
        request.platform = platform?.description
        let fetch = try FetchProcess.start(request)
        _ = try await fetch.receive(until: { $0.ready == true }, emit: emit)
        return PendingPull(fetch: fetch, reference: reference, engine: self, emit: emit)
    }

    /// Records a pulled image and its names, and sends the pull's last lines.
    func recordPull(_ result: PullResult, reference: Reference, emit: @Sendable (JSONValue) -> Void) throws -> Digest {
        let existing = try images.image(id: result.id)
        var record = existing ?? ImageRecord(id: result.id)
        record.manifest = result.manifest
        record.index = result.index
        record.recorded = WallClock.rfc3339Nano()
        try images.put(record)
        var previous: Digest? = nil
        if reference.digest == nil { previous = try images.tag(reference.withDefaultTag(), image: record.id) }
        try images.tag(reference.repository.with(digest: result.digest), image: record.id)
        emit(ProgressMessage("Digest: \(result.digest)").json)
        let upToDate = existing != nil && result.fetchedLayers == 0 && previous == nil
        emit(ProgressMessage(upToDate ? "Status: Image is up to date for \(reference.familiarString)"
                                      : "Status: Downloaded newer image for \(reference.familiarString)").json)
        return record.id
    }

    /// `POST /images/{name}/push?tag=`: finds the local image `reference` names (with `tag`,
    /// or its own tag, or `latest`).
    public func preparePush(_ reference: Reference, auth: RegistryAuth?,
                            emit: @escaping @Sendable (JSONValue) -> Void) throws -> PendingPush {
        let tagged = reference.digest == nil ? reference.withDefaultTag() : reference
        let record: ImageRecord
        do { record = try images.resolve(tagged.description) } catch {
            throw EngineError.notFound("An image does not exist locally with the tag: \(reference.familiarName)")
        }
        guard let manifest = record.manifest else {
            throw EngineError.internalError("image \(record.id) has no manifest to push")
        }
        var request = fetchRequest(.push, auth: auth)
        request.reference = tagged.description
        request.manifest = manifest
        return PendingPush(request: request, reference: tagged, engine: self, emit: emit)
    }

    /// After a push: `repo@sha256:…` names the image, as Docker records it.
    func tagPushed(_ reference: Reference, image: Digest) {
        _ = try? images.tag(reference, image: image)
    }

    /// `POST /auth`: checks credentials against a registry; Docker's `Login Succeeded`.
    public nonisolated func login(server: String, auth: RegistryAuth) async throws -> String {
        var request = fetchRequest(.login, auth: auth)
        request.server = server
        return try await fetch(request)["Status"]?.stringValue ?? "Login Succeeded"
    }

    /// `GET /images/search`: Docker's search results (`name`, `description`, `star_count`,
    /// `is_official`, `is_automated`) from the registry the term names.
    public nonisolated func search(_ term: String, limit: Int, auth: RegistryAuth?) async throws -> [JSONValue] {
        var request = fetchRequest(.search, auth: auth)
        request.term = term
        request.limit = limit
        return try await fetch(request).arrayValue ?? []
    }

    /// `POST /images/create?fromSrc=URL`: fetches the tar to import into a new file at `path`.
    public nonisolated func download(url: String, to path: String) async throws {
        var request = fetchRequest(.download, auth: nil)
        request.url = url
        request.path = path
        _ = try await fetch(request)
    }
}
