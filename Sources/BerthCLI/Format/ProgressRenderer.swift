import BerthAPIModels
import BerthClient

/// Renders the daemon's JSON message streams (pull, push, load, import) as the docker
/// CLI's `jsonmessage.DisplayJSONMessagesStream` does. On a terminal each layer keeps
/// its own line, redrawn in place with cursor moves and a progress bar; otherwise
/// messages that carry a progress bar are left out and the rest printed one per line.
struct ProgressRenderer {
    let out: Output
    let isTerminal: Bool
    /// The terminal's width; the bar needs more than 110 columns, the time left 50.
    var width: Int
    var now: () -> Double = { Clock.now() }
    /// Called for `aux` messages (push digests, load results) instead of printing them.
    var onAux: ((JSONValue) -> Void)?
    private var lines: [String: Int] = [:]

    init(out: Output, isTerminal: Bool? = nil, width: Int? = nil) {
        self.out = out
        self.isTerminal = isTerminal ?? out.isTerminal
        self.width = width ?? out.fd.flatMap { Terminal.size($0)?.columns } ?? 200
    }

    /// Reads the whole stream; throws the first error message in it.
    mutating func consume(_ stream: ResponseStreamLines) throws {
        while let line = try stream.nextLine() {
            if line.trimmingCharacters(in: " \r\t").isEmpty { continue }
            guard let message = try? JSONValue.parse(line) else { continue }
            try display(message)
        }
    }

    /// Shows one message.
    mutating func display(_ message: JSONValue) throws(CLIError) {
        if let aux = message["aux"], aux != .null {
            onAux?(aux)
            return
        }
        let id = message["id"]?.stringValue ?? ""
        let progress = message["progressDetail"].flatMap { $0 == .null ? nil : $0 }
        let progressMessage = message["progress"]?.stringValue ?? ""
        var diff = 0
        if !id.isEmpty && (progress != nil || !progressMessage.isEmpty) {
            let line: Int
            if let known = lines[id] {
                line = known
            } else {
                line = lines.count
                lines[id] = line
                if isTerminal { out.write("\n") }
            }
            diff = lines.count - line
            if isTerminal && diff > 0 { out.write("\u{1B}[\(diff)A") }
        } else {
            // Anything else ends the block of layer lines.
            lines = [:]
        }
        try show(message, id: id, progress: progress, progressMessage: progressMessage)
        if !id.isEmpty && isTerminal && diff > 0 { out.write("\u{1B}[\(diff)B") }
    }

    private func show(_ message: JSONValue, id: String, progress: JSONValue?, progressMessage: String) throws(CLIError) {
        if let error = message["errorDetail"], error != .null {
            throw CLIError(error["message"]?.stringValue ?? message["error"]?.stringValue ?? "unknown error")
        }
        if let error = message["error"]?.stringValue, !error.isEmpty { throw CLIError(error) }
        let stream = message["stream"]?.stringValue ?? ""
        let status = message["status"]?.stringValue ?? ""
        let bar = progress.map { Self.bar($0, width: width, now: now()) } ?? ""
        var endl = ""
        if isTerminal && stream.isEmpty && progress != nil {
            out.write("\u{1B}[2K\r")
            endl = "\r"
        } else if progress != nil && !bar.isEmpty {
            return
        }
        var text = ""
        if !id.isEmpty { text += "\(id): " }
        if let from = message["from"]?.stringValue, !from.isEmpty { text += "(from \(from)) " }
        if progress != nil && isTerminal {
            text += "\(status) \(bar)\(endl)"
        } else if !progressMessage.isEmpty {
            text += "\(status) \(progressMessage)\(endl)"
        } else if !stream.isEmpty {
            text += "\(stream)\(endl)"
        } else {
            text += "\(status)\(endl)\n"
        }
        out.write(text)
    }

    /// `JSONProgress.String()`: `[=====>    ]  1.2MB/5MB 3s`.
    static func bar(_ detail: JSONValue, width: Int, now: Double) -> String {
        let current = detail["current"]?.intValue ?? 0
        let total = detail["total"]?.intValue ?? 0
        let start = detail["start"]?.intValue ?? 0
        let units = detail["units"]?.stringValue ?? ""
        let hideCounts = detail["hidecounts"]?.boolValue ?? false
        if current <= 0 && total <= 0 { return "" }
        if total <= 0 {
            return units.isEmpty ? pad(HumanUnits.size(Double(current)), 8) : "\(current) \(units)"
        }
        let percentage = min(50, Int(Double(current) / Double(total) * 100) / 2)
        var barBox = ""
        if width > 110 {
            barBox = "[" + String(repeating: "=", count: percentage) + ">" + String(repeating: " ", count: max(0, 50 - percentage)) + "] "
        }
        var numbers = ""
        if !hideCounts {
            if units.isEmpty {
                let currentText = pad(HumanUnits.size(Double(current)), 8)
                numbers = current > total ? currentText : "\(currentText)/\(HumanUnits.size(Double(total)))"
            } else {
                numbers = current > total ? "\(current) \(units)" : "\(current)/\(total) \(units)"
            }
        }
        var timeLeft = ""
        if current > 0 && start > 0 && percentage < 50 && width > 50 {
            let elapsed = now - Double(start)
            let left = Int64((Double(total - current) * (elapsed / Double(current))).rounded(.down))
            timeLeft = " " + GoDuration.format(seconds: max(0, left))
        }
        return barBox + numbers + timeLeft
    }

    /// `%8v`: right-aligned in `width` columns.
    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// What the renderer reads: lines of a response body (a `ResponseStream`, or canned
/// lines in tests).
protocol ResponseStreamLines {
    func nextLine() throws -> String?
}

extension ResponseStream: ResponseStreamLines {}
