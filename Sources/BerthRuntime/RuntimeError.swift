import BerthSystem

/// What went wrong in the container's init process before it ran the user program:
/// crosses the sync socket as data (STYLE.md §4), so the runtime prints the syscall and path.
public struct ChildFailure: Codable, Error, Sendable, CustomStringConvertible {
    /// The init stage that failed, e.g. "mount", "pivot_root", "apply capabilities".
    public var stage: String
    /// The failure itself, already formatted (``mount `/proc`: Operation not permitted``).
    public var message: String

    public init(stage: String, message: String) {
        self.stage = stage
        self.message = message
    }

    public var description: String { message.hasPrefix(stage) ? message : "\(stage): \(message)" }
}

/// The runtime's errors, one line each, naming the container, field or path involved.
public enum RuntimeError: Error, CustomStringConvertible, Sendable {
    case invalidBundle(String)
    case invalidArgument(String)
    case notFound(String)
    case alreadyExists(String)
    case invalidState(String)
    case initFailed(ChildFailure)
    case system(String)

    public var description: String {
        switch self {
        case .invalidBundle(let m): m
        case .invalidArgument(let m): m
        case .notFound(let id): "container \"\(id)\" does not exist"
        case .alreadyExists(let id): "container with id exists: \(id)"
        case .invalidState(let m): m
        case .initFailed(let f): f.description
        case .system(let m): m
        }
    }
}

/// Wraps any error from `body` as a child failure in `stage`.
func stage<T>(_ name: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let failure as ChildFailure {
        throw failure
    } catch {
        throw ChildFailure(stage: name, message: "\(error)")
    }
}
