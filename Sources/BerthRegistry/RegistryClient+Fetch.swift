import AsyncHTTPClient
import NIOCore

extension RegistryClient {
    /// `GET url` for `docker import URL`: any HTTP(S) address, redirects followed, no
    /// registry authentication. Streams the body into `sink`; returns the byte count.
    @discardableResult
    public func fetch(url: String, into sink: (UnsafeRawBufferPointer) throws -> Void) async throws -> Int64 {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw RegistryError(.invalid, "unsupported URL \(url): only http and https")
        }
        var req = HTTPClientRequest(url: url)
        req.headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(req, timeout: Self.timeAmount(configuration.responseTimeout))
        } catch {
            throw RegistryError.transport(method: "GET", url: url, error)
        }
        guard response.status == .ok else {
            _ = try? await response.body.collect(upTo: 1 << 16)
            throw RegistryError(response.status == .notFound ? .notFound : .unavailable,
                                "Get \"\(url)\": unexpected status \(response.status.code) \(response.status.reasonPhrase)",
                                status: Int(response.status.code))
        }
        var count: Int64 = 0
        do {
            for try await chunk in response.body {
                try chunk.withUnsafeReadableBytes { try sink($0) }
                count += Int64(chunk.readableBytes)
            }
        } catch let e as RegistryError {
            throw e
        } catch {
            throw RegistryError.transport(method: "GET", url: url, error)
        }
        return count
    }
}
