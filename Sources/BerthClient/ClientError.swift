import BerthAPIModels
import BerthSystem

/// Why a request to the daemon failed.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// The socket could not be reached.
    case cannotConnect(host: String, cause: SyscallError)
    /// The daemon answered with an error status and `{"message": ...}`.
    case api(status: Int, message: String)
    /// The connection broke or the daemon's answer was not HTTP we understand.
    case protocolError(String)
    /// Reading or writing the socket failed.
    case io(SyscallError)
    /// A `-H`/`DOCKER_HOST` value the client cannot use.
    case invalidHost(String)

    public var description: String {
        switch self {
        case .cannotConnect(let host, _):
            "Cannot connect to the Berth daemon at \(host). Is the berth daemon running?"
        case .api(_, let message): message
        case .protocolError(let message): message
        case .io(let error): "\(error)"
        case .invalidHost(let message): message
        }
    }

    /// The engine's kind of failure behind an API error status, as Docker's errdefs map them.
    public var kind: EngineError.Kind? {
        guard case .api(let status, _) = self else { return nil }
        switch status {
        case 404: return .notFound
        case 409: return .conflict
        case 400: return .invalidArgument
        case 304: return .notModified
        case 401: return .unauthorized
        case 403: return .forbidden
        case 503: return .unavailable
        default: return status >= 500 ? .internalError : nil
        }
    }
}
