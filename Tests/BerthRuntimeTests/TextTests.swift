import BerthSystem
import Testing

/// BerthSystem's substring search (Text.swift), which stands in for `_StringProcessing`'s.
@Suite struct TextTests {
    @Test func includes() {
        #expect("executable file not found in $PATH".includes("file not found"))
        #expect("abc".includes(""))
        #expect(!"abc".includes("abcd"))
        #expect(!"aab".includes("abb"))
        #expect("aaab".includes("aab"))           // a partial match, then a real one
        #expect("ünïcödé".includes("cöd"))
        #expect(!"".includes("a"))
        #expect("x..y"[...].includes(".."))        // on a Substring too
    }

    @Test func splitOnce() {
        let line = "36 35 98:0 / /mnt rw - cgroup cgroup rw,memory"
        let parts = line.splitOnce(" - ")
        #expect(parts?.before == "36 35 98:0 / /mnt rw")
        #expect(parts?.after == "cgroup cgroup rw,memory")
        #expect("a::b::c".splitOnce("::").map { [String($0.before), String($0.after)] } == ["a", "b::c"])
        #expect("abc".splitOnce("-") == nil)
        #expect("-".splitOnce("-").map { [String($0.before), String($0.after)] } == ["", ""])
    }
}
