import BerthAPIModels
import NIOHTTP1

/// One Engine API request as a route handler sees it: the path without its `/v1.xx`
/// prefix, the version the client asked for, path parameters, query and body.
public struct APIRequest: Sendable {
    public var method: HTTPMethod
    /// The request target as sent, with version prefix and query.
    public var uri: String
    /// The path without the version prefix and the query, e.g. `/containers/web/json`.
    public var path: String
    /// The version from the path, or `APIVersion.current` for unversioned paths.
    public var version: APIVersion
    /// Values of `{name}` segments in the route's pattern, percent-decoded.
    public var parameters: [String: String] = [:]
    public var query: QueryParameters
    public var headers: HTTPHeaders
    public var body: RequestBody

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders = [:], body: RequestBody = .empty) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        let queryStart = uri.firstIndex(of: "?")
        let rawPath = String(uri[..<(queryStart ?? uri.endIndex)])
        self.query = QueryParameters(queryStart.map { String(uri[uri.index(after: $0)...]) } ?? "")
        let (version, rest) = APIRequest.splitVersion(PercentEncoding.decode(rawPath))
        self.path = rest
        self.version = version ?? .current
        self.requestedVersion = version
    }

    /// The version named in the path, nil for unversioned paths.
    public private(set) var requestedVersion: APIVersion?

    /// The path parameter `name`; routes only call this for names in their pattern.
    public func parameter(_ name: String) -> String { parameters[name] ?? "" }

    /// Whether the client asked to switch this connection to a raw stream
    /// (`Connection: Upgrade`, `Upgrade: tcp`), as `docker attach` and `exec start` do.
    public var wantsUpgrade: Bool {
        headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
            && headers["upgrade"].contains { $0.lowercased() == "tcp" }
    }

    /// Splits `/v1.41/containers/json` into (1.41, `/containers/json`). A first segment that
    /// looks like a version but is malformed is left in the path, which then matches no route.
    static func splitVersion(_ path: String) -> (APIVersion?, String) {
        guard path.hasPrefix("/v") else { return (nil, path) }
        let afterSlash = path.dropFirst()
        let segmentEnd = afterSlash.firstIndex(of: "/") ?? afterSlash.endIndex
        guard let version = APIVersion(afterSlash[..<segmentEnd]) else { return (nil, path) }
        let rest = String(afterSlash[segmentEnd...])
        return (version, rest.isEmpty ? "/" : rest)
    }
}

/// The query string, decoded. Repeated keys keep every value, in order.
public struct QueryParameters: Sendable {
    public private(set) var items: [(name: String, value: String)] = []

    public init(_ raw: String) {
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(String(parts[0]), plusAsSpace: true)
            let value = parts.count > 1 ? PercentEncoding.decode(String(parts[1]), plusAsSpace: true) : ""
            items.append((name, value))
        }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? { items.first { $0.name == name }?.value }

    /// Every value of `name`.
    public func all(_ name: String) -> [String] { items.filter { $0.name == name }.map(\.value) }

    /// A boolean the way Docker reads one: absent, "", "0", "no", "false" and "none" are
    /// false; anything else is true.
    public func bool(_ name: String) -> Bool {
        guard let value = self[name]?.lowercased() else { return false }
        return !["", "0", "no", "false", "none"].contains(value)
    }

    /// An integer; an unparsable value is an invalid argument, as in Docker.
    public func int(_ name: String) throws(EngineError) -> Int? {
        guard let text = self[name], !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw .invalidArgument("invalid value for \(name): \(text)") }
        return value
    }
}

/// Percent-decoding for paths and query strings. Invalid escapes are kept as they are.
enum PercentEncoding {
    static func decode(_ text: String, plusAsSpace: Bool = false) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else {
            return text
        }
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(plusAsSpace && b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: b - 48
        case 65...70: b - 55
        case 97...102: b - 87
        default: nil
        }
    }
}
