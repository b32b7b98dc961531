import BerthOCI

/// One entry of a registry's error body, `{"errors":[{"code":…,"message":…,"detail":…}]}`
/// (OCI distribution spec, "Error Codes").
public struct RegistryErrorEntry: Sendable, Hashable, CustomStringConvertible {
    /// The code, e.g. `UNAUTHORIZED`, `DENIED`, `NAME_UNKNOWN`, `MANIFEST_UNKNOWN`.
    public var code: String
    /// The registry's message, or the code's standard message when it sent none.
    public var message: String

    /// Makes an entry; an empty message becomes the code's standard one.
    public init(code: String, message: String?) {
        self.code = code
        self.message = (message?.isEmpty ?? true) ? Self.defaultMessage(code) : message!
    }

    /// Docker's rendering (distribution's `errcode.Error`): the code lowercased with spaces,
    /// then the message: `unauthorized: authentication required`.
    public var description: String {
        code.lowercased().replacingOccurrences("_", " ") + ": " + message
    }

    /// The standard messages of distribution's error codes.
    static func defaultMessage(_ code: String) -> String {
        switch code {
        case "UNAUTHORIZED": "authentication required"
        case "DENIED": "requested access to the resource is denied"
        case "NAME_UNKNOWN": "repository name not known to registry"
        case "MANIFEST_UNKNOWN": "manifest unknown"
        case "BLOB_UNKNOWN": "blob unknown to registry"
        case "BLOB_UPLOAD_UNKNOWN": "blob upload unknown to registry"
        case "BLOB_UPLOAD_INVALID": "blob upload invalid"
        case "DIGEST_INVALID": "provided digest did not match uploaded content"
        case "MANIFEST_INVALID": "manifest invalid"
        case "MANIFEST_BLOB_UNKNOWN": "blob unknown to registry"
        case "NAME_INVALID": "invalid repository name"
        case "SIZE_INVALID": "provided length did not match content length"
        case "TOOMANYREQUESTS": "too many requests"
        case "UNSUPPORTED": "The operation is unsupported."
        default: "unknown error"
        }
    }
}

/// A registry operation that failed. `description` is the text Docker prints for the same
/// failure, so the daemon can pass it through as the API's error message.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for deciding what to do about it (and which HTTP status the API returns).
    public enum Kind: Sendable, Hashable {
        /// Credentials are missing or wrong (401).
        case unauthorized
        /// The credentials do not grant the access asked for, or the repository does not exist
        /// and the registry won't say which (403, `DENIED`).
        case denied
        /// The repository, manifest, tag or blob does not exist.
        case notFound
        /// The registry rejected what was sent, or sent something unusable.
        case invalid
        /// Content did not match its digest or size.
        case digestMismatch
        /// The registry asked to slow down (429).
        case tooManyRequests
        /// A format or operation Berth does not support (schema1 manifests).
        case unsupported
        /// The connection failed or broke, or the registry answered with a server error.
        case unavailable
    }

    /// The kind of failure.
    public var kind: Kind
    /// Docker's text for it.
    public var message: String
    /// The HTTP status, when the registry answered.
    public var status: Int?
    /// The parsed error entries, first the one from `WWW-Authenticate`, if any.
    public var errors: [RegistryErrorEntry]
    /// The underlying error (a connection failure).
    public var cause: (any Error & Sendable)?

    /// Makes an error.
    public init(_ kind: Kind, _ message: String, status: Int? = nil, errors: [RegistryErrorEntry] = [],
                cause: (any Error & Sendable)? = nil) {
        self.kind = kind; self.message = message; self.status = status; self.errors = errors; self.cause = cause
    }

    public var description: String { message }

    /// The error a non-2xx response stands for, as distribution's `HandleErrorResponse` builds it:
    /// a bearer challenge's `error="insufficient_scope"` is `DENIED` and `invalid_token` is
    /// `UNAUTHORIZED`; then the body's `errors`; a bare 401 is `unauthorized: authentication required`.
    static func fromResponse(status: Int, reason: String, body: [UInt8], challenges: [AuthChallenge]) -> RegistryError {
        var entries: [RegistryErrorEntry] = []
        if (400..<500).contains(status) {
            for c in challenges where c.scheme == "bearer" {
                let code: String
                switch c.parameters["error"] {
                case "invalid_token": code = "UNAUTHORIZED"
                case "insufficient_scope": code = "DENIED"
                default: continue
                }
                entries.append(RegistryErrorEntry(code: code, message: c.parameters["error_description"]))
                break
            }
        }
        entries += parseErrorBody(body)
        if entries.isEmpty && status == 401 { entries = [RegistryErrorEntry(code: "UNAUTHORIZED", message: nil)] }
        if entries.isEmpty && status == 429 { entries = [RegistryErrorEntry(code: "TOOMANYREQUESTS", message: nil)] }
        let message: String
        switch entries.count {
        case 0: message = "unexpected status from registry: \(status) \(reason)"
        case 1: message = entries[0].description
        default: message = "errors:\n" + entries.map { $0.description + "\n" }.joined()
        }
        return RegistryError(kind(status: status, code: entries.first?.code), message,
                             status: status, errors: entries)
    }

    static func kind(status: Int, code: String?) -> Kind {
        switch code {
        case "UNAUTHORIZED": return .unauthorized
        case "DENIED": return .denied
        case "NAME_UNKNOWN", "MANIFEST_UNKNOWN", "BLOB_UNKNOWN", "BLOB_UPLOAD_UNKNOWN": return .notFound
        case "TOOMANYREQUESTS": return .tooManyRequests
        case "UNSUPPORTED": return .unsupported
        case "DIGEST_INVALID", "SIZE_INVALID": return .digestMismatch
        default: break
        }
        switch status {
        case 401: return .unauthorized
        case 403: return .denied
        case 404: return .notFound
        case 429: return .tooManyRequests
        case 500...: return .unavailable
        default: return .invalid
        }
    }

    /// The `errors` array of a registry's JSON error body; empty when the body is something else.
    static func parseErrorBody(_ body: [UInt8]) -> [RegistryErrorEntry] {
        struct Body: Decodable {
            struct Entry: Decodable { var code: String?; var message: String? }
            var errors: [Entry]?
        }
        guard let parsed = try? OCIJSON.decode(Body.self, from: body) else { return [] }
        return (parsed.errors ?? []).map { RegistryErrorEntry(code: $0.code ?? "UNKNOWN", message: $0.message) }
    }

    /// This error as `docker pull` words it (moby's `translatePullError`): `DENIED` becomes
    /// `pull access denied for NAME, repository does not exist or may require 'docker login': …`,
    /// `MANIFEST_UNKNOWN` `manifest for NAME:TAG not found: …`, `NAME_UNKNOWN` `repository NAME not found: …`.
    public func forPull(of reference: Reference) -> RegistryError {
        guard let first = errors.first else { return self }
        var e = self
        let cause = first.description
        switch first.code {
        case "DENIED":
            e.message = "pull access denied for \(reference.familiarName), repository does not exist or may require 'docker login': \(cause)"
        case "MANIFEST_UNKNOWN":
            e.message = "manifest for \(reference.familiarString) not found: \(cause)"
        case "NAME_UNKNOWN":
            e.message = "repository \(reference.familiarName) not found: \(cause)"
        default:
            e.message = cause
        }
        return e
    }

    /// A connection or protocol failure while talking to `url`, worded as Go's `url.Error`
    /// that Docker prints: `Get "https://…/v2/": dial tcp …`.
    static func transport(method: String, url: String, _ error: any Error) -> RegistryError {
        let verb = method.prefix(1) + method.dropFirst().lowercased()
        return RegistryError(.unavailable, "\(verb) \"\(url)\": \(error)", cause: SendableDescription("\(error)"))
    }
}

/// An error reduced to its text, for keeping a non-Sendable cause.
struct SendableDescription: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension String {
    /// Every `target` replaced by `replacement` (Foundation-free).
    func replacingOccurrences(_ target: Character, _ replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
