import BerthAPIModels
import Testing
@testable import BerthAPI
@testable import BerthEngine

/// Restart policies, event filters and times, and HEALTHCHECK changes, without a daemon.
@Suite struct OpsTests {
    @Test func restartPolicyDecisions() {
        let always = RestartPolicy(name: "always"), onFailure = RestartPolicy(name: "on-failure", maximumRetryCount: 2)
        #expect(always.shouldRestart(exitCode: 0, restartCount: 9, manuallyStopped: false))
        #expect(!RestartPolicy(name: "unless-stopped").shouldRestart(exitCode: 1, restartCount: 0, manuallyStopped: true))
        #expect(onFailure.shouldRestart(exitCode: 1, restartCount: 1, manuallyStopped: false))
        #expect(!onFailure.shouldRestart(exitCode: 1, restartCount: 2, manuallyStopped: false))
        #expect(!onFailure.shouldRestart(exitCode: 0, restartCount: 0, manuallyStopped: false))
        #expect(!RestartPolicy().shouldRestart(exitCode: 1, restartCount: 0, manuallyStopped: false))
    }

    @Test func restartPolicyValidationInMobysWords() {
        func message(_ p: RestartPolicy) -> String? {
            do { try p.validate(); return nil } catch { return error.message }
        }
        #expect(message(RestartPolicy(name: "on-failure", maximumRetryCount: 3)) == nil)
        #expect(message(RestartPolicy(name: "")) == nil)
        #expect(message(RestartPolicy(name: "sometimes"))
            == "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'")
        #expect(message(RestartPolicy(name: "always", maximumRetryCount: -1))
            == "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative")
    }

    @Test func eventFilterMatchesAsMoby() throws {
        let die = EngineEvent(type: "container", action: "die", actorID: "abc123",
                              attributes: ["name": "web", "image": "busybox:latest", "exitCode": "1", "tier": "db"])
        let health = EngineEvent(type: "container", action: "health_status: healthy", actorID: "abc123", attributes: ["name": "web"])
        let pull = EngineEvent(type: "image", action: "pull", actorID: "busybox:latest", attributes: ["name": "busybox"])
        func f(_ json: String) throws -> EventFilter { try EventFilter(json) }
        #expect(try f(#"{"container":["web"]}"#).matches(die))
        #expect(try f(#"{"container":{"abc":true}}"#).matches(die))
        #expect(try !f(#"{"container":["web"]}"#).matches(pull))
        #expect(try f(#"{"event":["health_status"]}"#).matches(health))
        #expect(try !f(#"{"event":["die"]}"#).matches(health))
        #expect(try f(#"{"image":["busybox"]}"#).matches(die) && f(#"{"image":["busybox"]}"#).matches(pull))
        #expect(try f(#"{"label":["tier=db"]}"#).matches(die) && !f(#"{"label":["tier=web"]}"#).matches(die))
        #expect(try f(#"{"type":["image"]}"#).matches(pull) && !f(#"{"type":["image"]}"#).matches(die))
        #expect(throws: EngineError.self) { try EventFilter(#"{"colour":["blue"]}"#) }
    }

    @Test func eventTimes() throws {
        #expect(try EventTime.parse("1700000000.5", name: "since", now: 0) == 1_700_000_000_500_000_000)
        #expect(try EventTime.parse("1700000000", name: "since", now: 0) == 1_700_000_000_000_000_000)
        #expect(try EventTime.parse(nil, name: "since", now: 0) == nil)
        #expect(throws: EngineError.self) { try EventTime.parse("yesterday", name: "since", now: 0) }
    }

    @Test func healthcheckChange() throws {
        let h = try HealthcheckChange.parse("--interval=1s --timeout=500ms --retries=2 CMD curl -f http://localhost/")
        #expect(h.test == ["CMD-SHELL", "curl -f http://localhost/"])
        #expect(h.interval == 1_000_000_000 && h.timeout == 500_000_000 && h.retries == 2)
        #expect(try HealthcheckChange.parse(#"CMD ["true"]"#).test == ["CMD", "true"])
        #expect(try HealthcheckChange.parse("NONE").test == ["NONE"])
        #expect(HealthcheckChange.goDuration("1m30s") == 90_000_000_000)
    }
}
