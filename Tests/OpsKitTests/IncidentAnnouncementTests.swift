import Foundation
import LoopbackHTTP
import Testing

@testable import OpsKit

/// Issue 18, "What is sent": each incident event is told to the incident's channel (the one its
/// route gave it) exactly once, by the command that caused it, and nothing else is. The channel
/// here is the example's `#sre-oncall`, a Slack incoming webhook played by a loopback server.
@Suite struct IncidentAnnouncementTests {
    /// The example repository, with `#sre-oncall`'s webhook URL in the environment.
    struct Announcing {
        let ops: OpsFixture
        let receiver: LoopbackReceiver
        let incidents: IncidentService

        init(_ reply: @escaping LoopbackReceiver.Responder = { _, _ in .init(200, "ok") }) throws {
            ops = try OpsFixture()
            receiver = try LoopbackReceiver(reply)
            let clock = ops.clock
            let workspace = try Workspace(
                root: ops.folder.path, environment: ["OPS_SLACK_SRE_ONCALL": receiver.url("/services/T0/B0/x").absoluteString],
                clock: { clock.now }, random: SeededGenerator(seed: 7))
            incidents = IncidentService(workspace)
        }

        /// The Slack messages received so far: each one's fallback text.
        var texts: [String] {
            get throws { try receiver.requests.map { try #require(try DeliverySamples.json($0.body)["text"] as? String) } }
        }

        func remove() {
            receiver.stop()
            ops.remove()
        }
    }

    @Test func eachLifecycleEventIsToldOnceAndNothingElseIs() throws {
        let fixture = try Announcing()
        defer { fixture.remove() }
        let (ops, incidents) = (fixture.ops, fixture.incidents)
        let opened = try incidents.openAndAnnounce(.init(title: "Checkout p99 above 1.2s", severity: "SEV2", service: "ops_copilot"), author: ops.alice)
        #expect(opened.announced == [AnnouncementResult(channel: "#sre-oncall", event: "incident_opened", sent: true, problem: nil)])
        let id = opened.incident.id
        let first = try #require(fixture.receiver.requests.first)
        #expect(first.path == "/services/T0/B0/x")
        #expect(first.text.contains("bob") && first.text.contains("ops incident ack \(ShortName.incident(id))"))

        func change(_ change: IncidentService.Change, by author: Author, at: Date? = nil) throws -> [String] {
            ops.clock.advance(minutes: 1)
            return try incidents.change(id, change, at: at, author: author).announced.map(\.event)
        }
        #expect(try change(.move(to: .acknowledged), by: ops.bob) == ["incident_acknowledged"])
        #expect(try change(.move(to: .acknowledged), by: ops.bob) == [], "acknowledging twice")
        #expect(try change(.note("Looking at the gateway"), by: ops.bob) == [])
        #expect(try change(.assign(role: "scribe", person: "carol"), by: ops.bob) == [])
        #expect(try change(.severity("SEV1"), by: ops.bob) == ["severity_raised"])
        #expect(try change(.severity("SEV3"), by: ops.bob) == [], "a severity lowered is not announced")
        #expect(try change(.update("Rolled back model v42; errors falling"), by: ops.carol) == ["stakeholder_update"])
        #expect(try change(.move(to: .mitigated), by: ops.bob) == ["incident_mitigated"])
        #expect(try change(.move(to: .resolved), by: ops.bob) == ["incident_resolved"])
        #expect(try change(.correct(.resolved), by: ops.bob, at: ops.clock.now.addingTimeInterval(-30)) == [])
        #expect(try change(.move(to: .closed), by: ops.bob, at: nil) == [])

        #expect(
            try fixture.texts == [
                "SEV2 incident opened: Checkout p99 above 1.2s", "Acknowledged by bob: Checkout p99 above 1.2s",
                "Severity raised to SEV1 (was SEV2): Checkout p99 above 1.2s", "Update from carol: Checkout p99 above 1.2s",
                "Mitigated by bob: Checkout p99 above 1.2s", "Resolved by bob: Checkout p99 above 1.2s",
            ])
        let update = try #require(fixture.receiver.requests.first { $0.text.contains("Update from carol") })
        #expect(update.text.contains("Rolled back model v42; errors falling"))
        #expect(fixture.incidents.workspace.outbox.entries().compactMap(\.message).allSatisfy { $0.state == .sent })
    }

    @Test func aChannelThatDoesNotAnswerLeavesTheMessageInTheOutboxAndTheCommandDone() throws {
        let fixture = try Announcing { _, _ in .init(503, "busy") }
        defer { fixture.remove() }
        let opened = try fixture.incidents.openAndAnnounce(.init(title: "Search down", severity: "SEV2", service: "search_ranking"), author: fixture.ops.alice)
        let result = try #require(opened.announced.first)
        #expect(!result.sent && result.problem?.contains("503") == true)
        #expect(try fixture.ops.commitCount() == 2, "the incident is committed whatever the channel answers")
        let message = try #require(fixture.incidents.workspace.outbox.entries().compactMap(\.message).first)
        #expect(message.state == .pending && message.attempts >= 1)
    }

    @Test func anIncidentWithoutARoutedChannelTellsNobody() throws {
        let fixture = try Announcing()
        defer { fixture.remove() }
        try FileManager.default.removeItem(atPath: fixture.ops.folder.path + "/" + OnCallSchedule.path)
        let opened = try fixture.incidents.openAndAnnounce(.init(title: "Search down", severity: "SEV2", service: "search_ranking"), author: fixture.ops.alice)
        #expect(opened.incident.channel == nil && opened.announced.isEmpty)
        #expect(try fixture.incidents.change(opened.incident.id, .move(to: .acknowledged), at: nil, author: fixture.ops.bob).announced.isEmpty)
        #expect(fixture.receiver.requests.isEmpty)
    }

    @Test func anAlertThatOpensAnIncidentAnnouncesItAndARepeatDoesNot() throws {
        let fixture = try Announcing()
        defer { fixture.remove() }
        let intake = AlertIntake(fixture.incidents.workspace)
        let payload = try OnCallRoutingTests.alert(["alertname": "CheckoutLatency", "service": "ops_copilot"])
        let summary = try intake.ingest(payload, source: "test", author: fixture.ops.alice)
        #expect(intake.announce(summary).map(\.event) == ["incident_opened"])
        let again = try intake.ingest(payload, source: "test", author: fixture.ops.alice)
        #expect(again.opened.isEmpty && intake.announce(again).isEmpty)
        #expect(fixture.receiver.requests.count == 1)
    }

    /// DESIGN §11: a message is sent by the clone that recorded its event; events that arrive
    /// through `ops sync`, or the merge that joins two clones' work, are not sent again.
    @Test func eventsThatArriveThroughSyncAreNotAnnouncedAgain() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        func events(_ clone: Int) -> [String] {
            sync.clones[clone].outbox.entries().compactMap(\.message).map(\.notification.kind.rawValue).sorted()
        }
        let incident = try IncidentService(sync.clones[0]).open(.init(title: "Checkout slow", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
        _ = try sync.sync(0)
        _ = try sync.sync(1)
        sync.clock.advance(minutes: 2)
        _ = try IncidentService(sync.clones[0]).change(incident.id, .move(to: .acknowledged), at: nil, author: sync.alice)
        _ = try IncidentService(sync.clones[1]).change(incident.id, .severity("SEV1"), at: nil, author: sync.bob)
        _ = try sync.sync(0)
        _ = try sync.sync(1)
        _ = try sync.sync(0)
        #expect(try sync.head(0) == sync.head(1))
        #expect(events(0) == ["incident_acknowledged", "incident_opened"])
        #expect(events(1) == ["severity_raised"])
    }
}
