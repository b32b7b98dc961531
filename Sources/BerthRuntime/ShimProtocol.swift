import BerthOCI

/// What berthd and berth-shim say to each other over the shim's unix socket: one JSON
/// request per line, one JSON response per line ("attach" then turns the connection
/// into a stream).
public struct ShimRequest: Codable, Sendable {
    /// "start", "kill", "state" or "wait" (the answer comes when the container has exited).
    public var op: String
    public var signal: Int32?
    public var all: Bool?
    /// For "resize": the terminal size.
    public var height: UInt16?
    public var width: UInt16?
    /// For "attach": which streams. After the answer line the connection carries the
    /// output (Docker's 8-byte multiplexed frames, or raw bytes with a tty), and what the
    /// client writes goes to the container's stdin.
    public var stdin: Bool?
    public var stdout: Bool?
    public var stderr: Bool?
    /// For "exec": the process to run in the container (its stream follows the answer,
    /// as with attach; the answer's pid names it for "exec-status", which takes it in `signal`).
    public var process: Spec.Process?
    public init(op: String, signal: Int32? = nil, all: Bool? = nil) {
        self.op = op; self.signal = signal; self.all = all
    }
}

/// The shim's answer, and the content of `exit.json` once the container has exited.
public struct ShimStatus: Codable, Sendable, Equatable {
    public var id: String
    public var pid: Int32
    /// "created", "running" or "stopped".
    public var status: String
    public var exitCode: Int32?
    public var exitedAt: String?
    public var oomKilled: Bool?
    public var error: String?
    public init(id: String, pid: Int32, status: String, exitCode: Int32? = nil, exitedAt: String? = nil,
                oomKilled: Bool? = nil, error: String? = nil) {
        self.id = id; self.pid = pid; self.status = status; self.exitCode = exitCode
        self.exitedAt = exitedAt; self.oomKilled = oomKilled; self.error = error
    }
}
