#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A user name and password (or token) for a registry.
public struct RegistryCredentials: Sendable, Hashable {
    /// The user name.
    public var username: String
    /// The password or personal access token.
    public var password: String

    /// Makes credentials.
    public init(username: String, password: String) { self.username = username; self.password = password }

    /// `base64(user:pass)`, the `auth` field of `config.json` and the value of a Basic header.
    public var basicToken: String { Data("\(username):\(password)".utf8).base64EncodedString() }

    /// Decodes an `auth` field; nil unless it is base64 of `user:pass`.
    public init?(basicToken: String) {
        guard let data = Data(base64Encoded: basicToken.trimmingCharacters(in: .whitespacesAndNewlines)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        username = String(text[..<colon])
        password = String(text[text.index(after: colon)...])
    }
}

/// Docker's client configuration file, `~/.docker/config.json`, as far as credentials go:
/// `{"auths":{"127.0.0.1:5000":{"auth":"base64(user:pass)"}}}`. Every other key (and every other
/// field of an `auths` entry) is kept as it was when the file is rewritten.
///
/// Docker Hub's entry is `https://index.docker.io/v1/`; other registries use `host[:port]`.
/// Like Docker's `GetAuthConfig`, lookup also accepts keys written as URLs (`https://host/v2/`).
/// Credential helpers (`credsStore`, `credHelpers`) are not run.
public struct DockerConfigFile: Sendable {
    /// The file's path.
    public var path: String

    /// The file at `path`.
    public init(path: String) { self.path = path }

    /// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty { return dir + "/config.json" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.docker/config.json"
    }

    /// The file Docker would use in this environment.
    public static var `default`: DockerConfigFile { DockerConfigFile(path: defaultPath()) }

    /// The credentials stored for `host`, or nil.
    public func credentials(for host: RegistryHost) throws -> RegistryCredentials? {
        let auths = try load()["auths"] as? [String: Any] ?? [:]
        let wanted = Self.hostnames(for: host)
        let entry = (auths[host.credentialKey] as? [String: Any])
            ?? auths.first(where: { wanted.contains(Self.hostname(ofKey: $0.key)) })?.value as? [String: Any]
        guard let entry else { return nil }
        if let auth = entry["auth"] as? String, !auth.isEmpty { return RegistryCredentials(basicToken: auth) }
        if let user = entry["username"] as? String, let pass = entry["password"] as? String {
            return RegistryCredentials(username: user, password: pass)
        }
        return nil
    }

    /// Stores credentials for `host`, replacing any entry under its key; keeps everything else.
    public func store(_ credentials: RegistryCredentials, for host: RegistryHost) throws {
        var doc = try load()
        var auths = doc["auths"] as? [String: Any] ?? [:]
        var entry = auths[host.credentialKey] as? [String: Any] ?? [:]
        entry["auth"] = credentials.basicToken
        entry.removeValue(forKey: "username")
        entry.removeValue(forKey: "password")
        auths[host.credentialKey] = entry
        doc["auths"] = auths
        try save(doc)
    }

    /// Removes the entries for `host` (its key and keys naming the same host); returns whether
    /// there was one. Like `docker logout`, a missing file or entry is not an error.
    @discardableResult
    public func remove(for host: RegistryHost) throws -> Bool {
        var doc = try load()
        guard var auths = doc["auths"] as? [String: Any] else { return false }
        let wanted = Self.hostnames(for: host)
        let keys = auths.keys.filter { $0 == host.credentialKey || wanted.contains(Self.hostname(ofKey: $0)) }
        guard !keys.isEmpty else { return false }
        for k in keys { auths.removeValue(forKey: k) }
        doc["auths"] = auths
        try save(doc)
        return true
    }

    /// The hostnames an `auths` key may name for `host`.
    static func hostnames(for host: RegistryHost) -> Set<String> {
        host.isDockerHub ? ["docker.io", "index.docker.io", "registry-1.docker.io"] : [host.domain]
    }

    /// Docker's `ConvertToHostname`: the key without scheme and path.
    static func hostname(ofKey key: String) -> String {
        var s = Substring(key)
        if s.hasPrefix("http://") { s = s.dropFirst(7) } else if s.hasPrefix("https://") { s = s.dropFirst(8) }
        return String(s.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? s)
    }

    /// The whole document; an absent or empty file is `{}`.
    func load() throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw RegistryError(.invalid, "open \(path): permission denied")
            }
            return [:]
        }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x09 || $0 == 0x0d }) { return [:] }
        do {
            guard let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw RegistryError(.invalid, "\(path): not a JSON object")
            }
            return doc
        } catch let e as RegistryError {
            throw e
        } catch {
            throw RegistryError(.invalid, "loading config file \(path): \(error.localizedDescription)")
        }
    }

    /// Writes the document atomically (temp file, fsync, rename) with mode 0600, as Docker does.
    func save(_ doc: [String: Any]) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0a)
        let temp = path + ".tmp-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RegistryError(.invalid, "open \(temp): \(String(cString: strerror(errno)))") }
        var ok = data.withUnsafeBytes { buf -> Bool in
            var done = 0
            while done < buf.count {
                let n = write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        let err = errno
        close(fd)
        guard ok, rename(temp, path) == 0 else {
            let e = ok ? errno : err
            unlink(temp)
            throw RegistryError(.invalid, "write \(path): \(String(cString: strerror(e)))")
        }
    }
}
