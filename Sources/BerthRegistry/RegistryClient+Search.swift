import AsyncHTTPClient
import BerthOCI
import NIOCore
import NIOHTTP1

/// One row of `docker search`, with the Engine API's field names.
public struct SearchResult: Codable, Sendable, Hashable {
    /// The repository name: `busybox`, `user/app`, `127.0.0.1:5000/app` (catalog results).
    public var name: String
    /// Its description, empty when the registry has none.
    public var description: String
    /// Stars on Docker Hub.
    public var starCount: Int
    /// A Docker official image.
    public var isOfficial: Bool
    /// Deprecated automated build flag, always false on current Docker Hub.
    public var isAutomated: Bool

    enum CodingKeys: String, CodingKey {
        case name, description
        case starCount = "star_count"
        case isOfficial = "is_official"
        case isAutomated = "is_automated"
    }

    /// Makes a row.
    public init(name: String, description: String = "", starCount: Int = 0, isOfficial: Bool = false, isAutomated: Bool = false) {
        self.name = name; self.description = description; self.starCount = starCount
        self.isOfficial = isOfficial; self.isAutomated = isAutomated
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        starCount = try c.decodeIfPresent(Int.self, forKey: .starCount) ?? 0
        isOfficial = try c.decodeIfPresent(Bool.self, forKey: .isOfficial) ?? false
        isAutomated = try c.decodeIfPresent(Bool.self, forKey: .isAutomated) ?? false
    }
}

extension RegistryClient {
    /// `docker search TERM`: a term naming a registry (`127.0.0.1:5000/app`) searches that one,
    /// any other searches Docker Hub. Uses the v1 search API (`/v1/search?q=…&n=…`) where the
    /// registry has it, else lists `/v2/_catalog` and keeps the names containing the term.
    public func search(_ term: String, limit: Int = 25, credentials: RegistryCredentials? = nil) async throws -> [SearchResult] {
        let (domain, query) = Self.splitSearchTerm(term)
        let host = host(for: domain)
        let creds = credentials ?? configuration.credentials(host)
        let searchBase = host.isDockerHub ? "https://\(RegistryHost.dockerHubIndexHost)" : host.baseURL
        // Docker Hub's search is on another host than its registry: send it no token or password.
        let v1 = try await send(Request(.GET, searchBase + "/v1/search?q=" + queryEscape(query) + "&n=\(limit)"),
                                host: host, scopes: [], credentials: host.isDockerHub ? nil : creds,
                                authenticate: !host.isDockerHub)
        if v1.status == .ok {
            struct Page: Decodable { var results: [SearchResult]? }
            let body = try await collect(v1, limit: 8 << 20, what: "search results")
            if let page = try? OCIJSON.decode(Page.self, from: body), let results = page.results {
                return Array(results.prefix(limit))
            }
        } else {
            _ = try? await v1.body.collect(upTo: 1 << 16)
            guard [404, 405, 501].contains(v1.status.code) || (v1.status.code == 401 && !host.isDockerHub) else {
                try await expect(v1, [200], method: "GET")
                return []
            }
        }
        let names = try await catalog(host, credentials: creds)
        let needle = query.lowercased()
        return names.filter { needle.isEmpty || $0.lowercased().contains(needle) }
            .prefix(limit).map { SearchResult(name: host.domain + "/" + $0) }
    }

    /// Every repository name of `GET /v2/_catalog`, following `Link: <…>; rel="next"` pages.
    public func catalog(_ host: RegistryHost, credentials: RegistryCredentials? = nil) async throws -> [String] {
        var url = host.baseURL + "/v2/_catalog?n=1000"
        var names: [String] = []
        for _ in 0..<1000 {
            let response = try await send(Request(.GET, url), host: host, scopes: [RegistryScope.catalog], credentials: credentials)
            try await expect(response, [200], method: "GET")
            struct Page: Decodable { var repositories: [String]? }
            let body = try await collect(response, limit: 16 << 20, what: "catalog")
            guard let page = try? OCIJSON.decode(Page.self, from: body) else {
                throw RegistryError(.invalid, "invalid catalog response from \(host.domain)")
            }
            names += page.repositories ?? []
            guard let next = Self.nextLink(response.headers["Link"]) else { break }
            url = next.hasPrefix("http") ? next : host.baseURL + next
        }
        return names
    }

    /// `<url>; rel="next"` from Link headers.
    static func nextLink(_ values: [String]) -> String? {
        for value in values {
            for part in value.split(separator: ",") where part.contains("rel=\"next\"") || part.contains("rel=next") {
                guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close else { continue }
                return String(part[part.index(after: open)..<close])
            }
        }
        return nil
    }

    /// Docker's `splitReposSearchTerm`: a first component with `.` or `:`, or `localhost`, is a
    /// registry; otherwise the term is for Docker Hub.
    static func splitSearchTerm(_ term: String) -> (domain: String, query: String) {
        let parts = term.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            return (parts[0], parts[1])
        }
        return (Reference.defaultDomain, term)
    }
}
