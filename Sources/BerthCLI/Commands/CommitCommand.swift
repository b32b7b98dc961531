import BerthAPIModels
import BerthClient

extension Command {
    /// `berth commit` = `berth container commit`:
    /// `POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=`; prints the new image ID.
    static var commit: Command {
        Command(
            name: "commit", usage: "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]", summary: "Create a new image from a container's changes",
            flags: [
                .string("author", short: "a", usage: "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"),
                .list("change", short: "c", usage: "Apply Dockerfile instruction to the created image"),
                .string("message", short: "m", usage: "Commit message"),
                .bool("pause", short: "p", usage: "Pause container during commit (default true)"),
            ],
            arguments: .between(1, 2),
            run: { invocation in
                var query: [(String, String)] = [("container", invocation.arguments[0])]
                if invocation.arguments.count > 1 {
                    let (repo, tag) = splitRepoTag(invocation.arguments[1])
                    query += [("repo", repo), ("tag", tag)]
                }
                query.append(("comment", invocation.flags.string("message") ?? ""))
                query.append(("author", invocation.flags.string("author") ?? ""))
                query.append(("pause", invocation.flags.bool("pause", default: true) ? "1" : "0"))
                for change in invocation.flags.list("change") { query.append(("changes", change)) }
                let response = try invocation.client().call(ClientRequest("POST", "/commit", query: query))
                let body = try WireJSON.decode(JSONValue.self, from: response.body)
                invocation.out.line(body["Id"]?.stringValue ?? "")
                return 0
            })
    }
}

/// `name[:tag]` split at the tag's colon (not a registry port's): `localhost:5000/a:b` → (`localhost:5000/a`, `b`).
func splitRepoTag(_ ref: String) -> (String, String) {
    guard let colon = ref.lastIndex(of: ":"), !ref[ref.index(after: colon)...].contains("/") else { return (ref, "") }
    return (String(ref[..<colon]), String(ref[ref.index(after: colon)...]))
}
