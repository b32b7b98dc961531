import BerthAPIModels
import BerthEngine
import BerthOCI
import BerthSystem

/// `filters=` of `GET /images/json` (dangling, reference, label, before, since, until) and
/// `POST /images/prune` (dangling, label, until), with Docker's meanings
/// (moby `daemon/images/images.go`).
struct ImageFilters {
    var terms: [String: [String]] = [:]
    /// Creation times of the `before` and `since` images, resolved by the caller.
    var beforeTime: Int64?
    var sinceTime: Int64?

    init(_ raw: String?, allowed: [String]) throws {
        terms = try FilterTerms.parse(raw, allowed: allowed)
        guard !terms.isEmpty else { return }
        _ = try dangling()
        _ = try until(now: 0)
    }

    /// `dangling=true|false`, nil when absent.
    func dangling() throws -> Bool? {
        guard let values = terms["dangling"], let value = values.last else { return nil }
        switch value.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw EngineError.invalidArgument("invalid filter 'dangling=\(value)'")
        }
    }

    /// `until=`: seconds since the epoch, an RFC 3339 time, or a duration before `now`
    /// (`24h`, `90m`, `10s`), as Docker accepts.
    func until(now: Int64) throws -> Int64? {
        guard let value = terms["until"]?.last else { return nil }
        if let seconds = Int64(value) { return seconds }
        if let t = WallClock.epochSeconds(value) { return Int64(t) }
        if let unit = value.last, let n = Int64(value.dropLast()), let scale = ["h": 3600, "m": 60, "s": 1][unit] {
            return now - n * Int64(scale)
        }
        throw EngineError.invalidArgument("invalid filter 'until=\(value)'")
    }

    /// The names to show for `image`, or nil when the filters leave it out. A `reference`
    /// filter also narrows the names to the matching ones, as Docker does.
    func select(_ image: ImageSummary, now: Int64) throws -> [Reference]? {
        var names = image.names
        if let patterns = terms["reference"] {
            names = names.filter { ref in patterns.contains { GlobPattern.matches(ref, pattern: $0) } }
            if names.isEmpty { return nil }
        }
        let tagged = names.contains { $0.tag != nil }
        switch try dangling() {
        case true?: if tagged { return nil }
        case false?: if names.isEmpty { return nil }
        case nil: break
        }
        if !labelsMatch(image.config.config?.labels ?? [:]) { return nil }
        if let t = beforeTime, image.createdSeconds >= t { return nil }
        if let t = sinceTime, image.createdSeconds <= t { return nil }
        if let t = try until(now: now), image.createdSeconds >= t { return nil }
        return names
    }

    /// `label=key`, `label=key=value`; for prune also `label!=…`, which must not match.
    func labelsMatch(_ labels: [String: String]) -> Bool {
        func has(_ term: String) -> Bool {
            let kv = term.split(separator: "=", maxSplits: 1).map(String.init)
            guard let key = kv.first, let v = labels[key] else { return false }
            return kv.count == 1 || v == kv[1]
        }
        return (terms["label"] ?? []).allSatisfy(has) && !(terms["label!"] ?? []).contains(where: has)
    }
}

/// Go's `path.Match` as Docker's `reference.FamiliarMatch` uses it: `*` is any run of
/// characters other than `/`, `?` one such character, `[a-z]` and `[^a-z]` classes, `\`
/// escapes. A reference matches by its familiar string (`busybox:latest`) or name (`busybox`).
enum GlobPattern {
    static func matches(_ ref: Reference, pattern: String) -> Bool {
        match(Array(pattern), Array(ref.familiarString)) || match(Array(pattern), Array(ref.familiarName))
    }

    static func match(_ p: [Character], _ s: [Character]) -> Bool {
        var pi = 0, si = 0
        var star: (p: Int, s: Int)?
        while si < s.count {
            if pi < p.count, p[pi] == "*" {
                star = (pi, si)
                pi += 1
                continue
            }
            if pi < p.count, let next = single(p, pi, s[si]) {
                pi = next
                si += 1
                continue
            }
            // Backtrack: let the last `*` take one more character, never a `/`.
            guard let st = star, s[st.s] != "/" else { return false }
            star = (st.p, st.s + 1)
            pi = st.p + 1
            si = st.s + 1
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// If the pattern element at `i` matches `c`, the index after it.
    private static func single(_ p: [Character], _ i: Int, _ c: Character) -> Int? {
        switch p[i] {
        case "?": return c == "/" ? nil : i + 1
        case "\\": return i + 1 < p.count && p[i + 1] == c ? i + 2 : nil
        case "[":
            var j = i + 1
            let negated = j < p.count && p[j] == "^"
            if negated { j += 1 }
            var found = false
            var first = true
            while j < p.count && (p[j] != "]" || first) {
                first = false
                var lo = p[j]
                if lo == "\\", j + 1 < p.count { j += 1; lo = p[j] }
                var hi = lo
                if j + 2 < p.count, p[j + 1] == "-", p[j + 2] != "]" {
                    hi = p[j + 2]
                    j += 2
                }
                if lo <= c && c <= hi { found = true }
                j += 1
            }
            guard j < p.count else { return nil }               // unterminated class: no match
            return found != negated && c != "/" ? j + 1 : nil
        default: return p[i] == c ? i + 1 : nil
        }
    }
}
