import BerthAPIModels
import BerthClient
import BerthFlags

extension Invocation {
    /// Runs `action` for each argument as Docker's multi-object commands do (`stop`,
    /// `rm`, `pause`, ...): each success prints the argument as given, each failure its
    /// error on stderr, and any failure makes the status 1.
    func forEach(_ targets: [String], printName: Bool = true, _ action: (String) throws -> Void) -> Int32 {
        var failed = false
        for target in targets {
            do {
                try action(target)
                if printName { out.line(target) }
            } catch {
                err.line(errorText(error))
                failed = true
            }
        }
        return failed ? 1 : 0
    }

    /// The `--format` flag's value.
    var format: String { flags.string("format") ?? "" }
}

/// How Docker words an error: the daemon's message after `Error response from daemon: `.
func errorText(_ error: any Error) -> String {
    switch error {
    case let error as ClientError:
        if case .api = error { return "Error response from daemon: \(error)" }
        return "\(error)"
    case let error as CLIError:
        return error.message
    default:
        return "\(error)"
    }
}

/// A path component for a request (`/containers/{id}/json`): the name percent-encoded.
func pathComponent(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "@"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" : "") + hex
        }
    }
    return out
}

/// Renders `rows` with `--format` (or `defaultTable`), turning a template error into
/// Docker's message.
func renderRows(_ rows: [JSONValue], format: String, defaultTable: String, headers: [String: String]) throws(CLIError) -> String {
    do {
        return try OutputFormat(format, defaultTable: defaultTable).render(rows, headers: headers)
    } catch {
        throw CLIError("template parsing error: \(error)", status: 1)
    }
}

/// The `--format` flag for list commands, with Docker's help text.
let listFormatFlag = FlagSpec.string("format", usage: """
    Format output using a custom template:
    'table':            Print output in table format with column headers (default)
    'table TEMPLATE':   Print output in table format using the given Go template
    'json':             Print in JSON format
    'TEMPLATE':         Print output using the given Go template.
    Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates
    """)

/// The `-f, --filter` flag.
let filterFlag = FlagSpec("filter", short: "f", kind: .list, usage: "Filter output based on conditions provided", valueName: "filter")

/// Group summaries, as `docker --help` words them.
enum GroupSummary {
    static let container = "Manage containers"
    static let image = "Manage images"
    static let volume = "Manage volumes"
}
