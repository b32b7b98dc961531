import BerthAPIModels
import BerthClient

extension Command {
    /// `berth login`: `POST /auth` with `{"username","password","serveraddress"}`, then
    /// the credentials stored in config.json's `auths` as Docker stores them
    /// (`auth` = base64 of `user:password`, or the identity token the daemon returned).
    static var login: Command {
        Command(
            name: "login", usage: "[OPTIONS] [SERVER]",
            summary: "Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.",
            flags: [
                .string("password", short: "p", usage: "Password or Personal Access Token (PAT)"),
                .bool("password-stdin", usage: "Take the Password or Personal Access Token (PAT) from stdin"),
                .string("username", short: "u", usage: "Username"),
            ],
            arguments: .between(0, 1),
            run: { invocation in try runLogin(invocation) })
    }

    /// `berth logout`: removes the server's entry from config.json's `auths`.
    static var logout: Command {
        Command(
            name: "logout", usage: "[SERVER]",
            summary: "Log out from a registry.\nIf no server is specified, the default is defined by the daemon.",
            arguments: .between(0, 1),
            run: { invocation in
                let server = ClientConfig.serverKey(invocation.arguments.first ?? ClientConfig.hubServer)
                var config = ClientConfig.load(invocation).objectValue ?? JSONObject()
                var auths = config["auths"]?.objectValue ?? JSONObject()
                let key = auths[server] != nil ? server : (auths["https://\(server)"] != nil ? "https://\(server)" : nil)
                guard let key else {
                    invocation.out.line("Not logged in to \(server)")
                    return 0
                }
                invocation.out.line("Removing login credentials for \(server)")
                auths[key] = nil
                config["auths"] = .object(auths)
                try ClientConfig.save(.object(config), invocation)
                return 0
            })
    }
}

private func runLogin(_ invocation: Invocation) throws -> Int32 {
    let flags = invocation.flags
    let server = ClientConfig.serverKey(invocation.arguments.first ?? ClientConfig.hubServer)
    var username = flags.string("username") ?? ""
    var password = flags.string("password") ?? ""
    if flags.bool("password-stdin") {
        if !password.isEmpty { throw CLIError("--password and --password-stdin are mutually exclusive") }
        if username.isEmpty { throw CLIError("Must provide --username with --password-stdin") }
        password = String(decoding: Terminal.readAll(fd: 0), as: UTF8.self)
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
    } else if !password.isEmpty {
        invocation.err.line("WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
    }
    if username.isEmpty {
        invocation.out.write("Username: ")
        guard let typed = Terminal.readLine(fd: 0) else { throw CLIError("Error: Non-null Username Required") }
        username = typed.trimmingCharacters(in: " ")
        if username.isEmpty { throw CLIError("Error: Non-null Username Required") }
    }
    if password.isEmpty {
        invocation.out.write("Password: ")
        password = Terminal.readSecret(fd: 0) ?? ""
        if password.isEmpty { throw CLIError("Error: Password Required") }
    }
    let body: JSONValue = ["username": .string(username), "password": .string(password), "serveraddress": .string(server)]
    let response = try invocation.client().call(.json("POST", "/auth", body)).json()
    var entry = JSONObject()
    if let token = response["IdentityToken"]?.stringValue, !token.isEmpty {
        entry["identitytoken"] = .string(token)
    } else {
        entry["auth"] = .string(Base64.encode(Array("\(username):\(password)".utf8)))
    }
    var config = ClientConfig.load(invocation).objectValue ?? JSONObject()
    var auths = config["auths"]?.objectValue ?? JSONObject()
    auths[server] = .object(entry)
    config["auths"] = .object(auths)
    try ClientConfig.save(.object(config), invocation)
    invocation.err.line("""
        WARNING! Your credentials are stored unencrypted in '\(ClientConfig.path(invocation))'.
        Configure a credential helper to remove this warning. See
        https://docs.docker.com/go/credential-store/

        """)
    invocation.out.line(response["Status"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "Login Succeeded")
    return 0
}
