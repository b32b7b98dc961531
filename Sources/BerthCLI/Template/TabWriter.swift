/// Aligns tab-separated cells into columns the way Go's text/tabwriter does with
/// flags 0: a cell is text ended by a tab; the text after a line's last tab is not part
/// of a column. A column's width is set per block of consecutive lines that have a cell
/// in it, as `max(minWidth, widest cell + padding)`.
public struct TabWriter: Sendable {
    public var minWidth: Int
    public var padding: Int

    /// Docker's table settings: `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`.
    public static let table = TabWriter(minWidth: 10, padding: 3)
    /// `docker version` and `docker info`'s: `tabwriter.NewWriter(out, 20, 1, 1, ' ', 0)`.
    public static let keyValue = TabWriter(minWidth: 20, padding: 1)

    public init(minWidth: Int, padding: Int) {
        self.minWidth = minWidth
        self.padding = padding
    }

    public func format(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        let trailingNewline = text.hasSuffix("\n")
        if trailingNewline { lines.removeLast() }
        // Each cell's width once (counting Characters is slow; ASCII cells are the usual case).
        let counts = lines.map { $0.map { cell in cell.utf8.allSatisfy { $0 < 0x80 } ? cell.utf8.count : cell.count } }
        var widths: [[Int]] = Array(repeating: [], count: lines.count)
        layout(counts, column: 0, from: 0, to: lines.count, widths: &widths)
        var out = ""
        for (i, cells) in lines.enumerated() {
            for (j, cell) in cells.enumerated() {
                out += cell
                if j < cells.count - 1 {
                    let width = j < widths[i].count ? widths[i][j] : counts[i][j] + padding
                    out += String(repeating: " ", count: max(0, width - counts[i][j]))
                }
            }
            if i < lines.count - 1 || trailingNewline { out += "\n" }
        }
        return out
    }

    /// Sets the width of `column` for each block of consecutive lines in `from..<to`
    /// that have a tab-terminated cell there, then recurses into the next column.
    private func layout(_ lines: [[Int]], column: Int, from: Int, to: Int, widths: inout [[Int]]) {
        var line = from
        while line < to {
            guard column < lines[line].count - 1 else { line += 1; continue }
            let blockStart = line
            var width = minWidth
            while line < to, column < lines[line].count - 1 {
                width = max(width, lines[line][column] + padding)
                line += 1
            }
            for i in blockStart..<line { widths[i].append(width) }
            layout(lines, column: column + 1, from: blockStart, to: line, widths: &widths)
        }
    }
}
