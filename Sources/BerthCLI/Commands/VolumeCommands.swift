extension CommandRegistry {
    /// `berth volume create|ls|inspect|rm|prune`, as `docker volume`.
    mutating func registerVolumeCommands() {
        for command in [Command.volumeCreate, .volumeInspect, .volumeLs, .volumePrune, .volumeRm] {
            register(command, group: "volume", groupSummary: GroupSummary.volume)
        }
    }
}
