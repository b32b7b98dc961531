#if canImport(Glibc)
import Glibc
#endif
import BerthAPIModels
import BerthClient

extension Command {
    /// `berth events` = `berth system events`: `GET /events?since=&until=&filters=`,
    /// one line per event as the docker CLI prints them.
    static var events: Command {
        Command(
            name: "events", usage: "[OPTIONS]", summary: "Get real time events from the server",
            flags: [
                filterFlag,
                .string("format", usage: """
                    Format output using a custom template:
                    'json':             Print in JSON format
                    'TEMPLATE':         Print output using the given Go template.
                    Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates
                    """),
                .string("since", usage: "Show all events created since timestamp"),
                .string("until", usage: "Stream events until this timestamp"),
            ],
            arguments: .none,
            run: { invocation in try runEvents(invocation) })
    }
}

private func runEvents(_ invocation: Invocation) throws -> Int32 {
    let flags = invocation.flags
    var query: [(String, String)] = []
    if let since = flags.string("since"), !since.isEmpty { query.append(("since", try Clock.apiTimestamp(since))) }
    if let until = flags.string("until"), !until.isEmpty { query.append(("until", try Clock.apiTimestamp(until))) }
    query += try Filters.parse(flags.list("filter"))
    let format = invocation.format
    let template: OutputFormat?
    do { template = format.isEmpty ? nil : try OutputFormat(format, defaultTable: "") } catch {
        throw CLIError("template parsing error: \(error)", status: 1)
    }
    let stream = try invocation.client().stream(ClientRequest("GET", "/events", query: query))
    while let line = try stream.nextLine() {
        guard !line.isEmpty, let event = try? WireJSON.decode(JSONValue.self, from: Array(line.utf8)) else { continue }
        if let template {
            do { invocation.out.write(try template.render([event])) } catch {
                throw CLIError("template parsing error: \(error)", status: 1)
            }
        } else {
            invocation.out.line(EventLine.pretty(event))
        }
    }
    return 0
}

/// The docker CLI's `prettyPrintEvent`: time (RFC 3339 with nine fraction digits, local
/// zone), type, action, actor ID and the attributes sorted by key.
enum EventLine {
    static func pretty(_ e: JSONValue) -> String {
        var text = ""
        if let nanos = e["timeNano"]?.intValue, nanos != 0 {
            text = time(seconds: nanos / 1_000_000_000, nanos: nanos % 1_000_000_000) + " "
        } else if let seconds = e["time"]?.intValue, seconds != 0 {
            text = time(seconds: seconds, nanos: 0) + " "
        }
        text += "\(e["Type"]?.stringValue ?? "") \(e["Action"]?.stringValue ?? "") \(e["Actor"]?["ID"]?.stringValue ?? "")"
        let attributes = (e["Actor"]?["Attributes"]?.objectValue?.members ?? []).sorted { $0.key < $1.key }
        if !attributes.isEmpty {
            text += " (" + attributes.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ", ") + ")"
        }
        return text
    }

    /// Go's `2006-01-02T15:04:05.000000000Z07:00` in the local zone.
    static func time(seconds: Int64, nanos: Int64) -> String {
        var t = time_t(seconds)
        var tm = tm()
        localtime_r(&t, &tm)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let offset = tm.tm_gmtoff
        let zone = offset == 0 ? "Z" : (offset < 0 ? "-" : "+") + pad(abs(offset) / 3600, 2) + ":" + pad(abs(offset) / 60 % 60, 2)
        return "\(pad(Int(tm.tm_year) + 1900, 4))-\(pad(Int(tm.tm_mon) + 1, 2))-\(pad(Int(tm.tm_mday), 2))T"
            + "\(pad(Int(tm.tm_hour), 2)):\(pad(Int(tm.tm_min), 2)):\(pad(Int(tm.tm_sec), 2)).\(pad(Int(nanos), 9))" + zone
    }
}
