import BerthOCI

/// What berthd and `berth-fetch` say to each other. berthd keeps no registry client: each
/// pull, push, login, search or URL download runs in a `berth-fetch` process, which reads one
/// `FetchRequest` line on stdin and answers with `FetchLine`s on stdout, one JSON object per
/// line. Closing its stdin cancels the work (berthd does so when the API client goes away,
/// and the kernel does so when berthd dies).
public struct FetchRequest: Codable, Sendable {
    public enum Operation: String, Codable, Sendable {
        /// Resolve the manifest, answer `ready`, fetch and unpack, answer `done` with a `PullResult`.
        case pull
        /// Upload the blobs and the manifest `manifest` names; `done` with a `PushResult`.
        case push
        /// Check `auth` against `server`; `done` with `{"Status": …}`.
        case login
        /// Search the registry `term` names; `done` with the result rows.
        case search
        /// Fetch `url` into the new file `path`; `done` with `{}`.
        case download
    }

    public var op: Operation
    /// berthd's data root: the content and snapshot stores live under it.
    public var dataRoot: String
    /// Registries reached over plain HTTP besides loopback ones.
    public var insecureRegistries: [String] = []
    public var userAgent: String
    public var auth: RegistryAuth?
    /// pull, push: the image reference, in its full form.
    public var reference: String?
    /// pull: `os/arch[/variant]`, nil for this machine's.
    public var platform: String?
    /// push: the manifest to upload, from the content store.
    public var manifest: Descriptor?
    /// login: the server address as the client gave it.
    public var server: String?
    /// search
    public var term: String?
    public var limit: Int?
    /// download
    public var url: String?
    public var path: String?

    public init(op: Operation, dataRoot: String, insecureRegistries: [String], userAgent: String) {
        self.op = op; self.dataRoot = dataRoot; self.insecureRegistries = insecureRegistries; self.userAgent = userAgent
    }
}

/// Credentials from the API's `X-Registry-Auth` header or `POST /auth` body.
public struct RegistryAuth: Codable, Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) { self.username = username; self.password = password }
}

/// One line from `berth-fetch`. Exactly one member is set.
public struct FetchLine: Codable, Sendable {
    /// A line of Docker's progress stream (`ProgressMessage.json`), for the API client.
    public var progress: JSONValue?
    /// pull: the manifest is resolved; what follows goes to the client as a stream.
    public var ready: Bool?
    /// The work failed; the last line.
    public var error: FetchFailure?
    /// The work is done; the last line. Its shape depends on the operation.
    public var done: JSONValue?

    public init(progress: JSONValue? = nil, ready: Bool? = nil, error: FetchFailure? = nil, done: JSONValue? = nil) {
        self.progress = progress; self.ready = ready; self.error = error; self.done = done
    }
}

/// An `EngineError` across the process boundary.
public struct FetchFailure: Codable, Sendable {
    public var kind: String
    public var message: String

    public init(_ error: EngineError) { kind = error.kind.rawValue; message = error.message }

    public var engineError: EngineError {
        EngineError(EngineError.Kind(rawValue: kind) ?? .internalError, message)
    }
}

/// What a pull leaves for berthd to record: the content and snapshot stores hold everything
/// by now; the image record and its names are berthd's to write.
public struct PullResult: Codable, Sendable {
    /// The image ID (the config's digest).
    public var id: Digest
    /// The platform's manifest, and the index it was picked from, both in the content store.
    public var manifest: Descriptor
    public var index: Descriptor?
    /// The digest the pulled reference resolved to (the index's, or the manifest's).
    public var digest: Digest
    /// How many layers had to be fetched (0: the image was here already).
    public var fetchedLayers: Int

    public init(id: Digest, manifest: Descriptor, index: Descriptor?, digest: Digest, fetchedLayers: Int) {
        self.id = id; self.manifest = manifest; self.index = index; self.digest = digest; self.fetchedLayers = fetchedLayers
    }
}

/// What a push leaves for berthd to record: the digest the registry now has the manifest under.
public struct PushResult: Codable, Sendable {
    public var digest: Digest
    public var image: Digest

    public init(digest: Digest, image: Digest) { self.digest = digest; self.image = image }
}
