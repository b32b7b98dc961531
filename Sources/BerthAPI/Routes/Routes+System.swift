import BerthAPIModels
import NIOHTTP1

/// What the system routes need from the daemon.
public protocol SystemBackend: Sendable {
    /// `GET /version`.
    func version() async throws -> SystemVersion
    /// `GET /info`.
    func info() async throws -> SystemInfo
}

extension Router {
    /// `GET`/`HEAD /_ping`, `GET /version`, `GET /info`.
    public mutating func addSystemRoutes(_ backend: any SystemBackend) {
        // Docker answers HEAD with the same headers and an empty body (Content-Length 0).
        let pingHeaders: HTTPHeaders = [
            "Cache-Control": "no-cache, no-store, must-revalidate",
            "Pragma": "no-cache",
        ]
        get("/_ping") { _ in
            var response = APIResponse.text("OK")
            response.headers.add(contentsOf: pingHeaders)
            return response
        }
        head("/_ping") { _ in
            APIResponse(status: .ok, headers: pingHeaders.merging(["Content-Type": "text/plain; charset=utf-8"]))
        }
        get("/version") { _ in try .json(try await backend.version()) }
        get("/info") { _ in try .json(try await backend.info()) }
    }

    /// Headers Docker sends with every response; clients read `Api-Version` and `Ostype`
    /// from `/_ping` to negotiate.
    public static func standardHeaders(serverVersion: String) -> HTTPHeaders {
        [
            "Api-Version": APIVersion.current.description,
            "Docker-Experimental": "false",
            "Ostype": "linux",
            "Server": "Berth/\(serverVersion) (linux)",
        ]
    }
}

extension HTTPHeaders {
    fileprivate func merging(_ other: HTTPHeaders) -> HTTPHeaders {
        var out = self
        out.add(contentsOf: other)
        return out
    }
}
