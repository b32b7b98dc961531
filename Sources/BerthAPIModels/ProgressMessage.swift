/// One line of Docker's JSON progress stream (moby's `jsonmessage.JSONMessage`), as pull,
/// push and load send them: `{"status":"Downloading","progressDetail":{"current":1,"total":2},"id":"a3ed95caeb02"}`.
/// The docker CLI draws its progress bars from `progressDetail`.
public struct ProgressMessage: Sendable, Equatable {
    /// What is happening: `Pulling fs layer`, `Digest: sha256:…`.
    public var status: String
    /// The layer's short ID or the tag the line is about.
    public var id: String?
    /// Bytes done and the total, for a progress bar.
    public var current: Int64?
    public var total: Int64?
    /// Extra data for the client, such as push's `{"Tag","Digest","Size"}`.
    public var aux: JSONValue?

    /// Makes a line.
    public init(_ status: String, id: String? = nil, current: Int64? = nil, total: Int64? = nil, aux: JSONValue? = nil) {
        self.status = status; self.id = id; self.current = current; self.total = total; self.aux = aux
    }

    /// The wire form. Docker sends an empty `progressDetail` on layer lines without numbers.
    public var json: JSONValue {
        if let aux {
            var members: [JSONMember] = []
            if let id { members.append(JSONMember("id", .string(id))) }
            members.append(JSONMember("aux", aux))
            return .object(JSONObject(members))
        }
        var members: [JSONMember] = [JSONMember("status", .string(status))]
        if let current {
            var detail: [JSONMember] = [JSONMember("current", .int(current))]
            if let total { detail.append(JSONMember("total", .int(total))) }
            members.append(JSONMember("progressDetail", .object(JSONObject(detail))))
        } else if id != nil && status != "" {
            members.append(JSONMember("progressDetail", .object(JSONObject())))
        }
        if let id { members.append(JSONMember("id", .string(id))) }
        return .object(JSONObject(members))
    }

    /// The error line that ends a failed stream: `{"errorDetail":{"message":…},"error":…}`.
    public static func errorJSON(_ message: String) -> JSONValue {
        ["errorDetail": ["message": .string(message)], "error": .string(message)]
    }
}

/// Receives progress lines; called from any task.
public typealias ProgressSink = @Sendable (ProgressMessage) -> Void
