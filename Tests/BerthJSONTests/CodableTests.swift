import BerthJSON
import BerthOCI
import Foundation
import Testing

@Suite struct CodableTests {
    let decoder = BerthJSONDecoder()
    let sorted = BerthJSONEncoder(sortedKeys: true)

    func roundTrip<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for encoder in [BerthJSONEncoder(), BerthJSONEncoder(sortedKeys: true, pretty: true)] {
            let data = try encoder.encode(value)
            #expect(try decoder.decode(T.self, from: data) == value, sourceLocation: sourceLocation)
        }
    }

    @Test func roundTripsShapes() throws {
        try roundTrip(Everything.sample)
        try roundTrip(Integers.max)
        try roundTrip(Integers.min)
        try roundTrip(Floats.sample)
        try roundTrip(Mixed(values: [.int(1), .string("a"), .null, .int(-3)]))
        try roundTrip([Int?]([nil, 1, nil]))
        try roundTrip([[String: [Int?]]]([["a": [1, nil]], [:]]))
        try roundTrip(["red": Color.red])
        try roundTrip([Color.red: 1])
        try roundTrip(Set(["a", "b", "c"]))
        try roundTrip("top-level string")
        try roundTrip(UInt64.max)
        try roundTrip(Int64.min)
        try roundTrip(Optional<Int>.none)
        try roundTrip(Optional<Inner>.some(Inner(name: "x")))
        try roundTrip(try Fixture.spec())
        try roundTrip(JSONValue.object([(key: "dup", value: 1), (key: "dup", value: 2)]))
    }

    @Test func subclassesAndNestedContainers() throws {
        let value = Derived(id: 7, extra: ["e"], point: (3, -4))
        let data = try sorted.encode(value)
        #expect(text(data) == #"{"extra":["e"],"geometry":{"point":[3,-4]},"super":{"id":7}}"#)
        let back = try decoder.decode(Derived.self, from: data)
        #expect(back.id == 7 && back.extra == ["e"] && back.point == (3, -4))
    }

    @Test func sixtyFourBitExtremesAreExact() throws {
        #expect(text(try sorted.encode(UInt64.max)) == "18446744073709551615")
        #expect(text(try sorted.encode(Int64.min)) == "-9223372036854775808")
        #expect(try decoder.decode(UInt64.self, from: bytes("18446744073709551615")) == .max)
        #expect(try decoder.decode(Int64.self, from: bytes("-9223372036854775808")) == .min)
        let rlimit = Spec.Rlimit(type: "RLIMIT_CORE", hard: .max, soft: .max)
        #expect(text(try sorted.encode(rlimit)) == #"{"hard":18446744073709551615,"soft":18446744073709551615,"type":"RLIMIT_CORE"}"#)
    }

    @Test func numbersLikeFoundation() throws {
        #expect(try decoder.decode(Int.self, from: bytes("1.0")) == 1)
        #expect(try decoder.decode(Int.self, from: bytes("1e2")) == 100)
        #expect(try decoder.decode(UInt8.self, from: bytes("2.55e2")) == 255)
        #expect(try decoder.decode(Double.self, from: bytes("1")) == 1)
        #expect(try decoder.decode(Float.self, from: bytes("0.1")) == Float(0.1))
        #expect(try decoder.decode(Double.self, from: bytes("1e-400")) == 0)
        for (type, input) in [(Int.self as any Decodable.Type, "1.5"), (UInt8.self, "300"), (UInt.self, "-1"),
                              (Int8.self, "-129"), (Int.self, "9223372036854775808"), (Double.self, "1e400"), (Float.self, "1e39")] {
            #expect(throws: DecodingError.self, "\(type) \(input)") { _ = try decoder.decode(type, from: bytes(input)) }
        }
    }

    @Test func unknownKeysAreIgnoredAndMissingOptionalsAreNil() throws {
        let v = try decoder.decode(Inner.self, from: bytes(#"{"extra": {"x": [1, {"y": null}]}, "name": "n"}"#))
        #expect(v == Inner(name: "n", tags: nil))
        #expect(try decoder.decode(Inner.self, from: bytes(#"{"name": "n", "tags": null}"#)).tags == nil)
    }

    @Test func nilOptionalsAreOmittedAndArrayNilsWritten() throws {
        #expect(text(try sorted.encode(Inner(name: "n"))) == #"{"name":"n"}"#)
        #expect(text(try sorted.encode([1, nil, 2] as [Int?])) == "[1,null,2]")
        #expect(text(try sorted.encode(["k": nil] as [String: Int?])) == #"{"k":null}"#)
    }

    @Test func duplicateKeysFirstWinsWhenDecoding() throws {
        #expect(try decoder.decode([String: Int].self, from: bytes(#"{"a": 1, "a": 2}"#)) == ["a": 1])
        #expect(try decoder.decode(Inner.self, from: bytes(#"{"name": "first", "name": "second"}"#)).name == "first")
        #expect(try decoder.decode(Message.self, from: bytes(#"{"go": {}, "go": {}}"#)) == .go)
        // More than 32 members use an index; it must agree.
        let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        let dict = try decoder.decode([String: Int].self, from: bytes("{" + many + #", "k3": 99}"#))
        #expect(dict.count == 40 && dict["k3"] == 3 && dict["k39"] == 39)
    }

    @Test func encodingAKeyTwiceKeepsTheLastValue() throws {
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: JSONKeyForTests.self)
                try c.encode(1, forKey: JSONKeyForTests("a"))
                try c.encode(2, forKey: JSONKeyForTests("b"))
                try c.encode(3, forKey: JSONKeyForTests("a"))
            }
        }
        #expect(text(try BerthJSONEncoder().encode(Twice())) == #"{"a":3,"b":2}"#)
        let big = Dictionary(uniqueKeysWithValues: (0..<100).map { ("key\($0)", $0) })
        #expect(try decoder.decode([String: Int].self, from: try sorted.encode(big)) == big)
    }

    @Test func encodingErrors() throws {
        #expect {
            _ = try sorted.encode(Floats(d: [1, .nan], f: []))
        } throws: { error in
            guard case EncodingError.invalidValue(_, let ctx) = error else { return false }
            return ctx.codingPath.map(\.stringValue) == ["d", "Index 1"] && ctx.debugDescription == "Unable to encode Double.nan directly in JSON."
        }
        #expect(throws: EncodingError.self) { _ = try sorted.encode(Float.infinity) }
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect {
            _ = try sorted.encode(Nothing())
        } throws: { error in
            guard case EncodingError.invalidValue(_, let ctx) = error else { return false }
            return ctx.debugDescription == "Top-level Nothing did not encode any values."
        }
        #expect(text(try sorted.encode([Nothing()])) == "[{}]")
    }

    @Test func userInfoReachesCoders() throws {
        let key = CodingUserInfoKey(rawValue: "mode")!
        struct Probe: Codable {
            var seen: String
            init(seen: String) { self.seen = seen }
            init(from decoder: any Decoder) throws { seen = decoder.userInfo[CodingUserInfoKey(rawValue: "mode")!] as? String ?? "none" }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.singleValueContainer()
                try c.encode(encoder.userInfo[CodingUserInfoKey(rawValue: "mode")!] as? String ?? "none")
            }
        }
        var d = BerthJSONDecoder()
        d.userInfo[key] = "decoding"
        #expect(try d.decode([Probe].self, from: bytes("[1]"))[0].seen == "decoding")
        var e = BerthJSONEncoder()
        e.userInfo[key] = "encoding"
        #expect(text(try e.encode([Probe(seen: "")])) == #"["encoding"]"#)
    }

    @Test func jsonValueWorksWithFoundationCoders() throws {
        let v: JSONValue = ["a": [1, -2, 1.5, "s", true, nil], "b": ["c": [:]]]
        let data = try Foundation.JSONEncoder().encode(v)
        #expect(try Foundation.JSONDecoder().decode(JSONValue.self, from: data)["a"] == v["a"])
        #expect(try decoder.decode(JSONValue.self, from: Array(data))["b"] == v["b"])
    }
}

struct JSONKeyForTests: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
