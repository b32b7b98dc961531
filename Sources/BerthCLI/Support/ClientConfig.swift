import BerthAPIModels
import BerthOCI
import BerthSystem

/// The client's `config.json` (Docker's format, shared with the docker CLI): `auths`
/// for registry credentials, `psFormat`/`imagesFormat` for default formats. It lives
/// in `--config`, else `$DOCKER_CONFIG`, else `~/.docker`.
enum ClientConfig {
    /// Docker Hub's key in `auths`.
    static let hubServer = "https://index.docker.io/v1/"

    static func directory(_ invocation: Invocation) -> String {
        if let dir = invocation.global.configDirectory, !dir.isEmpty { return expandHome(dir, invocation.environment) }
        if let dir = invocation.environment["DOCKER_CONFIG"], !dir.isEmpty { return dir }
        return expandHome("~/.docker", invocation.environment)
    }

    static func path(_ invocation: Invocation) -> String { directory(invocation) + "/config.json" }

    /// The file's contents, or an empty object when it is missing or unreadable.
    static func load(_ invocation: Invocation) -> JSONValue {
        guard let text = try? Files.readString(path(invocation)), let value = try? JSONValue.parse(text), value.objectValue != nil else {
            return .object([:])
        }
        return value
    }

    /// Writes the file atomically, tab-indented as Docker writes it, mode 0600.
    static func save(_ value: JSONValue, _ invocation: Invocation) throws {
        try Files.mkdirAll(directory(invocation), mode: 0o700)
        try Files.writeAtomic(path(invocation), Array(value.serialized(indent: "\t").utf8), mode: 0o600)
    }

    /// The `auths` key for a registry: Docker Hub's URL, else the host as typed.
    static func serverKey(_ server: String) -> String {
        var host = server
        for prefix in ["https://", "http://"] where host.hasPrefix(prefix) { host = String(host.dropFirst(prefix.count)) }
        if let slash = host.firstIndex(of: "/") { host = String(host[..<slash]) }
        if ["docker.io", "index.docker.io", "registry-1.docker.io", ""].contains(host) { return hubServer }
        return host
    }

    /// The stored credentials for `server` as the Engine API's `AuthConfig`.
    static func credentials(for server: String, _ invocation: Invocation) -> JSONValue? {
        let key = serverKey(server)
        guard let entry = load(invocation)["auths"]?[key] ?? load(invocation)["auths"]?["https://\(key)"] else { return nil }
        var auth = JSONObject()
        if let encoded = entry["auth"]?.stringValue, let bytes = Base64.decode(encoded) {
            let (user, password) = String(decoding: bytes, as: UTF8.self).splitOnce(":")
            auth["username"] = .string(user)
            auth["password"] = .string(password ?? "")
        }
        if let token = entry["identitytoken"]?.stringValue, !token.isEmpty { auth["identitytoken"] = .string(token) }
        auth["serveraddress"] = .string(key)
        return .object(auth)
    }

    /// The `X-Registry-Auth` header for pushing or pulling `reference`: the stored
    /// credentials as base64url JSON, or `{}` encoded when there are none.
    static func registryAuthHeader(for reference: String, _ invocation: Invocation) -> (String, String) {
        let domain = (try? Reference(parsing: reference))?.domain ?? Reference.defaultDomain
        let auth = credentials(for: domain, invocation) ?? .object([:])
        return ("X-Registry-Auth", Base64.encode(Array(auth.serialized().utf8), urlSafe: true))
    }

    static func expandHome(_ path: String, _ environment: [String: String]) -> String {
        guard path.hasPrefix("~") else { return path }
        return (environment["HOME"] ?? "/root") + path.dropFirst()
    }
}
