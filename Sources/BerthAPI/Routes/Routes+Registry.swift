import BerthAPIModels
import BerthEngine
import BerthOCI

extension Router {
    /// The routes that talk to registries: push, login (`/auth`) and search. Pull is
    /// `POST /images/create?fromImage=`, dispatched from the image routes to `pull(_:_:)`.
    public mutating func addRegistryRoutes(_ engine: Engine) {
        post("/images/{name*}/push") { req in
            let name = req.parameter("name")
            var reference = try Self.reference(name)
            if let tag = req.query["tag"], !tag.isEmpty {
                if let digest = try? Digest(parsing: tag) { reference = reference.repository.with(digest: digest) }
                else { reference = reference.repository.with(tag: tag) }
            }
            let auth = try RegistryAuthHeader.credentials(req.headers.first(name: "X-Registry-Auth"))
            let (stream, emit, finish) = Self.progressChannel()
            let pending = try await engine.preparePush(reference, auth: auth, emit: emit)
            let pushed = reference
            return Self.progressResponse(stream, finish: finish) {
                try await pending.run()
                engine.publishImage("push", id: pushed.familiarString, name: pushed.familiarName)
            }
        }
        post("/auth") { req in
            let body = try await req.body.decode(AuthConfigBody.self)
            guard let username = body.username, !username.isEmpty else {
                throw EngineError.invalidArgument("Username cannot be empty")
            }
            let status = try await engine.login(server: body.serveraddress ?? "",
                                                auth: RegistryAuth(username: username, password: body.password ?? ""))
            return .json(["Status": .string(status), "IdentityToken": ""] as JSONValue)
        }
        get("/images/search") { req in
            guard let term = req.query["term"], !term.isEmpty else { throw EngineError.invalidArgument("term is required") }
            let limit = try req.query.int("limit") ?? 25
            guard (1...100).contains(limit) else { throw EngineError.invalidArgument("limit \(limit) is outside the range of [1, 100]") }
            let auth = try RegistryAuthHeader.credentials(req.headers.first(name: "X-Registry-Auth"))
            let filters = try SearchFilters(req.query["filters"])
            let results = try await engine.search(term, limit: limit, auth: auth)
            return .json(.array(results.filter(filters.matches)))
        }
    }

    /// `POST /images/create?fromImage=NAME&tag=TAG|DIGEST&platform=`.
    static func pull(_ engine: Engine, _ req: APIRequest) async throws -> APIResponse {
        var reference = try reference(req.query["fromImage"] ?? "")
        if let tag = req.query["tag"], !tag.isEmpty {
            if let digest = try? Digest(parsing: tag) { reference = reference.repository.with(digest: digest) }
            else {
                reference = try Self.reference(reference.name + ":" + tag)
            }
        } else if reference.tag == nil && reference.digest == nil {
            reference = reference.withDefaultTag()
        }
        var platform: Platform? = nil
        if let text = req.query["platform"], !text.isEmpty {
            do { platform = try Platform(parsing: text) } catch { throw EngineError.invalidArgument("\(error)") }
        }
        let auth = try RegistryAuthHeader.credentials(req.headers.first(name: "X-Registry-Auth"))
        let (stream, emit, finish) = progressChannel()
        let pending = try await engine.preparePull(reference, platform: platform, auth: auth, emit: emit)
        let pulled = reference
        return progressResponse(stream, finish: finish) {
            _ = try await pending.run()
            engine.publishImage("pull", id: pulled.familiarString, name: pulled.familiarName)
        }
    }

    /// A reference from the API, with Docker's error for a bad one.
    static func reference(_ text: String) throws -> Reference {
        do { return try Reference.parseDocker(text) } catch {
            throw EngineError.invalidArgument("invalid reference format")
        }
    }

    /// Where engine work sends progress lines, and where the response reads them.
    static func progressChannel() -> (AsyncStream<JSONValue>, @Sendable (JSONValue) -> Void, @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: JSONValue.self)
        return (stream, { continuation.yield($0) }, { continuation.finish() })
    }

    /// A streamed response of progress lines while `work` runs; a failure becomes Docker's
    /// error line. If the client goes away, the work is cancelled.
    static func progressResponse(_ stream: AsyncStream<JSONValue>, finish: @escaping @Sendable () -> Void,
                                 _ work: @escaping @Sendable () async throws -> Void) -> APIResponse {
        .stream { w in
            let (errors, errorSink) = AsyncStream.makeStream(of: JSONValue.self)
            let task = Task {
                do { try await work() } catch {
                    let message = (error as? EngineError)?.message ?? "\(error)"
                    errorSink.yield(ProgressMessage.errorJSON(message))
                }
                errorSink.finish()
                finish()
            }
            do {
                for await line in stream { try await w.writeJSON(line) }
                for await line in errors { try await w.writeJSON(line) }
            } catch {
                task.cancel()
                throw error
            }
        }
    }
}

/// The body of `POST /auth` (Docker's `AuthConfig`).
struct AuthConfigBody: Decodable {
    var username: String?
    var password: String?
    var serveraddress: String?
    var email: String?
    var identitytoken: String?
}

/// The `X-Registry-Auth` header: base64url of an `AuthConfig` JSON object (`{}` for none).
enum RegistryAuthHeader {
    static func credentials(_ header: String?) throws -> RegistryAuth? {
        guard let header, !header.isEmpty else { return nil }
        guard let bytes = Base64.decode(header), let value = try? JSONValue.parse(bytes) else {
            throw EngineError.invalidArgument("invalid X-Registry-Auth header: not base64-encoded JSON")
        }
        if let user = value["username"]?.stringValue, !user.isEmpty {
            return RegistryAuth(username: user, password: value["password"]?.stringValue ?? "")
        }
        if let auth = value["auth"]?.stringValue, let decoded = Base64.decode(auth) {
            let text = String(decoding: decoded, as: UTF8.self)
            if let colon = text.firstIndex(of: ":") {
                return RegistryAuth(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
            }
        }
        return nil
    }
}

/// `docker search --filter is-official=true --filter stars=3`.
struct SearchFilters {
    var official: Bool?
    var minStars = 0

    init(_ text: String?) throws {
        guard let text, !text.isEmpty else { return }
        guard let value = try? JSONValue.parse(Array(text.utf8)), let object = value.objectValue else {
            throw EngineError.invalidArgument("invalid filter: \(text)")
        }
        for member in object {
            let values: [String] = member.value.objectValue.map { $0.map(\.key) }
                ?? member.value.arrayValue?.compactMap(\.stringValue) ?? []
            switch member.key {
            case "is-official":
                guard let v = values.first, let b = Bool(v) else { throw EngineError.invalidArgument("invalid filter 'is-official=\(values.first ?? "")'") }
                official = b
            case "stars":
                guard let v = values.first, let n = Int(v) else { throw EngineError.invalidArgument("invalid filter 'stars=\(values.first ?? "")'") }
                minStars = n
            case "is-automated": continue
            default: throw EngineError.invalidArgument("invalid filter '\(member.key)'")
            }
        }
    }

    func matches(_ row: JSONValue) -> Bool {
        (official == nil || row["is_official"]?.boolValue == official) && (row["star_count"]?.intValue ?? 0) >= Int64(minStars)
    }
}
