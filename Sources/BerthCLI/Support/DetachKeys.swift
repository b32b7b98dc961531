/// The key sequence that detaches from a container (`--detach-keys`, default
/// `ctrl-p,ctrl-q`), and a scanner that finds it in what the user types.
struct DetachKeys: Equatable {
    static let defaultSpec = "ctrl-p,ctrl-q"

    let bytes: [UInt8]

    /// Parses Docker's spelling (moby/term `ToBytes`): comma-separated keys, each one
    /// character, `ctrl-@`, `ctrl-a`…`ctrl-z`, `ctrl-[`, `ctrl-\`, `ctrl-]`, `ctrl-^`,
    /// `ctrl-_`, or `DEL`.
    init(_ spec: String) throws(CLIError) {
        var out: [UInt8] = []
        for key in spec.split(separator: ",", omittingEmptySubsequences: false) {
            if key.utf8.count == 1 {
                out.append(key.utf8.first!)
                continue
            }
            if key == "DEL" {
                out.append(127)
                continue
            }
            let controls = Array("@abcdefghijklmnopqrstuvwxyz[\\]^_".utf8)
            guard key.hasPrefix("ctrl-"), key.utf8.count == 6, let i = controls.firstIndex(of: key.utf8.last!) else {
                throw CLIError("Unknown character: '\(key)'")
            }
            out.append(UInt8(i))
        }
        bytes = out
    }

    /// Follows typed bytes across reads. Bytes that might start the sequence are held
    /// back; when the sequence breaks they are passed on, when it completes the user has
    /// detached and they are dropped, as Docker's escape proxy does.
    struct Scanner {
        let keys: [UInt8]
        private var held: [UInt8] = []

        init(_ keys: DetachKeys) { self.keys = keys.bytes }

        /// The bytes to send on, and whether the sequence completed.
        mutating func feed(_ input: [UInt8]) -> (forward: [UInt8], detached: Bool) {
            guard !keys.isEmpty else { return (input, false) }
            var forward: [UInt8] = []
            for byte in input {
                if byte == keys[held.count] {
                    held.append(byte)
                    if held.count == keys.count { return (forward, true) }
                    continue
                }
                forward += held
                held = []
                if byte == keys[0] {
                    held.append(byte)
                    if keys.count == 1 { return (forward, true) }
                } else {
                    forward.append(byte)
                }
            }
            return (forward, false)
        }
    }
}
