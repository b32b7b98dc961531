import BerthAPIModels
import BerthClient

extension Command {
    /// `berth top` = `berth container top`: `GET /containers/{id}/top?ps_args=`.
    static var top: Command {
        Command(
            name: "top", usage: "CONTAINER [ps OPTIONS]", summary: "Display the running processes of a container",
            arguments: .atLeast(1), interspersed: false,
            run: { invocation in
                var query: [(String, String)] = []
                let psArgs = invocation.arguments.dropFirst()
                if !psArgs.isEmpty { query.append(("ps_args", psArgs.joined(separator: " "))) }
                let top = try invocation.client().getJSON("/containers/\(pathComponent(invocation.arguments[0]))/top", query: query)
                invocation.out.write(TopPrinter.render(top))
                return 0
            })
    }
}

enum TopPrinter {
    /// Titles and processes aligned as Docker does (`tabwriter` 20, 1, 3).
    static func render(_ top: JSONValue) -> String {
        var text = (top["Titles"]?.arrayValue ?? []).map { $0.stringValue ?? "" }.joined(separator: "\t") + "\n"
        for process in top["Processes"]?.arrayValue ?? [] {
            text += (process.arrayValue ?? []).map { $0.stringValue ?? "" }.joined(separator: "\t") + "\n"
        }
        return TabWriter(minWidth: 20, padding: 3).format(text)
    }
}
