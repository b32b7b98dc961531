import BerthAPIModels
import NIOHTTP1

/// The one place that turns engine errors into HTTP statuses (STYLE.md §2).
extension EngineError.Kind {
    /// The status Docker answers for this kind of failure.
    public var status: HTTPResponseStatus {
        switch self {
        case .notFound: .notFound
        case .conflict: .conflict
        case .invalidArgument: .badRequest
        case .notModified: .notModified
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .unavailable: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }
}

/// Error responses in Docker's shape: `{"message": "..."}` with the mapped status.
public enum APIErrorMapping {
    /// The response for any error a handler throws. Errors that are not `EngineError`
    /// are internal errors and print as they describe themselves.
    public static func response(for error: any Error) -> APIResponse {
        let engineError = (error as? EngineError) ?? EngineError(.internalError, "\(error)")
        let status = engineError.kind.status
        // 304 carries no body (RFC 9110 §15.4.5).
        if status == .notModified { return APIResponse(status: status) }
        let body = (try? WireJSON.encode(ErrorResponse(message: engineError.description))) ?? Array("{}".utf8)
        return APIResponse(status: status, headers: ["Content-Type": "application/json"], body: .bytes(body))
    }
}
