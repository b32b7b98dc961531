import BerthAPIModels
import BerthEngine
import BerthSystem

extension Router {
    /// `GET /events?since=&until=&filters=`: kept events from `since`, then live ones
    /// until `until` (or until the client goes), one JSON object per line.
    public mutating func addEventRoutes(_ engine: Engine) {
        get("/events") { req in
            let filter = try EventFilter(req.query["filters"])
            let now = EngineEvent.now()
            let since = try EventTime.parse(req.query["since"], name: "since", now: now)
            let until = try EventTime.parse(req.query["until"], name: "until", now: now)
            if let since, let until, since > until {
                throw EngineError.invalidArgument("`since` time (\(req.query["since"]!)) cannot be after `until` time (\(req.query["until"]!))")
            }
            return .stream { w in
                let (past, live, cancel) = engine.events.subscribe()
                defer { cancel() }
                if let since {
                    for e in past where e.timeNano >= since && e.timeNano <= (until ?? .max) && filter.matches(e) {
                        try await w.write(EventJSON.message(e).serializedBytes() + [0x0A])
                    }
                }
                if let until {
                    let wait = until - EngineEvent.now()
                    if wait <= 0 { return }
                    Task {
                        try? await Task.sleep(nanoseconds: UInt64(wait))
                        cancel()
                    }
                }
                for await e in live {
                    if let until, e.timeNano > until { return }
                    if filter.matches(e) { try await w.write(EventJSON.message(e).serializedBytes() + [0x0A]) }
                }
            }
        }
    }
}

/// Docker's `events.Message`; below API 1.52 container and image events also carry the
/// old `status`, `id` and `from` members, which the docker CLI 28 still reads.
enum EventJSON {
    static func message(_ e: EngineEvent) -> JSONValue {
        var out = JSONObject()
        if e.type == "container" || e.type == "image" {
            out["status"] = .string(e.action)
            out["id"] = .string(e.actorID)
            if e.type == "container", let image = e.attributes["image"] { out["from"] = .string(image) }
        }
        out["Type"] = .string(e.type)
        out["Action"] = .string(e.action)
        out["Actor"] = [
            "ID": .string(e.actorID),
            "Attributes": .object(JSONObject(e.attributes.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) })),
        ]
        out["scope"] = "local"
        out["time"] = .int(e.timeNano / 1_000_000_000)
        out["timeNano"] = .int(e.timeNano)
        return .object(out)
    }
}

/// `since`/`until` as the docker CLI sends them: Unix seconds with an optional
/// fraction (`1700000000.123456789`); an RFC 3339 time is taken too.
enum EventTime {
    static func parse(_ text: String?, name: String, now: Int64) throws(EngineError) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        if let seconds = Int64(parts[0]) {
            var nanos: Int64 = 0
            if parts.count == 2 {
                let digits = String(parts[1].prefix(9))
                guard let n = Int64(digits.isEmpty ? "0" : digits) else { throw .invalidArgument("invalid value for \(name): \(text)") }
                nanos = n
                for _ in digits.count..<9 { nanos *= 10 }
            }
            return seconds * 1_000_000_000 + nanos
        }
        if let seconds = WallClock.epochSeconds(text) { return Int64(seconds) * 1_000_000_000 }
        throw .invalidArgument("invalid value for \(name): \(text)")
    }
}

/// moby's event filter (daemon/events/filter.go): every given key must match.
struct EventFilter {
    var terms: [String: [String]] = [:]
    static let known = ["config", "container", "daemon", "event", "image", "label", "network", "node", "plugin",
                        "scope", "secret", "service", "type", "volume"]

    init(_ raw: String?) throws(EngineError) {
        guard let raw, !raw.isEmpty else { return }
        guard let value = try? WireJSON.decode(JSONValue.self, from: Array(raw.utf8)), case .object(let object) = value else {
            throw .invalidArgument("invalid filter: \(raw)")
        }
        for member in object {
            guard Self.known.contains(member.key) else { throw .invalidArgument("invalid filter '\(member.key)'") }
            switch member.value {
            case .object(let set): terms[member.key] = set.keys
            case .array(let items): terms[member.key] = items.compactMap(\.stringValue)
            default: throw .invalidArgument("invalid filter: \(raw)")
            }
        }
    }

    /// No filter for `key`, or one equal to `value`.
    private func exact(_ key: String, _ value: String?) -> Bool {
        guard let wanted = terms[key] else { return true }
        guard let value else { return false }
        return wanted.contains(value)
    }

    /// No filter for `key`, or one equal to `value` or a prefix of it.
    private func fuzzy(_ key: String, _ value: String?) -> Bool {
        guard let wanted = terms[key] else { return true }
        guard let value else { return false }
        return wanted.contains { value == $0 || value.hasPrefix($0) }
    }

    private static func stripTag(_ s: String) -> String {
        guard let colon = s.lastIndex(of: ":"), !s[colon...].contains("/") else { return s }
        return String(s[..<colon])
    }

    func matches(_ e: EngineEvent) -> Bool {
        // `event=health_status` (no colon) matches `health_status: healthy`, as in moby.
        let fuzzyActions = ["health_status", "exec_create", "exec_start"]
        let eventOK = (terms["event"] ?? []).contains(where: fuzzyActions.contains)
            ? (terms["event"] ?? []).contains { e.action == $0 || e.action.hasPrefix($0) } : exact("event", e.action)
        guard eventOK, exact("type", e.type), exact("scope", "local") else { return false }
        guard terms["container"] == nil
            || e.type == "container" && (fuzzy("container", e.actorID) || fuzzy("container", e.attributes["name"])) else { return false }
        if terms["image"] != nil {
            let name = e.attributes[e.type == "image" ? "name" : "image"]
            let ok = exact("image", e.actorID) || exact("image", name) || exact("image", Self.stripTag(e.actorID))
                || name.map { exact("image", Self.stripTag($0)) } == true
            if !ok { return false }
        }
        for key in ["volume", "network", "daemon", "plugin", "node", "service", "secret", "config"] where terms[key] != nil {
            guard e.type == key, fuzzy(key, e.actorID) || fuzzy(key, e.attributes["name"]) else { return false }
        }
        for label in terms["label"] ?? [] {
            let kv = label.split(separator: "=", maxSplits: 1).map(String.init)
            guard let v = e.attributes[kv[0]] else { return false }
            if kv.count == 2 && v != kv[1] { return false }
        }
        return true
    }
}
