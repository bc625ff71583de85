import Foundation
import Testing

@testable import OpsKit

/// Routing (issue 18, item 2): an incident opened by hand or by an alert goes to the first
/// route of oncall.yaml that matches it, and the person on call for that rotation at that
/// moment is recorded in the incident. The example schedule: sre hands over Mondays 09:00
/// Berlin (farid, alice, bob from 2026-11-02), with alice overriding 2026-11-20 18:00 to
/// 2026-11-21 09:00; data hands over Mondays 10:00 (carol, kwame).
@Suite struct OnCallRoutingTests {
    /// An Alertmanager webhook with one firing alert carrying `labels`.
    static func alert(_ labels: [String: String], fingerprint: String = "a1b2c3d4e5f60718") throws -> Data {
        let payload: [String: Any] = [
            "version": "4", "status": "firing", "receiver": "ops",
            "alerts": [
                [
                    "status": "firing", "labels": labels, "annotations": ["summary": "Feature freshness over 20 minutes"],
                    "startsAt": "2026-11-22T17:50:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": fingerprint,
                ]
            ],
        ]
        return try JSONSerialization.data(withJSONObject: payload)
    }

    @Test func anIncidentOpenedByHandIsPagedToTheRotationsPersonOfThatMoment() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // Sunday 2026-11-22 18:58 Berlin: bob's week (the third shift).
        let incident = try ops.open()
        #expect(incident.oncall == "bob" && incident.rotation == "sre" && incident.channel == "#sre-oncall")
        let paged = try #require(incident.timeline.first { $0.kind == "paged" })
        #expect(paged.actor == "ops" && paged.text == "bob (sre), announced in #sre-oncall" && paged.at == ops.clock.now)
        #expect(try ops.file(incident).contains("oncall: bob\nrotation: sre\nchannel: '#sre-oncall'\n"))

        // During the override, alice holds sre; at its last second too, not at its end.
        ops.clock.set("2026-11-21T07:59:59Z")
        #expect(try ops.open("During the override").oncall == "alice")
        ops.clock.set("2026-11-21T08:00:00Z")
        #expect(try ops.open("After the override").oncall == "bob")
    }

    @Test func anAlertGoesToTheFirstRouteItsLabelsMatch() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let intake = AlertIntake(ops.workspace)
        // feature_store belongs to Data, so the team route passes it by and the area route takes it.
        let data = try intake.ingest(
            Self.alert(["alertname": "FeatureFreshness", "service": "feature_store", "area": "data_quality"], fingerprint: "1111111111111111"),
            source: "test", author: ops.alice)
        let dataIncident = try ops.incidents.find(try #require(data.opened.first))
        #expect(dataIncident.rotation == "data" && dataIncident.oncall == "carol" && dataIncident.channel == "#data-oncall")

        // Both the team route and the data route match: the first written wins.
        let both = try intake.ingest(
            Self.alert(["alertname": "Freshness", "team": "SRE", "area": "data_quality"], fingerprint: "2222222222222222"),
            source: "test", author: ops.alice)
        #expect(try ops.incidents.find(try #require(both.opened.first)).rotation == "sre")

        // No service label: filed under the first service, owned by SRE, so the team route takes it.
        let other = try intake.ingest(Self.alert(["alertname": "Odd"], fingerprint: "3333333333333333"), source: "test", author: ops.alice)
        let caught = try ops.incidents.find(try #require(other.opened.first))
        #expect(caught.rotation == "sre" && caught.oncall == "bob")
    }

    @Test func aRouteMatchesOnWhatOpsKnowsOfTheIncident() throws {
        let config = try OpsFixture().workspace.config()
        let labels = RoutingLabels.of(alert: [:], service: "ops_copilot", severity: "SEV2", useCase: "ops_copilot", config: config)
        #expect(labels["service"] == "ops_copilot" && labels["severity"] == "SEV2" && labels["use_case"] == "ops_copilot")
        // An alert's own label is never replaced by what ops knows.
        #expect(RoutingLabels.of(alert: ["service": "kafka"], service: "ops_copilot", severity: "SEV2", useCase: nil, config: config)["service"] == "kafka")

        let route = Route(match: ["team": "sre", "area": "latency"], rotation: "sre", channel: "#sre-oncall")
        #expect(route.matches(["team": "SRE", "area": "Latency", "extra": "x"]))
        #expect(!route.matches(["team": "sre"]))
        #expect(!route.matches(["team": "data", "area": "latency"]))
        #expect(Route(match: [:], rotation: "sre", channel: "#sre-oncall").matches([:]))
    }

    @Test func withoutASchedulePersonOrReadableFileTheIncidentStillOpens() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // Before the rotations start, the route still names the rotation and channel.
        ops.clock.set("2026-10-01T12:00:00Z")
        let early = try ops.open("Before the rotations start")
        #expect(early.rotation == "sre" && early.channel == "#sre-oncall" && early.oncall == nil)
        #expect(early.timeline.contains { $0.kind == "paged" && $0.text == "nobody: sre has no one on call now, announced in #sre-oncall" })

        // A broken oncall.yaml never keeps an incident from opening: the timeline says why.
        ops.clock.set("2026-11-22T17:58:02Z")
        let good = try ops.folder.read(OnCallSchedule.path)
        try ops.folder.write(OnCallSchedule.path, good.replacingOccurrences(of: "handoff: Monday 09:00      #", with: "handoff: Someday 09:00      #"))
        let unrouted = try ops.open("With a broken oncall.yaml")
        #expect(unrouted.rotation == nil && unrouted.oncall == nil)
        let note = try #require(unrouted.timeline.first { $0.kind == "note" })
        #expect(note.text.hasPrefix("not routed: oncall.yaml:8:"))

        // No oncall.yaml at all: nothing recorded, nothing said.
        try FileManager.default.removeItem(atPath: ops.folder.path + "/" + OnCallSchedule.path)
        let plain = try ops.open("Without oncall.yaml")
        #expect(plain.rotation == nil && plain.timeline.map(\.kind) == ["opened"])
    }

    @Test func aStakeholderUpdateIsATimelineEntryOfItsOwn() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let outcome = try ops.incidents.change(incident.id, .update("  Rolled back v42; errors falling  "), at: nil, author: ops.bob)
        #expect(outcome.committed)
        let entry = try #require(outcome.incident.timeline.last)
        #expect(entry.kind == "update" && entry.actor == "bob" && entry.text == "Rolled back v42; errors falling")
        #expect(throws: OpsError.self) { try ops.incidents.change(incident.id, .update("  "), at: nil, author: ops.bob) }
    }
}
