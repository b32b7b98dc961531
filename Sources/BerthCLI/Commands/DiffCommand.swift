import BerthAPIModels
import BerthClient

extension Command {
    /// `berth diff` = `berth container diff`: `GET /containers/{id}/changes`, one
    /// `C|A|D path` line per change, as Docker prints them.
    static var diff: Command {
        Command(
            name: "diff", usage: "CONTAINER", summary: "Inspect changes to files or directories on a container's filesystem",
            arguments: .exactly(1),
            run: { invocation in
                let changes = try invocation.client().getJSON("/containers/\(pathComponent(invocation.arguments[0]))/changes")
                for change in changes.arrayValue ?? [] {
                    let kind = switch change["Kind"]?.intValue { case 0: "C"; case 1: "A"; case 2: "D"; default: "?" }
                    invocation.out.line("\(kind) \(change["Path"]?.stringValue ?? "")")
                }
                return 0
            })
    }
}
