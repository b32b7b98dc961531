import BerthClient
import BerthOCI

extension Command {
    /// `berth tag` = `berth image tag`: `POST /images/{source}/tag?repo=&tag=`.
    static var tag: Command {
        Command(
            name: "tag", usage: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", summary: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
            arguments: .exactly(2),
            run: { invocation in
                let target: Reference
                do { target = try Reference(parsing: invocation.arguments[1]) } catch {
                    throw CLIError("Error parsing reference: \"\(invocation.arguments[1])\" is not a valid repository/tag: invalid reference format")
                }
                if target.digest != nil { throw CLIError("refusing to create a tag with a digest reference") }
                try invocation.client().call(ClientRequest(
                    "POST", "/images/\(pathComponent(invocation.arguments[0]))/tag",
                    query: [("repo", target.name), ("tag", target.tag ?? Reference.defaultTag)]))
                return 0
            })
    }
}
