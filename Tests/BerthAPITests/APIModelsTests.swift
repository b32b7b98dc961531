import Testing
@testable import BerthAPIModels

@Suite struct APIVersionTests {
    @Test func parsesAndCompares() {
        #expect(APIVersion("1.41") == APIVersion(1, 41))
        #expect(APIVersion("v1.47") == APIVersion(1, 47))
        #expect(APIVersion("1.9")! < APIVersion("1.10")!)
        #expect(APIVersion("1") == nil)
        #expect(APIVersion("1.x") == nil)
        #expect(APIVersion("1.2.3") == nil)
        #expect(APIVersion("") == nil)
    }

    @Test func supportedRangeUsesDockersMessages() {
        #expect(APIVersion(1, 41).checkSupported() == nil)
        #expect(APIVersion(1, 99).checkSupported() == "client version 1.99 is too new. Maximum supported API version is 1.47")
        #expect(APIVersion(1, 12).checkSupported()?.hasPrefix("client version 1.12 is too old. Minimum supported API version is 1.24") == true)
    }
}

@Suite struct WireModelTests {
    @Test func versionEncodesDockerFieldNames() throws {
        let v = SystemVersion(
            platform: .init(name: "Berth Engine"), components: [], version: "0.1.0", apiVersion: "1.47",
            minAPIVersion: "1.24", gitCommit: "abc", goVersion: "swift6.3", os: "linux", arch: "amd64",
            kernelVersion: "6.1", buildTime: "2026-01-01T00:00:00Z")
        let text = String(decoding: try WireJSON.encode(v), as: UTF8.self)
        #expect(text == #"{"Platform":{"Name":"Berth Engine"},"Components":[],"Version":"0.1.0","ApiVersion":"1.47","MinAPIVersion":"1.24","GitCommit":"abc","GoVersion":"swift6.3","Os":"linux","Arch":"amd64","KernelVersion":"6.1","BuildTime":"2026-01-01T00:00:00Z"}"#)
        #expect(try WireJSON.decode(SystemVersion.self, from: Array(text.utf8)) == v)
    }

    @Test func infoRoundTrips() throws {
        var info = SystemInfo()
        info.id = "x"
        info.ncpu = 2
        info.memTotal = 1 << 33
        let bytes = try WireJSON.encode(info)
        let value = try JSONValue.parse(bytes)
        #expect(value["NCPU"] == .int(2))
        #expect(value["Swarm"]?["LocalNodeState"] == "inactive")
        #expect(try WireJSON.decode(SystemInfo.self, from: bytes) == info)
    }

    @Test func encoderKeepsOrderSortsMapsAndHandlesNesting() throws {
        struct Inner: Codable { var z = 1; var a: [String: Int] = ["b": 2, "a": 1]; var list: [[Int]] = [[1], []] }
        struct Outer: Codable { var name = "x"; var inner = Inner(); var missing: String? = nil; var flag = true; var ratio = 0.5 }
        #expect(String(decoding: try WireJSON.encode(Outer()), as: UTF8.self)
            == #"{"name":"x","inner":{"z":1,"a":{"a":1,"b":2},"list":[[1],[]]},"flag":true,"ratio":0.5}"#)
        enum Mode: String, Codable { case on }
        struct Manual: Encodable {
            func encode(to encoder: any Encoder) throws {
                var keyed = encoder.container(keyedBy: AnyKey.self)
                var nested = keyed.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("n"))
                try nested.encode(Mode.on, forKey: AnyKey("mode"))
                var list = keyed.nestedUnkeyedContainer(forKey: AnyKey("l"))
                var element = list.nestedContainer(keyedBy: AnyKey.self)
                try element.encode(UInt8(7), forKey: AnyKey("u"))
                try list.encodeNil()
            }
        }
        #expect(String(decoding: try WireJSON.encode(Manual()), as: UTF8.self) == #"{"n":{"mode":"on"},"l":[{"u":7},null]}"#)
    }

    @Test func errorResponse() throws {
        #expect(String(decoding: try WireJSON.encode(ErrorResponse(message: "page not found")), as: UTF8.self)
            == #"{"message":"page not found"}"#)
    }
}

@Suite struct JSONValueTests {
    @Test func keepsMemberOrderAndRoundTrips() throws {
        let text = #"{"b":1,"a":[true,false,null],"c":{"z":"x\ny","y":-1.5e3},"d":"\u00e9\ud83d\ude00"}"#
        let value = try JSONValue.parse(text)
        #expect(value.objectValue?.keys == ["b", "a", "c", "d"])
        #expect(value["c"]?["y"] == .double(-1500))
        #expect(value["d"] == "é😀")
        #expect(value.serialized() == #"{"b":1,"a":[true,false,null],"c":{"z":"x\ny","y":-1500},"d":"é😀"}"#)
    }

    @Test func escapesStringsLikeGo() {
        let value: JSONValue = ["k\"\\": .string("\"\\/\u{0}\u{1}\u{8}\u{9}\u{a}\u{d}\u{1b}\u{1f}\u{7f}é\u{2028}x\u{2029}😀\u{2027}")]
        let expected = #"{"k\"\\":"\"\\/\u0000\u0001\u0008\t\n\r\u001b\u001f"# + "\u{7f}é" + #"\u2028x\u2029"# + "😀\u{2027}\"}"
        #expect(value.serialized() == expected)
        #expect(value.serializedBytes() == Array(expected.utf8))
        #expect(JSONValue.array([.string("")]).serializedBytes() == Array(#"[""]"#.utf8))
    }

    @Test func parsesStringsWithAndWithoutEscapes() throws {
        #expect(try JSONValue.parse(#"["plain é", "ab\ncd\u00e9", "", "x\\"]"#)
            == .array([.string("plain é"), .string("ab\ncdé"), .string(""), .string("x\\")]))
        #expect(throws: JSONParseError.self) { try JSONValue.parse("\"abc") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("\"ab\\") }
    }

    @Test func prettyPrintsLikeGo() throws {
        let value = try JSONValue.parse(#"{"a":[1,2],"b":{},"c":[]}"#)
        #expect(value.serialized(indent: "    ") == "{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {},\n    \"c\": []\n}")
    }

    @Test func rejectsBadInput() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse("{") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("[1,]") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("1 2") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("\"a\u{01}\"") }
    }
}

@Suite struct MultiplexedStreamTests {
    @Test func framesRoundTripAcrossSplitReads() {
        let bytes = MultiplexedStream.frame(.stdout, Array("hello".utf8)) + MultiplexedStream.frame(.stderr, Array(repeating: 7, count: 300))
        #expect(Array(bytes.prefix(8)) == [1, 0, 0, 0, 0, 0, 0, 5])
        var decoder = MultiplexedStream.Decoder()
        var frames: [(kind: MultiplexedStream.Kind, payload: [UInt8])] = []
        for start in stride(from: 0, to: bytes.count, by: 7) {
            frames += decoder.feed(Array(bytes[start..<min(start + 7, bytes.count)]))
        }
        #expect(frames.count == 2)
        #expect(frames[0].kind == .stdout && frames[0].payload == Array("hello".utf8))
        #expect(frames[1].kind == .stderr && frames[1].payload.count == 300)
        #expect(decoder.pendingCount == 0)
    }
}
