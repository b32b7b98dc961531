import BerthAPIModels
import BerthEngine
import BerthOCI
import Testing
@testable import BerthAPI

/// `ImageDeletePlan`: Docker's rules for `docker rmi`, checked against the texts Docker prints.
@Suite struct ImageDeletePlanTests {
    let id = Digest(sha256Hex: String(repeating: "ab", count: 32))
    let stopped = ImageDeletePlan.User(id: String(repeating: "c", count: 64), running: false)
    let running = ImageDeletePlan.User(id: String(repeating: "d", count: 64), running: true)
    func ref(_ s: String) -> Reference { try! Reference(parsing: s).withDefaultTag() }

    func message(_ body: () throws -> ImageDeletePlan) -> String? {
        do { _ = try body(); return nil } catch let e as EngineError { return e.kind == .conflict ? e.message : "\(e.kind)" } catch { return "\(error)" }
    }

    @Test func byNameUntagsAndDeletesTheLastName() throws {
        let plan = try ImageDeletePlan.decide(ref: "busybox", imageID: id, names: [ref("busybox")], users: [], force: false)
        #expect(plan == ImageDeletePlan(untag: [ref("busybox:latest")], deleteImage: true))
    }

    @Test func byNameWithOtherTagsOnlyUntags() throws {
        let plan = try ImageDeletePlan.decide(ref: "busybox:1", imageID: id, names: [ref("busybox:1"), ref("other")],
                                              users: [running], force: false)
        #expect(plan == ImageDeletePlan(untag: [ref("busybox:1")], deleteImage: false))
    }

    @Test func byNameRefusedWhileAContainerUsesTheImage() {
        let text = message { try ImageDeletePlan.decide(ref: "busybox", imageID: id, names: [ref("busybox")], users: [stopped], force: false) }
        #expect(text == "conflict: unable to remove repository reference \"busybox\" (must force) - container cccccccccccc is using its referenced image abababababab")
    }

    @Test func forcedByNameWithARunningContainerOnlyUntags() throws {
        let plan = try ImageDeletePlan.decide(ref: "busybox", imageID: id, names: [ref("busybox")], users: [running], force: true)
        #expect(plan == ImageDeletePlan(untag: [ref("busybox")], deleteImage: false))
        let forced = try ImageDeletePlan.decide(ref: "busybox", imageID: id, names: [ref("busybox")], users: [stopped], force: true)
        #expect(forced.deleteImage)
    }

    @Test func lastTagTakesTheRepositorysDigestReferences() throws {
        let digested = try Reference(parsing: "busybox@sha256:" + String(repeating: "1", count: 64))
        let plan = try ImageDeletePlan.decide(ref: "busybox", imageID: id, names: [ref("busybox"), digested], users: [], force: false)
        #expect(plan == ImageDeletePlan(untag: [ref("busybox"), digested], deleteImage: true))
    }

    @Test func byIDConflicts() {
        let one = [ref("busybox")]
        #expect(message { try ImageDeletePlan.decide(ref: "ababab", imageID: id, names: one, users: [stopped], force: false) }
            == "conflict: unable to delete abababababab (must be forced) - image is being used by stopped container cccccccccccc")
        #expect(message { try ImageDeletePlan.decide(ref: "sha256:abab", imageID: id, names: one, users: [running], force: true) }
            == "conflict: unable to delete abababababab (cannot be forced) - image is being used by running container dddddddddddd")
        #expect(message { try ImageDeletePlan.decide(ref: "abab", imageID: id, names: [ref("a"), ref("b")], users: [], force: false) }
            == "conflict: unable to delete abababababab (must be forced) - image is referenced in multiple repositories")
    }

    @Test func forcedByIDRemovesEveryName() throws {
        let plan = try ImageDeletePlan.decide(ref: "abab", imageID: id, names: [ref("a"), ref("b")], users: [stopped], force: true)
        #expect(plan == ImageDeletePlan(untag: [ref("a"), ref("b")], deleteImage: true))
        let untagged = try ImageDeletePlan.decide(ref: id.encoded, imageID: id, names: [], users: [], force: false)
        #expect(untagged == ImageDeletePlan(untag: [], deleteImage: true))
    }
}

@Suite struct ImageFilterTests {
    func ref(_ s: String) -> Reference { try! Reference(parsing: s) }

    @Test func globsMatchAsDockersFamiliarMatch() {
        #expect(GlobPattern.matches(ref("busybox:latest"), pattern: "busybox"))
        #expect(GlobPattern.matches(ref("busybox:latest"), pattern: "busy*"))
        #expect(GlobPattern.matches(ref("busybox:latest"), pattern: "busybox:l?test"))
        #expect(GlobPattern.matches(ref("busybox:1.36"), pattern: "busybox:1.[0-9][0-9]"))
        #expect(!GlobPattern.matches(ref("busybox:latest"), pattern: "busybox:1*"))
        #expect(!GlobPattern.matches(ref("library/x/y:latest"), pattern: "library*"))       // * stops at /
        #expect(GlobPattern.matches(ref("localhost:5000/x/y:latest"), pattern: "localhost:5000/*/*"))
        #expect(!GlobPattern.matches(ref("busybox:latest"), pattern: "[^b]*"))
    }

    @Test func filtersParseAndRefuseUnknownKeys() throws {
        let f = try ImageFilters(#"{"dangling":{"true":true},"label":["a=b"]}"#, allowed: ["dangling", "label"])
        #expect(try f.dangling() == true)
        #expect(f.labelsMatch(["a": "b"]) && !f.labelsMatch(["a": "c"]))
        #expect(throws: EngineError.self) { try ImageFilters(#"{"nope":["x"]}"#, allowed: ["dangling"]) }
        #expect(throws: EngineError.self) { try ImageFilters(#"{"dangling":["maybe"]}"#, allowed: ["dangling"]) }
        let until = try ImageFilters(#"{"until":["2h"]}"#, allowed: ["until"])
        #expect(try until.until(now: 10_000) == 10_000 - 7200)
    }
}
