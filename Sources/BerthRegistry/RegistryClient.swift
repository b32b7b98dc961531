import AsyncHTTPClient
import BerthOCI
import NIOCore
import NIOHTTP1

/// A client of the Distribution API v2 (OCI distribution spec) for any number of registries.
///
/// Authentication follows Docker: requests go out anonymously until a registry answers 401
/// with a `WWW-Authenticate` challenge; then `Basic` uses the stored credentials and `Bearer`
/// fetches a token from the challenge's realm for the scopes the request needs (cached per scope
/// until it expires), and the request is retried once. Later requests to the same registry
/// authenticate up front.
///
/// Work on one repository goes through `repository(_:credentials:)`. Call `shutdown()` when done.
public final class RegistryClient: Sendable {
    /// How the client behaves.
    public struct Configuration: Sendable {
        /// Registries reached over plain HTTP besides loopback ones: `host[:port]` or an IPv4 CIDR.
        public var insecureRegistries: [String]
        /// Where credentials come from when an operation is given none. The default reads
        /// Docker's `config.json` (see `DockerConfigFile.defaultPath`).
        public var credentials: @Sendable (RegistryHost) -> RegistryCredentials?
        /// The `User-Agent` header.
        public var userAgent: String
        /// How long to wait for a response's head (not its body). Uploads are not bounded by it.
        public var responseTimeout: Duration
        /// Longest pause in reading or writing a body before the transfer fails.
        public var readTimeout: Duration
        /// How many times `download` retries a broken transfer (Docker: 5).
        public var downloadRetries: Int
        /// The pause before the first retry; the n-th waits n times as long.
        public var retryDelay: Duration

        /// Makes a configuration.
        public init(insecureRegistries: [String] = [],
                    credentials: @escaping @Sendable (RegistryHost) -> RegistryCredentials? = Configuration.dockerConfigCredentials,
                    userAgent: String = "berth/0.1", responseTimeout: Duration = .seconds(60), readTimeout: Duration = .seconds(120),
                    downloadRetries: Int = 5, retryDelay: Duration = .seconds(1)) {
            self.insecureRegistries = insecureRegistries; self.credentials = credentials; self.userAgent = userAgent
            self.responseTimeout = responseTimeout; self.readTimeout = readTimeout
            self.downloadRetries = downloadRetries; self.retryDelay = retryDelay
        }

        /// Credentials from the default `config.json`.
        public static let dockerConfigCredentials: @Sendable (RegistryHost) -> RegistryCredentials? = {
            try? DockerConfigFile.default.credentials(for: $0)
        }

        /// Credentials from a given `config.json`.
        public static func credentials(from file: DockerConfigFile) -> @Sendable (RegistryHost) -> RegistryCredentials? {
            { try? file.credentials(for: $0) }
        }

        /// No stored credentials: only what each operation is given.
        public static let noCredentials: @Sendable (RegistryHost) -> RegistryCredentials? = { _ in nil }
    }

    /// The configuration in use.
    public let configuration: Configuration
    let http: HTTPClient
    let auth = AuthCache()

    /// Makes a client; it owns an HTTP connection pool until `shutdown()`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var config = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 10, allowCycles: false),
            timeout: .init(connect: .seconds(30), read: Self.timeAmount(configuration.readTimeout),
                           write: Self.timeAmount(configuration.readTimeout))
        )
        config.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    /// Closes the connection pool. The client can't be used afterwards.
    public func shutdown() async throws { try await http.shutdown() }

    /// The host a reference domain is served from, with this client's insecure registries.
    public func host(for domain: String) -> RegistryHost {
        RegistryHost(domain: domain, insecure: configuration.insecureRegistries)
    }

    /// Operations on one repository. Without `credentials`, the configuration's are used.
    public func repository(_ reference: Reference, credentials: RegistryCredentials? = nil) -> RegistryRepository {
        let host = host(for: reference.domain)
        return RegistryRepository(client: self, host: host, path: reference.path,
                                  credentials: credentials ?? configuration.credentials(host))
    }

    /// `GET /v2/`: succeeds when the registry speaks the v2 API and accepts the credentials
    /// (anonymous access included). Returns the challenge scheme the registry asked for, if any.
    @discardableResult
    public func ping(_ host: RegistryHost, credentials: RegistryCredentials? = nil) async throws -> String? {
        let creds = credentials ?? configuration.credentials(host)
        let response = try await send(Request(.GET, host.baseURL + "/v2/"), host: host, scopes: [], credentials: creds)
        try await expect(response, [200], method: "GET")
        return await auth.challenge(for: host)?.scheme
    }

    // MARK: - Requests

    /// What to send; the body can be made again, so a request can be retried after a 401.
    struct Request {
        var method: HTTPMethod
        var url: String
        var headers: HTTPHeaders = [:]
        var body: Body = .none

        enum Body {
            case none
            case bytes([UInt8])
            case source(BlobSource, range: Range<Int64>, progress: (@Sendable (Int64) -> Void)?)
        }

        init(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders = [:], body: Body = .none) {
            self.method = method; self.url = url; self.headers = headers; self.body = body
        }
    }

    /// Sends a request, authenticating as the registry asks, and retrying once after a 401 that
    /// carried a challenge. The response may have any status; see `expect`. Without
    /// `authenticate`, the request goes out anonymously and a 401 is returned as it is.
    func send(_ request: Request, host: RegistryHost, scopes: [String], credentials: RegistryCredentials?,
              authenticate: Bool = true) async throws -> HTTPClientResponse {
        var scopes = scopes
        var retried = false
        while true {
            var req = HTTPClientRequest(url: request.url)
            req.method = request.method
            req.headers = request.headers
            req.headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
            let tokenKey: AuthCache.TokenKey?
            if authenticate, let challenge = await auth.challenge(for: host) {
                let (header, key) = try await authorization(challenge, host: host, scopes: scopes, credentials: credentials)
                if let header { req.headers.replaceOrAdd(name: "Authorization", value: header) }
                tokenKey = key
            } else {
                tokenKey = nil
            }
            switch request.body {
            case .none: break
            case .bytes(let b): req.body = .bytes(b)
            case .source(let src, let range, let progress):
                req.body = .stream(BlobChunkSequence(source: src, range: range, progress: progress),
                                   length: .known(range.upperBound - range.lowerBound))
            }
            // The deadline runs until the response head, which for an upload comes after the
            // whole body: uploads are bounded by the write and read timeouts instead.
            var deadline = NIODeadline.now() + Self.timeAmount(configuration.responseTimeout)
            if case .source = request.body { deadline = .distantFuture }
            let response: HTTPClientResponse
            do {
                response = try await http.execute(req, deadline: deadline)
            } catch {
                throw RegistryError.transport(method: request.method.rawValue, url: request.url, error)
            }
            guard authenticate, response.status == .unauthorized, !retried else { return response }
            let challenges = AuthChallenge.parse(response.headers["WWW-Authenticate"])
            guard let challenge = challenges.first(where: { $0.scheme == "bearer" }) ?? challenges.first(where: { $0.scheme == "basic" }) else {
                return response
            }
            if challenge.scheme == "basic" && credentials == nil {
                _ = try? await response.body.collect(upTo: 1 << 16)
                // Docker: `Head "http://…/v2/x/manifests/1": no basic auth credentials`.
                let verb = request.method.rawValue.prefix(1) + request.method.rawValue.dropFirst().lowercased()
                throw RegistryError(.unauthorized, "\(verb) \"\(request.url)\": no basic auth credentials", status: 401,
                                    errors: [RegistryErrorEntry(code: "UNAUTHORIZED", message: nil)])
            }
            if challenge.scheme == "bearer", challenge.parameters["error"] == "insufficient_scope", tokenKey != nil,
               challenge.parameters["scope"].map({ scopes.contains($0) }) ?? true {
                // The token we sent was for these very scopes: asking again would not help.
                return response
            }
            _ = try? await response.body.collect(upTo: 1 << 16)
            await auth.setChallenge(challenge, for: host)
            if let tokenKey { await auth.drop(tokenKey) }
            if let wanted = challenge.parameters["scope"] {
                for s in wanted.split(separator: " ").map(String.init) where !scopes.contains(s) { scopes.append(s) }
            }
            retried = true
        }
    }

    /// Throws the registry's error unless `response` has one of the `ok` statuses. The body of
    /// an error response is read (up to 64 KiB) for its `errors`.
    func expect(_ response: HTTPClientResponse, _ ok: Set<UInt>, method: String) async throws {
        guard !ok.contains(response.status.code) else { return }
        let body = (try? await response.body.collect(upTo: 1 << 16)).map { Array($0.readableBytesView) } ?? []
        throw RegistryError.fromResponse(status: Int(response.status.code), reason: response.status.reasonPhrase,
                                         body: body, challenges: AuthChallenge.parse(response.headers["WWW-Authenticate"]))
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        .nanoseconds(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
    }

    /// Reads a whole (small) body.
    func collect(_ response: HTTPClientResponse, limit: Int, what: String) async throws -> [UInt8] {
        do {
            return Array(try await response.body.collect(upTo: limit).readableBytesView)
        } catch let e as NIOTooManyBytesError {
            throw RegistryError(.invalid, "\(what) exceeds the \(limit)-byte limit", cause: SendableDescription("\(e)"))
        } catch {
            throw RegistryError(.unavailable, "reading \(what): \(error)", cause: SendableDescription("\(error)"))
        }
    }
}

/// Percent-encoding of a query component (RFC 3986 unreserved characters pass).
func queryEscape(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.append(Character(Unicode.Scalar(b)))
        default:
            let hex = Array("0123456789ABCDEF")
            out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 0xf)])
        }
    }
    return out
}
