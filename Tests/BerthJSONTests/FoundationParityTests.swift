import BerthJSON
import BerthOCI
import Foundation
import Testing

/// Berth's coders against Foundation's on the same values and inputs.
@Suite struct FoundationParityTests {
    func foundationBytes<T: Encodable>(_ value: T, pretty: Bool) throws -> [UInt8] {
        let encoder = Foundation.JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    func expectSameEncoding<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for pretty in [false, true] {
            let ours = try BerthJSONEncoder(sortedKeys: true, pretty: pretty).encode(value)
            let theirs = try foundationBytes(value, pretty: pretty)
            #expect(text(ours) == text(theirs), "pretty: \(pretty)", sourceLocation: sourceLocation)
        }
    }

    @Test func encodingIsByteForByteFoundations() throws {
        try expectSameEncoding(Everything.sample)
        try expectSameEncoding(Integers.max)
        try expectSameEncoding(Integers.min)
        try expectSameEncoding(Floats.sample)
        try expectSameEncoding(try Fixture.spec())
        try expectSameEncoding(Derived(id: 1, extra: [], point: (0, 0)))
        try expectSameEncoding(Mixed(values: [.int(1), .null, .string("s")]))
        try expectSameEncoding([Color.red: 1])
        try expectSameEncoding([Message.go, .failed(stage: "s", errno: 1), .pair(2, "b")])
        try expectSameEncoding(["": [String: Int](), "x": ["y": 1]])
        try expectSameEncoding([[Int]]([[], [1]]))
        try expectSameEncoding(Optional<Int>.none)
        try expectSameEncoding("a/b\u{0}\u{1f}\u{7f}\u{2028}")
        try expectSameEncoding(ImageConfig(config: .init(user: "1000", env: ["PATH=/bin"], cmd: ["sh"], labels: ["a": "b"]),
                                           diffIDs: [], created: "2024-01-01T00:00:00Z"))
        let keys = ["a10", "a9", "B", "a", "_", "é", "e", "Z", "😀", "ä", "\u{1}"]
        try expectSameEncoding(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }))
    }

    func expectSameDecoding<T: Decodable & Equatable>(_ type: T.Type, _ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let theirs = try Foundation.JSONDecoder().decode(T.self, from: Data(input))
        let ours = try BerthJSONDecoder().decode(T.self, from: input)
        #expect(ours == theirs, sourceLocation: sourceLocation)
    }

    @Test func decodingMatchesFoundation() throws {
        try expectSameDecoding(Everything.self, try foundationBytes(Everything.sample, pretty: true))
        try expectSameDecoding(Spec.self, try foundationBytes(try Fixture.spec(), pretty: false))
        try expectSameDecoding(Floats.self, try foundationBytes(Floats.sample, pretty: false))
        try expectSameDecoding(Integers.self, try foundationBytes(Integers.min, pretty: false))
        try expectSameDecoding([Double].self, bytes("[1, 1.0, 1e2, -0, 0.1, 2.5e-3, 123456789012345678901234567890, 4.9e-324, 1.7976931348623157e308]"))
        try expectSameDecoding([Float].self, bytes("[1, 0.1, 3.4028235e38, 1.17549435e-38, 16777217]"))
        try expectSameDecoding([Int].self, bytes("[1.0, 1e2, 100e-2, -0, 9223372036854775807]"))
        try expectSameDecoding([String].self, bytes(#"["\u00e9\ud83d\ude00", "a\/b", "\u0000", "é"]"#))
        try expectSameDecoding(Mixed.self, bytes(#"[1, "1", null, -5]"#))
        try expectSameDecoding([String: [Int?]].self, bytes(#"{"a": [1, null], "b": []}"#))
        try expectSameDecoding([Int: String].self, bytes(#"{"1": "a", "-2": "b"}"#))
        let profile = Array(DockerSeccompProfile.defaultJSON.utf8)
        let theirs = try Foundation.JSONDecoder().decode(DockerSeccompProfile.self, from: Data(profile))
        let ours = try BerthJSONDecoder().decode(DockerSeccompProfile.self, from: profile)
        #expect(try foundationBytes(ours, pretty: false) == foundationBytes(theirs, pretty: false))
    }

    enum Kind: Equatable { case typeMismatch, keyNotFound(String), valueNotFound, dataCorrupted }

    func failure(_ error: any Error) -> (Kind, [String])? {
        func path(_ keys: [any CodingKey]) -> [String] { keys.map { k in k.intValue.map { "[\($0)]" } ?? k.stringValue } }
        switch error as? DecodingError {
        case .typeMismatch(_, let c): return (.typeMismatch, path(c.codingPath))
        case .keyNotFound(let k, let c): return (.keyNotFound(k.stringValue), path(c.codingPath))
        case .valueNotFound(_, let c): return (.valueNotFound, path(c.codingPath))
        case .dataCorrupted(let c): return (.dataCorrupted, path(c.codingPath))
        default: return nil
        }
    }

    func expectSameError<T: Decodable>(_ type: T.Type, _ json: String, _ kind: Kind, _ path: [String],
                                       sourceLocation: SourceLocation = #_sourceLocation) {
        var results: [(Kind, [String])?] = []
        do { _ = try BerthJSONDecoder().decode(T.self, from: bytes(json)) } catch { results.append(failure(error)) }
        do { _ = try Foundation.JSONDecoder().decode(T.self, from: Data(json.utf8)) } catch { results.append(failure(error)) }
        guard results.count == 2, let ours = results[0], let theirs = results[1] else {
            Issue.record("\(json): expected both decoders to fail with a DecodingError", sourceLocation: sourceLocation)
            return
        }
        #expect(ours.0 == kind && ours.1 == path, "\(json): ours \(ours)", sourceLocation: sourceLocation)
        #expect(theirs.0 == kind && theirs.1 == path, "\(json): Foundation's \(theirs)", sourceLocation: sourceLocation)
    }

    @Test func errorsMatchFoundationsKindsAndPaths() {
        expectSameError(Inner.self, #"{"name": 1}"#, .typeMismatch, ["name"])
        expectSameError(Inner.self, #"{"name": "n", "tags": ["a", 2]}"#, .typeMismatch, ["tags", "[1]"])
        expectSameError(Inner.self, #"{"name": "n", "tags": {}}"#, .typeMismatch, ["tags"])
        expectSameError(Inner.self, "[]", .typeMismatch, [])
        expectSameError(Inner.self, "{}", .keyNotFound("name"), [])
        expectSameError([Inner].self, #"[{"name": "a"}, {"nam": "b"}]"#, .keyNotFound("name"), ["[1]"])
        expectSameError(Inner.self, #"{"name": null}"#, .valueNotFound, ["name"])
        expectSameError(Inner.self, "null", .valueNotFound, [])
        expectSameError([String: [Int]].self, #"{"k": [1, null]}"#, .valueNotFound, ["k", "[1]"])
        expectSameError(Derived.self, #"{"extra": [], "geometry": {"point": [3]}, "super": {"id": 1}}"#, .valueNotFound, ["geometry", "point", "[1]"])
        expectSameError(Derived.self, #"{"extra": [], "geometry": {"point": [3, 4]}}"#, .valueNotFound, ["super"])
        expectSameError(Derived.self, #"{"extra": [], "geometry": {}}"#, .keyNotFound("point"), ["geometry"])
        expectSameError(Bool.self, "1", .typeMismatch, [])
        expectSameError(Int.self, #""1""#, .typeMismatch, [])
        expectSameError(Color.self, #""purple""#, .dataCorrupted, [])
        expectSameError([Level].self, "[1, 2]", .dataCorrupted, ["[1]"])
        expectSameError(Spec.self, #"{"ociVersion": "1.2.0", "linux": {"namespaces": [{"type": "pid"}, {"type": "bogus"}]}}"#,
                        .dataCorrupted, ["linux", "namespaces", "[1]", "type"])
        expectSameError(Spec.self, #"{"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 0, "gid": 0}, "args": "true"}}"#,
                        .typeMismatch, ["process", "args"])
        expectSameError(Spec.self, #"{"ociVersion": "1.2.0", "process": {"user": {"uid": 0, "gid": 0}}}"#, .keyNotFound("cwd"), ["process"])
        expectSameError(Spec.self, #"{"ociVersion": "1.2.0", "process": {"#, .dataCorrupted, [])
        expectSameError(Int.self, "01", .dataCorrupted, [])
    }

    @Test func numberErrorsNameTheField() {
        struct W: Decodable { var x: UInt8 }
        #expect {
            _ = try BerthJSONDecoder().decode([W].self, from: bytes(#"[{"x": 300}]"#))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let c) = error else { return false }
            return c.codingPath.map(\.stringValue) == ["Index 0", "x"] && c.debugDescription == "Parsed JSON number <300> does not fit in UInt8."
        }
    }

    @Test func syntaxErrorsCarryTheirPosition() {
        #expect {
            _ = try BerthJSONDecoder().decode(Spec.self, from: bytes("{\n  \"ociVersion\": 1.2.0\n}"))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let c) = error, let syntax = c.underlyingError as? JSONSyntaxError else { return false }
            return c.codingPath.isEmpty && syntax.line == 2 && syntax.column == 20 && syntax.offset == 21
        }
    }

    @Test func ociDescribeNamesTheField() {
        func describe<T: Decodable>(_ type: T.Type, _ json: String) -> String {
            do {
                _ = try OCIJSON.decode(T.self, from: bytes(json))
                return "decoded"
            } catch {
                return OCIJSON.describe(error)
            }
        }
        #expect(describe(Spec.self, #"{"ociVersion":"1.2.0","linux":{"namespaces":[{"type":"pid"},{"type":"bogus"}]}}"#)
            == #"linux.namespaces[1].type: unknown namespace type "bogus""#)
        #expect(describe(Spec.self, #"{"ociVersion": "1.2.0", "process": {"#)
            == "invalid JSON: expected a string key, found end of input at line 1, column 37 (byte 36)")
        #expect(describe(Spec.self, #"{"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 0, "gid": 0}, "args": "true"}}"#)
            == "process.args: expected Array<Any>: Expected to decode Array<Any> but found a string instead.")
        #expect(describe(Spec.self, #"{"ociVersion": "1.2.0", "process": {"user": {"uid": 0, "gid": 0}}}"#)
            == "process.cwd: missing required field")
        #expect(describe(Spec.self, #"{"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": -1, "gid": 0}}}"#)
            == "process.user.uid: Parsed JSON number <-1> does not fit in UInt32.")
        #expect(describe(Spec.self, #"{"ociVersion": null}"#) == "ociVersion: missing value")
    }
}
