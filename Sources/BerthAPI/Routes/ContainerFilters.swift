import BerthAPIModels
import BerthEngine
import BerthSystem

/// `GET /containers/json?filters=…`: `{"status":{"exited":true}}` or `{"status":["exited"]}`.
/// Supported: status, name, id, label, ancestor, exited, health.
struct ContainerFilters {
    var terms: [String: [String]] = [:]

    init(_ raw: String?) throws {
        terms = try FilterTerms.parse(raw, allowed: ["status", "name", "id", "label", "ancestor", "exited", "health"])
        let statuses = ["created", "restarting", "running", "removing", "paused", "exited", "dead"]
        for s in terms["status"] ?? [] where !statuses.contains(s) {
            throw EngineError.invalidArgument("invalid filter 'status=\(s)'")
        }
        for h in terms["health"] ?? [] where !["starting", "healthy", "unhealthy", "none"].contains(h) {
            throw EngineError.invalidArgument("Unrecognised filter value for health: \(h)")
        }
    }

    /// A status filter other than running reaches stopped containers without `all`.
    var wantsStopped: Bool { (terms["status"] ?? []).contains { $0 != "running" } || terms["exited"] != nil }

    func matches(_ c: Container) -> Bool {
        if let s = terms["status"], !s.contains(c.state.status) { return false }
        if let n = terms["name"], !n.contains(where: { c.name.includes($0.hasPrefix("/") ? String($0.dropFirst()) : $0) }) { return false }
        if let h = terms["health"], !h.contains(c.state.health?.status ?? "none") { return false }
        if let i = terms["id"], !i.contains(where: { c.id.hasPrefix($0) }) { return false }
        if let e = terms["exited"], !(c.state.status == "exited" && e.contains(String(c.state.exitCode))) { return false }
        if let a = terms["ancestor"], !a.contains(where: { $0 == c.image || c.imageID.description.hasPrefix($0)
            || c.imageID.encoded.hasPrefix($0) || $0 + ":latest" == c.image }) { return false }
        for label in terms["label"] ?? [] {
            let kv = label.split(separator: "=", maxSplits: 1).map(String.init)
            guard let v = c.config.labels?[kv[0]] else { return false }
            if kv.count == 2 && v != kv[1] { return false }
        }
        return true
    }
}

/// The `filters=` query parameter of list and prune routes: a JSON object of name → values,
/// each either `{"v": true}` (what the docker CLI sends) or `["v"]`.
enum FilterTerms {
    static func parse(_ raw: String?, allowed: [String]) throws -> [String: [String]] {
        guard let raw, !raw.isEmpty else { return [:] }
        let value: JSONValue
        do { value = try WireJSON.decode(JSONValue.self, from: Array(raw.utf8)) } catch {
            throw EngineError.invalidArgument("invalid filter: \(raw)")
        }
        guard case .object(let object) = value else { throw EngineError.invalidArgument("invalid filter: \(raw)") }
        var terms: [String: [String]] = [:]
        for member in object {
            guard allowed.contains(member.key) else { throw EngineError.invalidArgument("invalid filter '\(member.key)'") }
            switch member.value {
            case .object(let set): terms[member.key] = set.keys
            case .array(let items): terms[member.key] = items.compactMap(\.stringValue)
            default: throw EngineError.invalidArgument("invalid filter: \(raw)")
            }
        }
        return terms
    }
}
