// berth: the Berth CLI, a Docker-compatible client of the Engine API.
#if canImport(Glibc)
import Glibc
#endif
import BerthCLI

/// The process environment without Foundation, which the CLI does not load.
func environment() -> [String: String] {
    var out: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let text = String(cString: entry)
        if let eq = text.firstIndex(of: "=") {
            out[String(text[..<eq])] = String(text[text.index(after: eq)...])
        }
        pointer += 1
    }
    return out
}

exit(BerthCLI().main(Array(CommandLine.arguments.dropFirst()), environment: environment()))
