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
    /// `topLevelName` names the top-level copy when it differs (`images` for `image ls`);
    /// the top-level copy has no aliases (`berth ps`, not `berth ls`).
    public mutating func register(
        _ command: Command, group: String? = nil, groupSummary: String = "", topLevel: Bool = false, topLevelName: String? = nil
    ) {
        if let group {
            if let i = groups.firstIndex(where: { $0.name == group }) {
                groups[i].commands.append(command)
            } else {
                groups.append(CommandGroup(name: group, summary: groupSummary, commands: [command]))
            }
        }
        if group == nil {
            self.topLevel.append(command)
        } else if topLevel {
            var copy = command
            copy.name = topLevelName ?? command.name
            copy.aliases = []
            self.topLevel.append(copy)
        }
    }

    /// The commands Berth has today.
    public static var standard: CommandRegistry {
        var registry = CommandRegistry()
        registry.register(.version)
        registry.register(.info, group: "system", groupSummary: "Manage Berth", topLevel: true)
        registry.register(.events, group: "system", groupSummary: "Manage Berth", topLevel: true)
        registry.register(.systemDf, group: "system", groupSummary: "Manage Berth")
        registry.register(.systemPrune, group: "system", groupSummary: "Manage Berth")
        registry.registerContainerCommands()
        registry.registerImageCommands()
        registry.registerVolumeCommands()
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
        for group in groups {
            for placed in group.commands where placed.id == command.id {
                out.append("berth \(group.name) \(placed.name)")
                out += placed.aliases.map { "berth \(group.name) \($0)" }
            }
        }
        for placed in topLevel where placed.id == command.id {
            out.append("berth \(placed.name)")
        }
        return out
    }
}
