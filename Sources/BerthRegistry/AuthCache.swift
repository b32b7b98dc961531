/// What the client has learnt about each registry's authentication: the last challenge it
/// sent, and bearer tokens per scope until they expire.
actor AuthCache {
    struct TokenKey: Hashable {
        var realm: String
        var service: String
        /// Whole credentials, not only the user: a wrong password must not reuse a good token.
        var credentials: RegistryCredentials?
        var scopes: [String]
    }

    private var challenges: [String: AuthChallenge] = [:]
    private var tokens: [TokenKey: (token: String, expires: ContinuousClock.Instant)] = [:]

    /// The challenge `host` answered with last, if any.
    func challenge(for host: RegistryHost) -> AuthChallenge? { challenges[host.baseURL] }

    /// Remembers `host`'s challenge, so later requests authenticate up front.
    func setChallenge(_ challenge: AuthChallenge, for host: RegistryHost) { challenges[host.baseURL] = challenge }

    /// A cached token that is still valid.
    func token(_ key: TokenKey) -> String? {
        guard let t = tokens[key] else { return nil }
        if t.expires <= .now {
            tokens.removeValue(forKey: key)
            return nil
        }
        return t.token
    }

    /// Caches a token for `lifetime`.
    func store(_ token: String, for key: TokenKey, lifetime: Duration) {
        tokens[key] = (token, .now + lifetime)
    }

    /// Forgets a token the registry refused.
    func drop(_ key: TokenKey) { tokens.removeValue(forKey: key) }

    /// Forgets everything about `host` (after logout).
    func forget(_ host: RegistryHost) {
        challenges.removeValue(forKey: host.baseURL)
    }

    /// Forgets every token (after logout, since tokens are not keyed by host).
    func dropAllTokens() { tokens.removeAll() }
}

/// Repository access scopes of the token spec: `repository:NAME:pull`, `repository:NAME:pull,push`.
public enum RegistryScope {
    /// Read access to `path`.
    public static func pull(_ path: String) -> String { "repository:\(path):pull" }
    /// Read and write access to `path`.
    public static func push(_ path: String) -> String { "repository:\(path):pull,push" }
    /// Listing the catalog.
    public static let catalog = "registry:catalog:*"
}
