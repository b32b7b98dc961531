import BerthJSON
import BerthOCI
import Testing

/// Random mutations of a real OCI config: the parser and decoder may refuse them but must
/// never crash, and whatever parses must serialize and parse back to the same value.
@Suite struct FuzzTests {
    static let interesting: [UInt8] = Array(#"{}[]:,"\/ -+.eE0159tfnu"#.utf8) + [0x00, 0x01, 0x0A, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !b.isEmpty else { return interesting.shuffled(using: &rng) }
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: b[i] = interesting.randomElement(using: &rng)!
            case 1: b[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 2: b.insert(interesting.randomElement(using: &rng)!, at: i)
            case 3: b.remove(at: i)
            case 4: b.removeSubrange(i...)
            case 5:
                let j = min(b.count, i + Int.random(in: 1...64, using: &rng))
                b.insert(contentsOf: b[i..<j], at: Int.random(in: 0...b.count, using: &rng))
            case 6:
                let j = min(b.count, i + Int.random(in: 1...256, using: &rng))
                b.removeSubrange(i..<j)
            default:
                b.insert(contentsOf: Array(repeating: UInt8(ascii: Bool.random(using: &rng) ? "[" : "{"), count: 600), at: i)
            }
        }
        return b
    }

    @Test func mutatedConfigsNeverCrash() throws {
        let compact = try Fixture.specJSON()
        let pretty = try Fixture.specJSON(pretty: true)
        var rng = SplitMix64(state: 0xBE27)
        var parsed = 0, decoded = 0
        for round in 0..<3000 {
            let input = Self.mutate(round % 2 == 0 ? compact : pretty, &rng)
            if let value = try? JSONValue(parsing: input) {
                parsed += 1
                let again = try JSONValue(parsing: value.serialized())
                #expect(again == value, "round \(round)")
                _ = try JSONValue(parsing: value.serialized(pretty: true, sortedKeys: true))
            }
            if (try? OCIJSON.decode(Spec.self, from: input)) != nil { decoded += 1 }
            _ = OCIJSON.describe(OCIJSONError.capture { _ = try OCIJSON.decode(Spec.Process.self, from: input) })
        }
        // Most single-byte mutations break the syntax, but some land inside strings.
        #expect(parsed > 100)
        #expect(decoded > 50)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(state: 42)
        for _ in 0..<2000 {
            let input = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in Self.interesting.randomElement(using: &rng)! }
            _ = try? JSONValue(parsing: input)
            _ = try? BerthJSONDecoder().decode([String: [Int?]].self, from: input)
        }
    }
}

struct Succeeded: Error {}

enum OCIJSONError {
    /// The error `body` throws, or a placeholder when it succeeds.
    static func capture(_ body: () throws -> Void) -> any Error {
        do {
            try body()
            return Succeeded()
        } catch {
            return error
        }
    }
}
