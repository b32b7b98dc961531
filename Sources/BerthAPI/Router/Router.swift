import BerthAPIModels
import NIOHTTP1

/// The Engine API's route table. Route files add endpoints through `add` (or `get`,
/// `post`...) with patterns such as `/containers/{id}/json`; `{name*}` matches one or more
/// segments (image names contain slashes). Every path is served both unversioned and under
/// `/v1.xx/`.
public struct Router: Sendable {
    public typealias Handler = @Sendable (APIRequest) async throws -> APIResponse

    struct Route: Sendable {
        var method: HTTPMethod
        var segments: [PatternSegment]
        var handler: Handler
    }

    enum PatternSegment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        /// One or more segments, joined with "/".
        case rest(String)
    }

    private var routes: [Route] = []
    /// Headers sent with every response (`Api-Version`, `Server`...).
    public var commonHeaders: HTTPHeaders = [:]

    public init() {}

    /// Registers `handler` for `method` and `pattern`. Earlier registrations win when two
    /// patterns match the same path, so register literal paths before parameterised ones.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/").map { part -> PatternSegment in
            if part.hasPrefix("{") && part.hasSuffix("*}") { return .rest(String(part.dropFirst().dropLast(2))) }
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add(.GET, pattern, handler) }
    public mutating func head(_ pattern: String, _ handler: @escaping Handler) { add(.HEAD, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { add(.POST, pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping Handler) { add(.PUT, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { add(.DELETE, pattern, handler) }

    /// The handler and parameters for a request, or nil when no route matches.
    func match(method: HTTPMethod, path: String) -> (Handler, [String: String])? {
        let parts = path.split(separator: "/").map(String.init)
        for route in routes where route.method == method {
            if let params = Router.match(route.segments[...], parts[...]) { return (route.handler, params) }
        }
        return nil
    }

    private static func match(_ pattern: ArraySlice<PatternSegment>, _ parts: ArraySlice<String>) -> [String: String]? {
        guard let first = pattern.first else { return parts.isEmpty ? [:] : nil }
        switch first {
        case .literal(let text):
            guard parts.first == text else { return nil }
            return match(pattern.dropFirst(), parts.dropFirst())
        case .parameter(let name):
            guard let value = parts.first else { return nil }
            guard var params = match(pattern.dropFirst(), parts.dropFirst()) else { return nil }
            params[name] = value
            return params
        case .rest(let name):
            // Longest match first, so `/images/{name*}/json` takes `a/b/json` as name `a/b`
            // only when the rest of the pattern still matches.
            var count = parts.count
            while count >= 1 {
                if var params = match(pattern.dropFirst(), parts.dropFirst(count)) {
                    params[name] = parts.prefix(count).joined(separator: "/")
                    return params
                }
                count -= 1
            }
            return nil
        }
    }

    /// Answers one request: checks the API version, finds the route, runs it, and turns
    /// a thrown error into Docker's `{"message": ...}` with the mapped status.
    public func respond(to request: APIRequest) async -> APIResponse {
        var response = await route(request)
        for (name, value) in commonHeaders where !response.headers.contains(name: name) {
            response.headers.add(name: name, value: value)
        }
        return response
    }

    private func route(_ request: APIRequest) async -> APIResponse {
        if let version = request.requestedVersion, let problem = version.checkSupported() {
            return APIErrorMapping.response(for: EngineError.invalidArgument(problem))
        }
        // HEAD is answered by the GET route when no HEAD route exists, without a body.
        let found = match(method: request.method, path: request.path)
            ?? (request.method == .HEAD ? match(method: .GET, path: request.path) : nil)
        guard let (handler, params) = found else {
            return APIErrorMapping.response(for: EngineError.notFound("page not found"))
        }
        var request = request
        request.parameters = params
        do {
            return try await handler(request)
        } catch {
            return APIErrorMapping.response(for: error)
        }
    }
}
