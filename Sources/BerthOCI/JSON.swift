import BerthJSON

/// JSON coding shared by every OCI and Docker format: sorted keys so output is stable.
/// BerthJSON, not Foundation, so the runtime and the shim stay small.
public enum OCIJSON {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try BerthJSONDecoder().decode(type, from: bytes)
    }

    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> [UInt8] {
        try BerthJSONEncoder(sortedKeys: true, pretty: pretty).encode(value)
    }

    /// A decoding error as one line naming the field that failed, e.g.
    /// `linux.namespaces[2].type: unknown namespace type "foo"`, or
    /// `invalid JSON: expected a value, found end of input at line 1, column 37 (byte 36)`.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out.isEmpty ? "(top level)" : out
        }
        switch error {
        case .typeMismatch(let type, let ctx):
            return "\(path(ctx.codingPath)): expected \(type)\(ctx.debugDescription.isEmpty ? "" : ": " + ctx.debugDescription)"
        case .valueNotFound(_, let ctx):
            return "\(path(ctx.codingPath)): missing value"
        case .keyNotFound(let key, let ctx):
            return "\(path(ctx.codingPath + [key])): missing required field"
        case .dataCorrupted(let ctx):
            if ctx.codingPath.isEmpty { return "invalid JSON: \(ctx.underlyingError.map { "\($0)" } ?? ctx.debugDescription)" }
            if let underlying = ctx.underlyingError { return "\(path(ctx.codingPath)): invalid JSON: \(underlying)" }
            return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
