/// A management command (`berth system ...`) and the commands under it.
public struct CommandGroup: Sendable {
    public var name: String
    public var summary: String
    public var commands: [Command]

    public init(name: String, summary: String, commands: [Command] = []) {
        self.name = name
        self.summary = summary
        self.commands = commands
    }
}

/// Every command the CLI knows, top-level and under management commands. A command may
/// be registered in both places, as `info` is (`berth info` = `berth system info`).
public struct CommandRegistry: Sendable {
    public private(set) var topLevel: [Command] = []
    public private(set) var groups: [CommandGroup] = []

    public init() {}

    /// Adds `command` under the management command `group` (created with `groupSummary`
    /// when new), and also at the top level when `topLevel` is true.
    public mutating func register(_ command: Command, group: String? = nil, groupSummary: String = "", topLevel: Bool = false) {
        if let group {
            if let i = groups.firstIndex(where: { $0.name == group }) {
                groups[i].commands.append(command)
            } else {
                groups.append(CommandGroup(name: group, summary: groupSummary, commands: [command]))
            }
        }
        if group == nil || topLevel { self.topLevel.append(command) }
    }

    /// The commands Berth has today.
    public static var standard: CommandRegistry {
        var registry = CommandRegistry()
        registry.register(.version)
        registry.register(.info, group: "system", groupSummary: "Manage Berth", topLevel: true)
        return registry
    }

    func command(named name: String, in commands: [Command]) -> Command? {
        commands.first { $0.name == name || $0.aliases.contains(name) }
    }

    func group(named name: String) -> CommandGroup? {
        groups.first { $0.name == name }
    }

    /// The other paths a command is reachable by, for its help's "Aliases:" line.
    func paths(of command: Command) -> [String] {
        var out: [String] = []
        for group in groups where group.commands.contains(where: { $0.name == command.name }) {
            out.append("berth \(group.name) \(command.name)")
            out += command.aliases.map { "berth \(group.name) \($0)" }
        }
        if topLevel.contains(where: { $0.name == command.name }) {
            out.append("berth \(command.name)")
        }
        return out
    }
}
