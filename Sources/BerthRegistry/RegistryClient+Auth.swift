import AsyncHTTPClient
import BerthOCI
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// The `Authorization` header for a request under `challenge`, and the token cache key
    /// it came from (bearer only).
    func authorization(_ challenge: AuthChallenge, host: RegistryHost, scopes: [String],
                       credentials: RegistryCredentials?) async throws -> (String?, AuthCache.TokenKey?) {
        switch challenge.scheme {
        case "basic":
            return (credentials.map { "Basic " + $0.basicToken }, nil)
        case "bearer":
            guard let realm = challenge.parameters["realm"] else {
                throw RegistryError(.invalid, "bearer challenge from \(host.domain) has no realm")
            }
            let key = AuthCache.TokenKey(realm: realm, service: challenge.parameters["service"] ?? "",
                                         credentials: credentials, scopes: scopes.sorted())
            if let token = await auth.token(key) { return ("Bearer " + token, key) }
            let (token, lifetime) = try await fetchToken(realm: realm, service: challenge.parameters["service"],
                                                         scopes: key.scopes, credentials: credentials)
            await auth.store(token, for: key, lifetime: lifetime)
            return ("Bearer " + token, key)
        default:
            return (nil, nil)
        }
    }

    /// Asks a token server for a bearer token (Docker's token authentication spec):
    /// `GET realm?service=…&scope=…&scope=…`, with Basic credentials when there are any.
    /// The answer's `token` (or `access_token`) is valid for `expires_in` seconds, at least 60.
    func fetchToken(realm: String, service: String?, scopes: [String],
                    credentials: RegistryCredentials?) async throws -> (String, Duration) {
        var query: [String] = []
        if let service { query.append("service=" + queryEscape(service)) }
        for s in scopes { query.append("scope=" + queryEscape(s)) }
        if let credentials { query.append("account=" + queryEscape(credentials.username)) }
        let url = realm + (query.isEmpty ? "" : (realm.contains("?") ? "&" : "?") + query.joined(separator: "&"))
        var req = HTTPClientRequest(url: url)
        req.headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
        if let credentials { req.headers.replaceOrAdd(name: "Authorization", value: "Basic " + credentials.basicToken) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(req, timeout: Self.timeAmount(configuration.responseTimeout))
        } catch {
            throw RegistryError.transport(method: "GET", url: url, error)
        }
        let body = try await collect(response, limit: 1 << 20, what: "token response")
        guard response.status == .ok else { throw Self.tokenError(status: response.status, body: body) }
        struct TokenResponse: Decodable {
            var token: String?
            var access_token: String?
            var expires_in: Int?
        }
        guard let parsed = try? OCIJSON.decode(TokenResponse.self, from: body),
              let token = [parsed.token, parsed.access_token].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw RegistryError(.invalid, "authorization server did not include a token in the response")
        }
        // Refresh a little early, so a token does not expire on its way to the registry.
        let seconds = max(parsed.expires_in ?? 60, 60)
        return (token, .seconds(seconds - 5))
    }

    /// A token server's refusal in Docker's words: `unauthorized: incorrect username or password`.
    static func tokenError(status: HTTPResponseStatus, body: [UInt8]) -> RegistryError {
        let entries = RegistryError.parseErrorBody(body)
        if let first = entries.first {
            return RegistryError(RegistryError.kind(status: Int(status.code), code: first.code), first.description,
                                 status: Int(status.code), errors: entries)
        }
        struct Detail: Decodable { var details: String?; var detail: String?; var message: String?; var error: String? }
        let detail = (try? OCIJSON.decode(Detail.self, from: body)).flatMap { $0.details ?? $0.detail ?? $0.message ?? $0.error }
        switch status {
        case .unauthorized, .forbidden:
            let entry = RegistryErrorEntry(code: "UNAUTHORIZED", message: detail ?? "incorrect username or password")
            return RegistryError(.unauthorized, entry.description, status: Int(status.code), errors: [entry])
        default:
            return RegistryError(RegistryError.kind(status: Int(status.code), code: nil),
                                 "token request failed with status: \(status.code) \(status.reasonPhrase)" + (detail.map { ": \($0)" } ?? ""),
                                 status: Int(status.code))
        }
    }

    // MARK: - Login and logout

    /// Checks `credentials` against `host` (`GET /v2/`, answering its challenge, and for a
    /// bearer registry getting a token with them), then stores them in `configFile`.
    /// Returns Docker's status text, `Login Succeeded`.
    ///
    /// A refusal is worded as Docker's: `login attempt to http://host/v2/ failed with status:
    /// 401 Unauthorized` for Basic registries, the token server's message for bearer ones.
    @discardableResult
    public func login(_ host: RegistryHost, credentials: RegistryCredentials, configFile: DockerConfigFile? = nil) async throws -> String {
        try await verifyLogin(host, credentials: credentials)
        if let configFile { try configFile.store(credentials, for: host) }
        return "Login Succeeded"
    }

    /// The check `login` makes, without storing anything (the daemon's `POST /auth`).
    public func verifyLogin(_ host: RegistryHost, credentials: RegistryCredentials) async throws {
        let url = host.baseURL + "/v2/"
        var req = HTTPClientRequest(url: url)
        req.headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
        var response: HTTPClientResponse
        do {
            response = try await http.execute(req, timeout: Self.timeAmount(configuration.responseTimeout))
        } catch {
            throw RegistryError.transport(method: "GET", url: url, error)
        }
        if response.status == .ok { return }
        _ = try? await response.body.collect(upTo: 1 << 16)
        let challenges = AuthChallenge.parse(response.headers["WWW-Authenticate"])
        guard response.status == .unauthorized, let challenge = challenges.first(where: { $0.scheme == "bearer" })
                ?? challenges.first(where: { $0.scheme == "basic" }) else {
            throw RegistryError(.unavailable, "login attempt to \(url) failed with status: \(response.status.code) \(response.status.reasonPhrase)",
                                status: Int(response.status.code))
        }
        await auth.setChallenge(challenge, for: host)
        // Always ask the token server: a cached token would not prove these credentials.
        if challenge.scheme == "bearer", let realm = challenge.parameters["realm"] {
            let (token, _) = try await fetchToken(realm: realm, service: challenge.parameters["service"], scopes: [],
                                                  credentials: credentials)
            req.headers.replaceOrAdd(name: "Authorization", value: "Bearer " + token)
        } else {
            req.headers.replaceOrAdd(name: "Authorization", value: "Basic " + credentials.basicToken)
        }
        do {
            response = try await http.execute(req, timeout: Self.timeAmount(configuration.responseTimeout))
        } catch {
            throw RegistryError.transport(method: "GET", url: url, error)
        }
        _ = try? await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else {
            let kind: RegistryError.Kind = response.status == .unauthorized ? .unauthorized : .unavailable
            throw RegistryError(kind, "login attempt to \(url) failed with status: \(response.status.code) \(response.status.reasonPhrase)",
                                status: Int(response.status.code))
        }
    }

    /// Removes `host`'s credentials from `configFile` and forgets cached tokens. Returns
    /// Docker's text: `Removing login credentials for HOST`, or `Not logged in to HOST` when
    /// there were none.
    @discardableResult
    public func logout(_ host: RegistryHost, configFile: DockerConfigFile) async throws -> String {
        await auth.forget(host)
        await auth.dropAllTokens()
        let name = host.isDockerHub ? RegistryHost.dockerHubCredentialKey : host.domain
        return try configFile.remove(for: host) ? "Removing login credentials for \(name)" : "Not logged in to \(name)"
    }
}
