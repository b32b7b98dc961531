/// One challenge of a `WWW-Authenticate` header (RFC 7235 §4.1), e.g.
/// `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"`.
struct AuthChallenge: Sendable, Hashable {
    /// The scheme, lowercased: `basic`, `bearer`.
    var scheme: String
    /// The auth-params, keys lowercased, values unquoted.
    var parameters: [String: String]

    /// Every challenge in the given header values, in order. Unparseable parts are skipped.
    static func parse(_ headerValues: [String]) -> [AuthChallenge] {
        headerValues.flatMap { parseOne($0) }
    }

    private static func parseOne(_ value: String) -> [AuthChallenge] {
        var s = Substring(value)
        var out: [AuthChallenge] = []
        while true {
            skip(&s, while: { $0 == " " || $0 == "," || $0 == "\t" })
            let scheme = token(&s)
            guard !scheme.isEmpty else { break }
            var params: [String: String] = [:]
            // auth-params: `key=value` pairs separated by commas, until a token followed by
            // whitespace (the next challenge's scheme) or the end.
            while true {
                var probe = s
                skip(&probe, while: { $0 == " " || $0 == "," || $0 == "\t" })
                let key = token(&probe)
                skip(&probe, while: { $0 == " " || $0 == "\t" })
                guard !key.isEmpty, probe.first == "=" else { break }
                probe.removeFirst()
                skip(&probe, while: { $0 == " " || $0 == "\t" })
                let value = probe.first == "\"" ? quoted(&probe) : token(&probe)
                params[key.lowercased()] = value
                s = probe
            }
            out.append(AuthChallenge(scheme: scheme.lowercased(), parameters: params))
        }
        return out
    }

    private static func skip(_ s: inout Substring, while pred: (Character) -> Bool) {
        while let c = s.first, pred(c) { s.removeFirst() }
    }

    /// An RFC 7230 token (and the base64 `token68` form, which may end in `=`; not needed here).
    private static func token(_ s: inout Substring) -> String {
        var out = ""
        while let c = s.first, c != " ", c != ",", c != "=", c != "\"", c != "\t" {
            out.append(c)
            s.removeFirst()
        }
        return out
    }

    private static func quoted(_ s: inout Substring) -> String {
        s.removeFirst()
        var out = ""
        while let c = s.first {
            s.removeFirst()
            if c == "\"" { break }
            if c == "\\", let next = s.first {
                out.append(next)
                s.removeFirst()
            } else {
                out.append(c)
            }
        }
        return out
    }
}
