/// A key for members and array elements the decoder and encoder make themselves: `super`,
/// dictionary keys, and `Index N` for array elements (with `intValue` N, as Foundation does).
struct JSONKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    init(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
    init(index: Int) { stringValue = "Index \(index)"; intValue = index }

    static let `super` = JSONKey(stringValue: "super")
}

/// The coding path as a linked list, so that going one level deeper is one small
/// allocation and the `[CodingKey]` array is only built for errors and callers that ask.
enum CodingPath {
    case root
    indirect case key(any CodingKey, CodingPath)
    indirect case index(Int, CodingPath)

    func appending(_ key: any CodingKey) -> CodingPath { .key(key, self) }

    var keys: [any CodingKey] {
        var reversed: [any CodingKey] = []
        var node = self
        while true {
            switch node {
            case .root: return reversed.reversed()
            case .key(let key, let parent): reversed.append(key); node = parent
            case .index(let i, let parent): reversed.append(JSONKey(index: i)); node = parent
            }
        }
    }
}
