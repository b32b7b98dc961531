#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One event of `GET /events`: Docker's `Type`, `Action` and `Actor`, stamped when it happened.
public struct EngineEvent: Sendable, Equatable {
    /// `container`, `image`, `network`, `volume` or `daemon`.
    public var type: String
    /// `create`, `die`, `health_status: healthy`, `pull`…
    public var action: String
    /// The object's ID (a container ID, an image ID or reference).
    public var actorID: String
    /// Docker's `Actor.Attributes`: name, image, labels, exitCode, signal…
    public var attributes: [String: String]
    /// Nanoseconds since the epoch.
    public var timeNano: Int64

    public init(type: String, action: String, actorID: String, attributes: [String: String] = [:],
                timeNano: Int64 = EngineEvent.now()) {
        self.type = type
        self.action = action
        self.actorID = actorID
        self.attributes = attributes
        self.timeNano = timeNano
    }

    /// The wall clock in nanoseconds since the epoch.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// The daemon's event log: a bounded ring of recent events (for `since`) and the live
/// subscribers. A lock, not the engine actor, guards it, so any code can publish without
/// awaiting, and a subscriber gets past and live events without a gap or a duplicate.
public final class EventBus: Sendable {
    /// How many past events `since` can reach (moby keeps 256; a little more costs little).
    public static let capacity = 1000

    private struct State {
        var ring: [EngineEvent] = []
        var subscribers: [Int: AsyncStream<EngineEvent>.Continuation] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// Records `event` and hands it to every subscriber.
    public func publish(_ event: EngineEvent) {
        let subscribers = state.withLock { s in
            s.ring.append(event)
            if s.ring.count > Self.capacity { s.ring.removeFirst(s.ring.count - Self.capacity) }
            return Array(s.subscribers.values)
        }
        for s in subscribers { s.yield(event) }
    }

    /// The events kept so far and a stream of the ones that follow; `cancel` ends the stream.
    public func subscribe() -> (past: [EngineEvent], live: AsyncStream<EngineEvent>, cancel: @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream<EngineEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let (past, id) = state.withLock { s in
            let id = s.nextID
            s.nextID += 1
            s.subscribers[id] = continuation
            return (s.ring, id)
        }
        let cancel: @Sendable () -> Void = { [weak self] in
            let c = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
            c?.finish()
        }
        continuation.onTermination = { _ in cancel() }
        return (past, stream, cancel)
    }

    /// The events kept so far.
    public var recent: [EngineEvent] { state.withLock { $0.ring } }
}

extension Engine {
    /// Publishes an event about a container with Docker's attributes: its labels, `image`
    /// and `name`, plus `extra` (exitCode, signal, execID…).
    func publish(_ c: Container, _ action: String, _ extra: [String: String] = [:]) {
        var attributes = c.config.labels ?? [:]
        attributes["image"] = c.image
        attributes["name"] = c.name
        for (k, v) in extra { attributes[k] = v }
        events.publish(EngineEvent(type: "container", action: action, actorID: c.id, attributes: attributes))
    }

    /// Publishes a container event by ID, when the container is known.
    func publish(_ id: String, _ action: String, _ extra: [String: String] = [:]) {
        if let c = containers[id] { publish(c, action, extra) }
    }

    /// An exec's stream ended: publish `exec_die` with its exit code, as moby does.
    public func execEnded(_ execID: String) {
        guard let e = try? execInstance(execID) else { return }
        publish(e.containerID, "exec_die", ["execID": execID, "exitCode": String(e.exitCode ?? -1)])
    }

    /// Publishes an image event (`pull`, `push`, `tag`, `untag`, `delete`, `import`, `load`)
    /// with the `name` attribute Docker gives them.
    public nonisolated func publishImage(_ action: String, id: String, name: String? = nil) {
        var attributes: [String: String] = [:]
        if let name { attributes["name"] = name }
        events.publish(EngineEvent(type: "image", action: action, actorID: id, attributes: attributes))
    }
}
