import BerthClient
import BerthFlags

/// The `berth` command line: global flags, then a command or a management command and
/// its subcommand, Docker style. `main` returns the exit status.
public struct BerthCLI {
    public var registry: CommandRegistry
    public var out: Output
    public var err: Output

    public init(registry: CommandRegistry = .standard, out: Output = Output(fd: 1), err: Output = Output(fd: 2)) {
        self.registry = registry
        self.out = out
        self.err = err
    }

    /// Runs `arguments` (without the program name).
    public func main(_ arguments: [String], environment: [String: String]) -> Int32 {
        // Global flags come before the command; the first positional word is the command.
        let parsed: ParsedFlags
        do {
            parsed = try FlagParser.parse(arguments, flags: GlobalOptions.flags, interspersed: false)
        } catch {
            return usageError("\(error)", helpFor: "berth")
        }
        var global = GlobalOptions()
        global.host = parsed.list("host").last
        global.configDirectory = parsed.string("config")
        global.debug = parsed.bool("debug")
        global.logLevel = parsed.string("log-level") ?? "info"
        if parsed.bool("version") {
            out.line("Berth version \(ClientInfo.version), build \(ClientInfo.gitCommit)")
            return 0
        }
        guard let name = parsed.arguments.first, !parsed.bool("help") else {
            out.write(rootHelp())
            return 0
        }
        var rest = Array(parsed.arguments.dropFirst())
        var path = "berth \(name)"
        var found = registry.command(named: name, in: registry.topLevel)
        if found == nil, let group = registry.group(named: name) {
            guard let sub = rest.first, !sub.hasPrefix("-") else {
                out.write(groupHelp(group))
                return 0
            }
            guard let command = registry.command(named: sub, in: group.commands) else {
                err.line("berth: unknown command: berth \(name) \(sub)\n\nRun 'berth \(name) --help' for more information")
                return 1
            }
            found = command
            path += " \(sub)"
            rest.removeFirst()
        }
        guard let command = found else {
            err.line("berth: '\(name)' is not a berth command.\nSee 'berth --help'")
            return 1
        }
        return run(command, path: path, arguments: rest, global: global, environment: environment)
    }

    private func run(_ command: Command, path: String, arguments: [String], global: GlobalOptions, environment: [String: String]) -> Int32 {
        // `-h` means help unless the command uses it (`run -h` is `--hostname`), as in cobra.
        let short: Character? = command.flags.contains { $0.short == "h" } ? nil : "h"
        let help = FlagSpec.bool("help", short: short, usage: "Print usage", hidden: true)
        let flags: ParsedFlags
        do {
            flags = try FlagParser.parse(arguments, flags: command.flags + [help], interspersed: command.interspersed)
        } catch {
            return usageError("\(error)", helpFor: path)
        }
        if flags.bool("help") {
            out.write(HelpText.usage(line: "\(path) \(command.usage)", summary: command.summary, flags: command.flags,
                                     aliases: registry.paths(of: command).count > 1 ? registry.paths(of: command) : []))
            return 0
        }
        if let problem = command.argumentProblem(flags.arguments.count, path: path) {
            err.line("\(problem)\nSee '\(path) --help'.\n\nUsage:  \(path) \(command.usage)\n\n\(command.summary)")
            return 1
        }
        let invocation = Invocation(flags: flags, global: global, environment: environment, out: out, err: err)
        do {
            return try command.run(invocation)
        } catch let error as CLIError {
            err.line(error.message)
            return error.status
        } catch let error as ClientError {
            if case .api = error { err.line("Error response from daemon: \(error)") } else { err.line("\(error)") }
            return 1
        } catch {
            err.line("\(error)")
            return 1
        }
    }

    /// pflag errors print the problem and where to look, with status 125 as Docker does.
    private func usageError(_ message: String, helpFor path: String) -> Int32 {
        err.line("\(message)\nSee '\(path) --help'.")
        return 125
    }

    func rootHelp() -> String {
        var out = "\nUsage:  berth [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n"
        if !registry.groups.isEmpty {
            out += "\nManagement Commands:\n" + list(registry.groups.map { ($0.name, $0.summary) })
        }
        out += "\nCommands:\n" + list(registry.topLevel.map { ($0.name, $0.summary) })
        out += "\nGlobal Options:\n" + HelpText.options(GlobalOptions.flags)
        out += "\nRun 'berth COMMAND --help' for more information on a command.\n"
        return out
    }

    func groupHelp(_ group: CommandGroup) -> String {
        "\nUsage:  berth \(group.name) COMMAND\n\n\(group.summary)\n\nCommands:\n"
            + list(group.commands.map { ($0.name, $0.summary) })
            + "\nRun 'berth \(group.name) COMMAND --help' for more information on a command.\n"
    }

    private func list(_ rows: [(String, String)]) -> String {
        let width = max(12, (rows.map(\.0.count).max() ?? 0) + 2)
        return rows.map { "  " + $0.0 + String(repeating: " ", count: width - $0.0.count) + $0.1 + "\n" }.joined()
    }
}
