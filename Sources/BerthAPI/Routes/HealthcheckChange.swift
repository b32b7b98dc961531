import BerthAPIModels
import BerthOCI

/// The `HEALTHCHECK` instruction of `docker import --change` (and later `commit` and
/// the builder): `[--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D]
/// [--retries=N] CMD command…` or `NONE`, durations in Go's syntax (`1s`, `500ms`, `1m30s`).
enum HealthcheckChange {
    static func parse(_ args: String) throws(EngineError) -> ImageConfig.Healthcheck {
        var h = ImageConfig.Healthcheck()
        var rest = Substring(args.trimmingSpaces)
        while rest.hasPrefix("--") {
            let word = rest.prefix { $0 != " " }
            rest = rest.dropFirst(word.count).drop(while: { $0 == " " })
            let kv = word.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw .invalidArgument("HEALTHCHECK: invalid flag \(word)") }
            if kv[0] == "retries" {
                guard let n = Int(kv[1]), n >= 0 else { throw .invalidArgument("HEALTHCHECK: invalid retries \(kv[1])") }
                h.retries = n
                continue
            }
            guard let ns = goDuration(kv[1]) else { throw .invalidArgument("time: invalid duration \"\(kv[1])\"") }
            switch kv[0] {
            case "interval": h.interval = ns
            case "timeout": h.timeout = ns
            case "start-period": h.startPeriod = ns
            case "start-interval": h.startInterval = ns
            default: throw .invalidArgument("Unknown flag: \(kv[0])")
            }
        }
        let kind = rest.prefix { $0 != " " }.uppercased()
        let command = String(rest.dropFirst(kind.count)).trimmingSpaces
        switch kind {
        case "NONE":
            h.test = ["NONE"]
        case "CMD":
            if command.hasPrefix("["), let list = try? WireJSON.decode([String].self, from: Array(command.utf8)) {
                h.test = ["CMD"] + list
            } else {
                guard !command.isEmpty else { throw .invalidArgument("Missing command after HEALTHCHECK CMD") }
                h.test = ["CMD-SHELL", command]
            }
        default:
            throw .invalidArgument("Unknown type \"\(kind)\" in HEALTHCHECK (try CMD)")
        }
        return h
    }

    /// Go's `time.ParseDuration` for the units Dockerfiles use: `ns us ms s m h`.
    static func goDuration(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12)]
        var rest = Substring(text)
        var total = 0.0
        if rest == "0" { return 0 }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return Int64(total)
    }
}
