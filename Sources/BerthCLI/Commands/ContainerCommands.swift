extension CommandRegistry {
    /// The container commands: under `berth container` and, as Docker has them, at the
    /// top level.
    mutating func registerContainerCommands() {
        let group = "container"
        let summary = GroupSummary.container
        register(.attach, group: group, groupSummary: summary, topLevel: true)
        register(.commit, group: group, groupSummary: summary, topLevel: true)
        register(.cp, group: group, groupSummary: summary, topLevel: true)
        register(.create, group: group, groupSummary: summary, topLevel: true)
        register(.diff, group: group, groupSummary: summary, topLevel: true)
        register(.exec, group: group, groupSummary: summary, topLevel: true)
        register(.export, group: group, groupSummary: summary, topLevel: true)
        register(.containerInspect, group: group, groupSummary: summary)
        register(.kill, group: group, groupSummary: summary, topLevel: true)
        register(.logs, group: group, groupSummary: summary, topLevel: true)
        register(.ps, group: group, groupSummary: summary, topLevel: true, topLevelName: "ps")
        register(.pause, group: group, groupSummary: summary, topLevel: true)
        register(.port, group: group, groupSummary: summary, topLevel: true)
        register(.containerPrune, group: group, groupSummary: summary)
        register(.rename, group: group, groupSummary: summary, topLevel: true)
        register(.restart, group: group, groupSummary: summary, topLevel: true)
        register(.rm, group: group, groupSummary: summary, topLevel: true)
        register(.run, group: group, groupSummary: summary, topLevel: true)
        register(.start, group: group, groupSummary: summary, topLevel: true)
        register(.stats, group: group, groupSummary: summary, topLevel: true)
        register(.stop, group: group, groupSummary: summary, topLevel: true)
        register(.top, group: group, groupSummary: summary, topLevel: true)
        register(.unpause, group: group, groupSummary: summary, topLevel: true)
        register(.update, group: group, groupSummary: summary, topLevel: true)
        register(.wait, group: group, groupSummary: summary, topLevel: true)
        register(.inspect)
    }
}
