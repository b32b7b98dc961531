extension CommandRegistry {
    /// The image commands: under `berth image` and at the top level, with Docker's names
    /// (`images` for `image ls`, `rmi` for `image rm`), plus login, logout and search.
    mutating func registerImageCommands() {
        let group = "image"
        let summary = GroupSummary.image
        register(.history, group: group, groupSummary: summary, topLevel: true)
        register(.importImage, group: group, groupSummary: summary, topLevel: true)
        register(.imageInspect, group: group, groupSummary: summary)
        register(.load, group: group, groupSummary: summary, topLevel: true)
        register(.images, group: group, groupSummary: summary, topLevel: true, topLevelName: "images")
        register(.pull, group: group, groupSummary: summary, topLevel: true)
        register(.push, group: group, groupSummary: summary, topLevel: true)
        register(.rmi, group: group, groupSummary: summary, topLevel: true, topLevelName: "rmi")
        register(.save, group: group, groupSummary: summary, topLevel: true)
        register(.tag, group: group, groupSummary: summary, topLevel: true)
        register(.login)
        register(.logout)
        register(.search)
    }
}
