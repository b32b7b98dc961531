import BerthAPIModels
import BerthSystem
import NIOHTTP1
import Testing
@testable import BerthAPI

@Suite struct RouterTests {
    static func router() -> Router {
        var router = Router()
        router.commonHeaders = Router.standardHeaders(serverVersion: "test")
        router.get("/containers/json") { _ in .text("list") }
        router.get("/containers/{id}/json") { req in .text("inspect \(req.parameter("id"))") }
        router.get("/images/{name*}/json") { req in .text("image \(req.parameter("name"))") }
        router.delete("/images/{name*}") { req in .text("delete \(req.parameter("name"))") }
        router.get("/fail") { _ in throw EngineError.conflict("name in use") }
        router.get("/boom") { _ in throw BerthError("disk on fire") }
        return router
    }

    func call(_ method: HTTPMethod, _ uri: String) async -> (HTTPResponseStatus, String, HTTPHeaders) {
        let response = await Self.router().respond(to: APIRequest(method: method, uri: uri))
        guard case .bytes(let bytes) = response.body else { return (response.status, "<stream>", response.headers) }
        return (response.status, String(decoding: bytes, as: UTF8.self), response.headers)
    }

    @Test func matchesVersionedAndUnversionedPaths() async {
        #expect(await call(.GET, "/containers/json").1 == "list")
        #expect(await call(.GET, "/v1.41/containers/json").1 == "list")
        #expect(await call(.GET, "/v1.47/containers/abc/json?size=1").1 == "inspect abc")
    }

    @Test func restParametersTakeSlashes() async {
        #expect(await call(.GET, "/images/docker.io/library/alpine:3/json").1 == "image docker.io/library/alpine:3")
        #expect(await call(.DELETE, "/v1.44/images/ghcr.io/a/b").1 == "delete ghcr.io/a/b")
        #expect(await call(.GET, "/images/a%2Fb/json").1 == "image a/b")
    }

    @Test func unknownRoutesAre404PageNotFound() async {
        let (status, body, headers) = await call(.GET, "/nope")
        #expect(status == .notFound)
        #expect(body == #"{"message":"page not found"}"#)
        #expect(headers["Content-Type"] == ["application/json"])
        #expect(headers["Api-Version"] == ["1.47"])
        #expect(await call(.POST, "/containers/json").0 == .notFound)
    }

    @Test func versionOutOfRangeIs400() async {
        let (status, body, _) = await call(.GET, "/v1.99/containers/json")
        #expect(status == .badRequest)
        #expect(body.contains("client version 1.99 is too new"))
        #expect(await call(.GET, "/v1.12/containers/json").0 == .badRequest)
    }

    @Test func errorsMapToStatuses() async {
        #expect(await call(.GET, "/fail").0 == .conflict)
        #expect(await call(.GET, "/fail").1 == #"{"message":"name in use"}"#)
        #expect(await call(.GET, "/boom").0 == .internalServerError)
        #expect(await call(.GET, "/boom").1 == #"{"message":"disk on fire"}"#)
        for kind in EngineError.Kind.allCases {
            #expect(kind.status.code >= 300)
        }
    }

    @Test func queryParameters() {
        let q = QueryParameters("all=1&filters=%7B%22a%22%3A1%7D&x=a+b&all=0&flag")
        #expect(q["all"] == "1")
        #expect(q.all("all") == ["1", "0"])
        #expect(q["filters"] == #"{"a":1}"#)
        #expect(q["x"] == "a b")
        #expect(q.bool("all"))
        #expect(!q.bool("flag"))
        #expect(!q.bool("missing"))
    }
}
