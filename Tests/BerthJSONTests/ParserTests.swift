import Testing
@testable import BerthJSON

@Suite struct ParserTests {
    func parse(_ s: String) throws -> JSONValue { try JSONValue(parsing: bytes(s)) }

    func syntaxError(_ input: [UInt8], maxDepth: Int = 512) -> JSONSyntaxError? {
        do {
            _ = try JSONValue(parsing: input, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }

    @Test func scalarsAndContainers() throws {
        #expect(try parse(" null ") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("\"x\"") == .string("x"))
        #expect(try parse("-0") == .number(JSONNumber("-0")!))
        #expect(try parse("[1, [2, {}], []]") == [1, [2, [:]], []])
        #expect(try parse(#"{"b": 1, "a": [true, null]}"#) == ["b": 1, "a": [true, nil]])
        #expect(try parse("\t\r\n{ }\n") == .object([]))
    }

    @Test func membersKeepDocumentOrderAndDuplicates() throws {
        let v = try parse(#"{"z": 1, "a": 2, "z": 3}"#)
        #expect(v.objectValue?.map(\.key) == ["z", "a", "z"])
        #expect(v["z"] == 1)
    }

    @Test func numbersKeepTheirText() throws {
        for literal in ["18446744073709551615", "-9223372036854775808", "1.10", "1e400", "-0.0", "12345678901234567890123"] {
            let v = try parse(literal)
            #expect(v == .number(JSONNumber(literal)!))
            #expect(text(v.serialized()) == literal)
        }
        #expect(try parse("18446744073709551615").uint64Value == UInt64.max)
        #expect(try parse("-9223372036854775808").int64Value == Int64.min)
        #expect(try parse("18446744073709551616").uint64Value == nil)
        #expect(try parse("1e400").doubleValue == nil)
    }

    @Test func integerConversionIsExact() {
        func int<T: FixedWidthInteger>(_ s: String, _: T.Type = Int.self) -> T? { JSONNumber(s)!.integer(as: T.self) }
        #expect(int("1.0") == 1)
        #expect(int("1e2") == 100)
        #expect(int("100e-2") == 1)
        #expect(int("-0") == 0)
        #expect(int("-0", UInt.self) == 0)
        #expect(int("0.000e5") == 0)
        #expect(int("1.5") == nil)
        #expect(int("1e-2") == nil)
        #expect(int("-1", UInt.self) == nil)
        #expect(int("300", UInt8.self) == nil)
        #expect(int("255", UInt8.self) == 255)
        #expect(int("-128", Int8.self) == -128)
        #expect(int("-129", Int8.self) == nil)
        #expect(int("9223372036854775807") == Int.max)
        #expect(int("9223372036854775808") == nil)
        #expect(int("9.223372036854775807e18") == Int.max)
        #expect(int("9007199254740993.0") == 9_007_199_254_740_993)
        #expect(int("1e999999999999999999") == nil)
        #expect(int("0e999999999999999999") == 0)
    }

    @Test func numberSyntaxIsChecked() {
        for bad in ["01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "- 1", "1.e5", "--1", "Infinity", "NaN"] {
            #expect(JSONNumber(bad) == nil, "\(bad)")
            #expect(syntaxError(bytes(bad)) != nil, "\(bad)")
        }
        for good in ["0", "-0", "1.5e-7", "1E+2", "0.0", "123"] { #expect(JSONNumber(good) != nil, "\(good)") }
    }

    @Test func escapes() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""caf\u00e9 \u00E9""#) == .string("café é"))
        #expect(try parse(#""\ud83d\ude00 \uD83D\uDE00""#) == .string("😀 😀"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try parse("\"é😀\u{7f}\"") == .string("é😀\u{7f}"))
    }

    @Test func errorsNameTheOffsetAndProblem() {
        let cases: [(String, Int, String)] = [
            ("", 0, "expected a value, found end of input"),
            (#"{"ociVersion": "1.2.0", "process": {"#, 36, "expected a string key, found end of input"),
            ("[1, 2,]", 6, "trailing comma before ']'"),
            (#"{"a": 1,}"#, 8, "trailing comma before '}'"),
            ("[1 2]", 3, "expected ',' or ']' after an array element, found '2'"),
            (#"{"a" 1}"#, 5, "expected ':' after an object key, found '1'"),
            (#"{"a": 1 "b": 2}"#, 8, "expected ',' or '}' after an object member, found '\"'"),
            ("{a: 1}", 1, "expected a string key, found 'a'"),
            ("[01]", 2, "leading zeros are not allowed"),
            ("tru", 3, "invalid literal, expected 'true'"),
            ("nul!", 3, "invalid literal, expected 'null'"),
            ("1 2", 2, "unexpected '2' after the top-level value"),
            ("{} x", 3, "unexpected 'x' after the top-level value"),
            (#""abc"#, 4, "unterminated string"),
            (#""a\x""#, 3, #"invalid escape '\x'"#),
            (#""\u12G4""#, 5, #"expected 4 hex digits after \u, found 'G'"#),
            (#""\ud800""#, 1, #"lone high surrogate \uD800"#),
            (#""\ud800x""#, 1, "lone high surrogate"),
            (#""\ud800\u0041""#, 7, #"high surrogate \uD800 followed by \u0041"#),
            (#""\udc00""#, 1, #"lone low surrogate \uDC00"#),
            ("\"a\u{1}\"", 2, "control character 0x01 in a string must be escaped"),
            ("\"a\nb\"", 2, "control character 0x0A"),
            ("[1,\n  x]", 6, "expected a value, found 'x'"),
            ("\u{feff}{}", 0, "expected a value, found byte 0xEF"),
        ]
        for (input, offset, problem) in cases {
            guard let e = syntaxError(bytes(input)) else {
                Issue.record("accepted \(input)")
                continue
            }
            #expect(e.offset == offset, "\(input): \(e)")
            #expect(e.problem.contains(problem), "\(input): \(e)")
        }
        let e = syntaxError(bytes("{\n  \"a\": [1,\n    ]\n}"))
        #expect(e?.line == 3 && e?.column == 5)
        #expect(e?.description == "trailing comma before ']' at line 3, column 5 (byte 17)")
    }

    @Test func invalidUTF8IsRefused() {
        let cases: [([UInt8], Int)] = [
            ([0x22, 0xFF, 0x22], 1),                  // never valid
            ([0x22, 0xC0, 0x80, 0x22], 1),            // overlong NUL
            ([0x22, 0xE0, 0x80, 0x80, 0x22], 2),      // overlong
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 2),      // UTF-16 surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2), // past U+10FFFF
            ([0x22, 0xC3, 0x22], 2),                  // truncated
            ([0x22, 0x80, 0x22], 1),                  // lone continuation
            ([0x22, 0xE2, 0x82], 3),                  // truncated at end of input
        ]
        for (input, offset) in cases {
            let e = syntaxError(input)
            #expect(e?.offset == offset, "\(input): \(String(describing: e))")
        }
        #expect(syntaxError([0x22, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == nil)
    }

    @Test func nestingIsLimited() {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(syntaxError(bytes(ok)) == nil)
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(syntaxError(bytes(deep))?.problem == "nesting deeper than 512 levels")
        #expect(syntaxError(bytes(String(repeating: #"{"a":"#, count: 100_000)))?.offset == 512 * 5)
        #expect(syntaxError(bytes(String(repeating: "[", count: 1_000_000))) != nil)
        #expect(syntaxError(bytes("[[[1]]]"), maxDepth: 2) != nil)
    }

    @Test func serializerCompactAndPretty() throws {
        let v: JSONValue = ["b": [1, "x/y", [:], []], "a": nil, "c": ["d": true]]
        #expect(text(v.serialized()) == #"{"b":[1,"x/y",{},[]],"a":null,"c":{"d":true}}"#)
        #expect(text(v.serialized(sortedKeys: true)) == #"{"a":null,"b":[1,"x/y",{},[]],"c":{"d":true}}"#)
        #expect(text(v.serialized(pretty: true, sortedKeys: true)) == """
            {
              "a" : null,
              "b" : [
                1,
                "x/y",
                {

                },
                [

                ]
              ],
              "c" : {
                "d" : true
              }
            }
            """)
        #expect(text(JSONValue.array([]).serialized(pretty: true)) == "[\n\n]")
    }

    @Test func serializerEscapes() throws {
        let s: JSONValue = .string("\"\\/\u{0}\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\u{7f}é\u{2028}😀")
        #expect(text(s.serialized()) == #""\"\\/\u0000\u0001\b\t\n\f\r\u001f"# + "\u{7f}é\u{2028}😀\"")
        #expect(try JSONValue(parsing: s.serialized()) == s)
    }

    @Test func sortedKeysUseByteOrder() {
        let v: JSONValue = ["a10": 1, "a9": 2, "B": 3, "a": 4, "_": 5, "é": 6, "e": 7, "": 8]
        #expect(text(v.serialized(sortedKeys: true)) == #"{"":8,"B":3,"_":5,"a":4,"a10":1,"a9":2,"e":7,"é":6}"#)
    }

    @Test func parsesFromARawBuffer() throws {
        let input = bytes(#"{"k": [1, 2]}xyz"#)
        let v = try input.withUnsafeBytes { try JSONValue(parsing: UnsafeRawBufferPointer(rebasing: $0[0..<13])) }
        #expect(v == ["k": [1, 2]])
    }
}
