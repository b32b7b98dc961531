/// A failure the engine reports to its callers: what kind of failure (which the API server
/// maps to an HTTP status in one place) and a message naming the object.
///
/// It lives here, below both the API server and the client, so the client can rebuild the
/// kind from a status code and the CLI can tell "not found" from other failures.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    /// The class of failure. The API server maps each to one HTTP status.
    public enum Kind: String, Sendable, CaseIterable {
        case notFound, conflict, invalidArgument, notModified, unauthorized, forbidden, unavailable, internalError
    }

    public var kind: Kind
    /// Lowercase, no trailing period, names the object: `No such container: web` is the
    /// exception Docker makes, and we keep its exact text where clients match on it.
    public var message: String
    /// The lower-level failure, kept for logs.
    public var cause: (any Error & Sendable)?

    public init(_ kind: Kind, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }

    public static func notFound(_ message: String) -> EngineError { EngineError(.notFound, message) }
    public static func conflict(_ message: String) -> EngineError { EngineError(.conflict, message) }
    public static func invalidArgument(_ message: String) -> EngineError { EngineError(.invalidArgument, message) }
    public static func internalError(_ message: String, cause: (any Error & Sendable)? = nil) -> EngineError {
        EngineError(.internalError, message, cause: cause)
    }
}
