import BerthJSON

// Codable shapes the round-trip and Foundation comparison tests share.

struct Integers: Codable, Equatable {
    var i: Int, i8: Int8, i16: Int16, i32: Int32, i64: Int64
    var u: UInt, u8: UInt8, u16: UInt16, u32: UInt32, u64: UInt64

    static let max = Integers(i: .max, i8: .max, i16: .max, i32: .max, i64: .max, u: .max, u8: .max, u16: .max, u32: .max, u64: .max)
    static let min = Integers(i: .min, i8: .min, i16: .min, i32: .min, i64: .min, u: .min, u8: .min, u16: .min, u32: .min, u64: .min)
}

struct Floats: Codable, Equatable {
    var d: [Double]
    var f: [Float]
    static let sample = Floats(d: [0, -0.0, 1, 0.1, 1.5e-7, 1e-5, 1e15, 1e16, 1e20, 123456789.125, -2.5, .leastNonzeroMagnitude,
                                   .greatestFiniteMagnitude, 0.30000000000000004],
                               f: [0, 0.1, 1e20, 3.4028235e38, 16777216, -1.25])
}

enum Color: String, Codable, Equatable { case red, green, blue = "BLUE" }
enum Level: Int, Codable, Equatable { case low = 1, high = 10 }

enum Message: Codable, Equatable {
    case go
    case failed(stage: String, errno: Int32?)
    case pair(Int, String)
}

struct Inner: Codable, Equatable {
    var name: String
    var tags: [String]?
}

struct Everything: Codable, Equatable {
    var flag: Bool
    var text: String
    var optionalPresent: String?
    var optionalAbsent: Int?
    var integers: Integers
    var nested: Inner
    var list: [Inner]
    var optionals: [Int?]
    var nestedArrays: [[UInt64]]
    var dictionary: [String: Inner]
    var intKeyed: [Int: String]
    var color: Color
    var level: Level
    var colors: [Color: Int]?
    var messages: [Message]
    var json: JSONValue
    var empty: [String: [String]]

    static let sample = Everything(
        flag: true, text: "héllo \"wörld\" / \\ \u{1}\t😀", optionalPresent: "here", optionalAbsent: nil,
        integers: .max, nested: Inner(name: "n", tags: nil), list: [Inner(name: "a", tags: ["x", "y"]), Inner(name: "b", tags: [])],
        optionals: [1, nil, 3], nestedArrays: [[], [UInt64.max, 0]],
        dictionary: ["z": Inner(name: "z"), "a/b": Inner(name: "ab", tags: ["t"]), "é": Inner(name: "e")],
        intKeyed: [3: "three", -1: "minus one"], color: .blue, level: .high, colors: nil,
        messages: [.go, .failed(stage: "pivot_root", errno: 22), .failed(stage: "x", errno: nil), .pair(1, "one")],
        json: ["k": [1, "two", nil, true, ["deep": 1.5]]], empty: [:])
}

/// Custom coding with nested keyed and unkeyed containers and a superclass.
class Base: Codable {
    var id: Int
    init(id: Int) { self.id = id }
}

final class Derived: Base, @unchecked Sendable {
    var extra: [String]
    var point: (x: Int, y: Int)

    enum CodingKeys: String, CodingKey { case extra, geometry }
    enum GeometryKeys: String, CodingKey { case point, size }

    init(id: Int, extra: [String], point: (Int, Int)) {
        self.extra = extra
        self.point = point
        super.init(id: id)
    }

    required init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        extra = try c.decode([String].self, forKey: .extra)
        let g = try c.nestedContainer(keyedBy: GeometryKeys.self, forKey: .geometry)
        var p = try g.nestedUnkeyedContainer(forKey: .point)
        point = (try p.decode(Int.self), try p.decode(Int.self))
        try super.init(from: try c.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(extra, forKey: .extra)
        var g = c.nestedContainer(keyedBy: GeometryKeys.self, forKey: .geometry)
        var p = g.nestedUnkeyedContainer(forKey: .point)
        try p.encode(point.x)
        try p.encode(point.y)
        try super.encode(to: c.superEncoder())
    }
}

/// An array of heterogeneous values coded by hand through an unkeyed container.
struct Mixed: Codable, Equatable {
    var values: [Either]

    enum Either: Equatable { case int(Int), string(String), null }

    init(values: [Either]) { self.values = values }

    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        values = []
        while !c.isAtEnd {
            if try c.decodeNil() {
                values.append(.null)
            } else if let i = try? c.decode(Int.self) {
                values.append(.int(i))
            } else {
                values.append(.string(try c.decode(String.self)))
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for v in values {
            switch v {
            case .int(let i): try c.encode(i)
            case .string(let s): try c.encode(s)
            case .null: try c.encodeNil()
            }
        }
    }
}
