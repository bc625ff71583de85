import Foundation
import Testing

@testable import OpsKit

/// Rootly's samples are one incident (8150262f…, #1) in three states: as started, after
/// `PUT /mitigate`, and after `PUT /resolve` (a separate test run that resolved it unmitigated).
@Suite struct ImportRootlyTests {
    static let source = "rootly:8150262f-a6e3-4561-8751-42cddc5daf2a"

    @Test func everySampleImportsAndTheNewestStateWins() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try ops.importing(.rootly, ImportSamples.all(.rootly))
        #expect(summary.created.count == 1 && summary.read == 1)
        // The resolve response (updated_at 00:17:25.801-07:00, the newest): started_at = created_at
        // 2025-07-12T00:17:07.042-07:00, resolved_at 00:17:25.691-07:00, mitigated_at the same instant
        // with mitigated_by null.
        let incident = try ops.imported(Self.source)
        #expect(
            incident.clock == [
                .started: utc("2025-07-12T07:17:07Z"), .opened: utc("2025-07-12T07:17:07Z"),
                .resolved: utc("2025-07-12T07:17:25Z"),
            ])
        #expect(incident.status == .resolved)
        #expect(summary.notes.contains { $0.hasPrefix("read 3 copies of it") })
    }

    @Test func localOffsetsAreStoredInUTC() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try ops.importing(.rootly, [try ImportSamples.file(.rootly, "openapi_GET_v1_incident.json")])
        // GET: status started; started_at = created_at = 2025-07-12T00:17:07.042-07:00 → 07:17:07Z; nothing else set.
        let incident = try ops.imported(Self.source)
        #expect(incident.clock == [.started: utc("2025-07-12T07:17:07Z"), .opened: utc("2025-07-12T07:17:07Z")])
        #expect(incident.status == .open)
        #expect(try ops.file(incident).contains("started_at: 2025-07-12T07:17:07Z\nopened_at: 2025-07-12T07:17:07Z\n"))
    }

    @Test func mitigatedEqualToResolvedWithNobodyMitigatingIsLeftMissing() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try ops.importing(.rootly, [try ImportSamples.file(.rootly, "openapi_PUT_v1_incident_resolve.json")])
        // mitigated_at = resolved_at = 2025-07-12T00:17:25.691-07:00, mitigated_by null.
        let incident = try ops.imported(Self.source)
        #expect(incident.clock[.mitigated] == nil && incident.clock[.resolved] == utc("2025-07-12T07:17:25Z"))
        #expect(summary.notes.contains { $0.hasPrefix("mitigated_at equals resolved_at with nobody as mitigated_by") })
        let resolved = incident.timeline.first { $0.kind == "resolved" }
        #expect(resolved?.actor == "krystin-adams" && resolved?.text == "Restart database fixed it!")
    }

    @Test func eachLaterStateUpdatesTheSameIncidentAndNeverClearsAPoint() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try ops.importing(.rootly, [try ImportSamples.file(.rootly, "openapi_GET_v1_incident.json")])
        let id = try ops.imported(Self.source).id
        let start = try ops.commitCount()
        // Mitigate: mitigated_at 2025-07-12T00:17:24.764-07:00 by Krystin Adams.
        let mitigated = try ops.importing(.rootly, [try ImportSamples.file(.rootly, "openapi_PUT_v1_incident_mitigate.json")])
        #expect(mitigated.updated.first?.changes == ["mitigated_at unset → 2025-07-12T07:17:24Z", "status open → mitigated", "1 timeline entry"])
        // Resolve: resolved_at 00:17:25.691-07:00; its mitigated_at is Rootly's fill-in, so the real one stays.
        let resolved = try ops.importing(.rootly, [try ImportSamples.file(.rootly, "openapi_PUT_v1_incident_resolve.json")])
        #expect(resolved.updated.first?.changes == ["resolved_at unset → 2025-07-12T07:17:25Z", "status mitigated → resolved", "1 timeline entry"])
        let incident = try ops.imported(Self.source)
        #expect(try incident.id == id && ops.commitCount() == start + 2)
        #expect(incident.clock[.mitigated] == utc("2025-07-12T07:17:24Z") && incident.clock[.resolved] == utc("2025-07-12T07:17:25Z"))
        #expect(incident.timeline.map(\.kind) == ["opened", "imported", "mitigated", "imported", "resolved", "imported"])
        // And the same state again changes nothing.
        try ops.importing(.rootly, [try ImportSamples.file(.rootly, "openapi_PUT_v1_incident_resolve.json")])
        #expect(try ops.commitCount() == start + 2)
    }

    @Test func aRootlySeverityNameMapsThroughOpsYAMLElseByItsFixedLevel() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // severity "vzps3" (the organisation's name), fixed level medium: third of four → SEV3.
        let summary = try ops.importing(.rootly, [try ImportSamples.file(.rootly, "openapi_GET_v1_incident.json")])
        #expect(try ops.imported(Self.source).severity == "SEV3")
        #expect(summary.unmapped.contains { $0.hasPrefix("severity 'vzps3' (level medium): not in ops.yaml, filed as SEV3 from Rootly's level medium") })
        // Once ops.yaml names it, the next import files it there.
        let config = try ops.folder.read("ops.yaml").replacingOccurrences(of: "aliases: [P2, major, page]", with: "aliases: [P2, major, page, vzps3]")
        try ops.folder.write("ops.yaml", config)
        let again = try ops.importing(.rootly, [try ImportSamples.file(.rootly, "openapi_GET_v1_incident.json")], reopen: true)
        #expect(again.updated.first?.changes == ["severity SEV3 → SEV2"] && again.unmapped.allSatisfy { !$0.hasPrefix("severity") })
    }

    @Test func testExampleSubAndCancelledIncidentsAreNotImported() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        func variant(_ name: String, _ from: String, _ to: String, id: String) throws -> ImportFile {
            try ImportSamples.edited(.rootly, "openapi_GET_v1_incident.json", as: name) { text in
                text.replacingOccurrences(of: from, with: to).replacingOccurrences(of: "8150262f-a6e3-4561-8751-42cddc5daf2a", with: id)
            }
        }
        let files = [
            try variant("test.json", "\"kind\": \"normal\"", "\"kind\": \"test\"", id: "t-1"),
            try variant("example.json", "\"kind\": \"normal\"", "\"kind\": \"example_sub\"", id: "t-2"),
            try variant("sub.json", "\"kind\": \"normal\"", "\"kind\": \"normal_sub\"", id: "t-3"),
            try variant("cancelled.json", "\"status\": \"started\"", "\"status\": \"cancelled\"", id: "t-4"),
        ]
        let summary = try ops.importing(.rootly, files)
        #expect(summary.created.isEmpty && summary.read == 0 && !summary.committed)
        #expect(
            summary.skipped == [
                "#1 (t-1): a test incident, not an incident to count",
                "#1 (t-2): a sub-incident (example_sub), counted with its parent, not an incident to count",
                "#1 (t-3): a sub-incident (normal_sub), counted with its parent, not an incident to count",
                "#1 (t-4): cancelled, not an incident to count",
            ])
    }

    @Test func eventsWithoutTheirIncidentAreSkippedAndIncludedOnesJoinTheTimeline() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let alone = try ops.importing(.rootly, [try ImportSamples.file(.rootly, "openapi_GET_v1_event.json")])
        #expect(
            alone.skipped.count == 1 && alone.skipped[0].hasPrefix("Rootly event 63bc5b9d-9382-496b-8ed0-182b3be847f8: no incident in these files lists it"))
        // The incident listing that event (as `include=events` returns it): the event joins its timeline.
        let event = try ImportSamples.text(.rootly, "openapi_GET_v1_event.json")
        let listed = try ImportSamples.edited(.rootly, "openapi_GET_v1_incident.json", as: "with-events.json") { text in
            var text = text.replacingOccurrences(
                of: "\"id\": \"7adaedaa-57e4-4d07-b5ef-46745ff3ccbf\"", with: "\"id\": \"63bc5b9d-9382-496b-8ed0-182b3be847f8\"")
            let eventData = event.components(separatedBy: "\"data\": ")[1].trimmingCharacters(in: .whitespacesAndNewlines).dropLast()
            text = String(text.trimmingCharacters(in: .whitespacesAndNewlines).dropLast()) + ", \"included\": [" + eventData + "]}"
            return text
        }
        try ops.importing(.rootly, [listed])
        // occurred_at 2025-07-12T00:15:47.227-07:00 by Misti Christiansen.
        let line = try ops.imported(Self.source).timeline.first { $0.kind == "event" }
        #expect(line?.at == utc("2025-07-12T07:15:47Z") && line?.actor == "misti-christiansen" && line?.text == "Beatae at eum excepturi.")
    }
}
