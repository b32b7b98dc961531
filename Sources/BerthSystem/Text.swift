/// Substring search without the standard library's `_StringProcessing` module: its
/// `contains(_:)`, `firstRange(of:)` and string-separator `split` bring the regex engine and
/// parser along, about 800 KB of code in every Berth program that calls them once. Matching
/// is on UTF-8 bytes, as Go's `strings` package does it.
extension StringProtocol {
    /// Whether `text` occurs in this string (always, for an empty `text`).
    public func includes(_ text: some StringProtocol) -> Bool { utf8Range(of: text) != nil }

    /// The parts before and after the first occurrence of `separator`, or nil without one.
    public func splitOnce(_ separator: some StringProtocol) -> (before: Substring, after: Substring)? {
        guard let r = utf8Range(of: separator) else { return nil }
        let s = Substring(self)
        return (s[..<r.lowerBound], s[r.upperBound...])
    }

    /// The range of the first occurrence of `text`.
    public func utf8Range(of text: some StringProtocol) -> Range<Index>? {
        let hay = utf8, needle = Array(text.utf8)
        guard let first = needle.first else { return startIndex..<startIndex }
        var i = hay.startIndex
        while let hit = hay[i...].firstIndex(of: first) {
            var h = hit, n = 0
            while n < needle.count, h != hay.endIndex, hay[h] == needle[n] { h = hay.index(after: h); n += 1 }
            if n == needle.count { return hit..<h }
            if h == hay.endIndex && n < needle.count { return nil }
            i = hay.index(after: hit)
        }
        return nil
    }
}
