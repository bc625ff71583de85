import Foundation
import Testing

@testable import OpsKit

@Suite struct ImportFireHydrantTests {
    @Test func everySampleImportsWithMilestonesAsClockPoints() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try ops.importing(.firehydrant, ImportSamples.all(.firehydrant))
        #expect(summary.created.count == 4 && summary.skipped.isEmpty)

        // #2: created_at 2022-03-08T01:28:08.276Z; milestones started 01:28:08.563Z, acknowledged 02:03:42.000Z
        // (edited), mitigated 03:09:06.407Z = resolved 03:09:06.407Z; current_milestone resolved.
        let two = try ops.imported("firehydrant:a4a082a0-399c-4f74-aa2e-4be55ba6ed44")
        #expect(
            two.clock == [
                .started: utc("2022-03-08T01:28:08Z"), .opened: utc("2022-03-08T01:28:08Z"),
                .acknowledged: utc("2022-03-08T02:03:42Z"), .resolved: utc("2022-03-08T03:09:06Z"),
            ])
        #expect(two.status == .resolved && two.severity == "SEV4" && two.commander == "kelvin-tran")
        // #1: created_at 2022-03-07T15:17:51.612Z; started 15:17:51.779Z, acknowledged 15:17:52.022Z.
        let one = try ops.imported("firehydrant:6227bd80-53fc-4733-84dd-9314301632ac")
        #expect(
            one.clock == [
                .started: utc("2022-03-07T15:17:51Z"), .opened: utc("2022-03-07T15:17:51Z"),
                .acknowledged: utc("2022-03-07T15:17:52Z"),
            ])
        #expect(one.status == .acknowledged && one.title == "test 2")
        // #3 (events only in the JSON lines file): Commander, Ops Lead and Communication roles.
        let three = try ops.imported("firehydrant:4a9cd2e4-538c-40c7-83c3-b5b910eaa2cf")
        #expect(three.commander == "kelvin-tran")
        #expect(three.roles.map(\.role) == ["ops_lead", "comms"])
        // Notes and events are in the timeline; runbook steps and tickets are not.
        #expect(one.timeline.contains { $0.kind == "note" && $0.text == "abc" })  // a note inside a bulk_update
        #expect(!one.timeline.contains { $0.text.contains("task") })
    }

    @Test func aManualIncidentKeepsItsImmediateAcknowledgementAndTheSummarySaysSo() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try ops.importing(.firehydrant, [try ImportSamples.file(.firehydrant, ImportSamples.fireHydrant)])
        // #3: started 2022-03-08T06:13:17.672Z, acknowledged 06:13:17.804Z: 0.13 s, as FireHydrant recorded it.
        let three = try ops.imported("firehydrant:4a9cd2e4-538c-40c7-83c3-b5b910eaa2cf")
        #expect(three.clock[.acknowledged] == utc("2022-03-08T06:13:17Z") && three.clock[.opened] == utc("2022-03-08T06:13:17Z"))
        let note = summary.notes.first { $0.hasPrefix("acknowledged within a second of opening: FireHydrant starts a manually declared incident acknowledged") }
        #expect(note != nil)
        for number in ["#1", "#3", "#4"] { #expect(note?.contains(number) == true) }
        #expect(note?.contains("#2") == false)
        #expect(three.timeline.last?.text.contains("acknowledged within a second of opening") == true)
    }

    @Test func anEditedMilestoneUsesTheEditedTimeAndTheTimelineKeepsBoth() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try ops.importing(.firehydrant, [try ImportSamples.file(.firehydrant, ImportSamples.fireHydrant)])
        // #2: the move started → acknowledged happened at 01:28:08.850Z; the milestone now says 02:03:42.000Z,
        // updated_at 02:03:42.954Z.
        let two = try ops.imported("firehydrant:a4a082a0-399c-4f74-aa2e-4be55ba6ed44")
        #expect(two.clock[.acknowledged] == utc("2022-03-08T02:03:42Z"))
        #expect(two.timeline.contains { $0.kind == "acknowledged" && $0.at == utc("2022-03-08T01:28:08Z") })
        #expect(
            two.timeline.contains {
                $0.kind == "corrected" && $0.at == utc("2022-03-08T02:03:42Z")
                    && $0.text == "acknowledged_at 2022-03-08T01:28:08Z → 2022-03-08T02:03:42Z (edited in FireHydrant)"
            })
        #expect(summary.notes.contains { $0.hasPrefix("acknowledged_at was edited after the fact in FireHydrant") && $0.contains("#2") })
    }

    @Test func mitigatedFilledInWithTheResolvedInstantIsLeftMissing() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try ops.importing(.firehydrant, [try ImportSamples.file(.firehydrant, ImportSamples.fireHydrant)])
        // #2: mitigated and resolved milestones both 2022-03-08T03:09:06.407Z (acknowledged → resolved in one update).
        let two = try ops.imported("firehydrant:a4a082a0-399c-4f74-aa2e-4be55ba6ed44")
        #expect(two.clock[.mitigated] == nil && two.clock[.resolved] == utc("2022-03-08T03:09:06Z"))
        #expect(two.durations(clockStart: .detected)["time_to_mitigate"] == nil)
        #expect(summary.notes.contains { $0.hasPrefix("mitigated and resolved milestones are the same instant") })
    }

    @Test func aStartedMilestoneWrittenJustAfterOpeningIsNotAfterIt() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // #1 with created_at at .950 s: the default started milestone lands 100 ms later, in the next second.
        let file = try ImportSamples.edited(.firehydrant, ImportSamples.fireHydrant) { text in
            text.replacingOccurrences(of: "\"created_at\":\"2022-03-07T15:17:51.612Z\"", with: "\"created_at\":\"2022-03-07T15:17:51.950Z\"")
                .replacingOccurrences(of: "\"occurred_at\":\"2022-03-07T15:17:51.779Z\"", with: "\"occurred_at\":\"2022-03-07T15:17:52.050Z\"")
        }
        let summary = try ops.importing(.firehydrant, [file])
        let one = try ops.imported("firehydrant:6227bd80-53fc-4733-84dd-9314301632ac")
        #expect(one.clock[.started] == utc("2022-03-07T15:17:51Z") && one.clock[.opened] == utc("2022-03-07T15:17:51Z"))
        #expect(one.clockOrderViolations.isEmpty)
        #expect(summary.notes.contains { $0.hasPrefix("the started milestone is FireHydrant's default, written 100 ms after") })
    }

    @Test func theFullerCopyWinsAndALaterFullerExportUpdatesInPlace() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // The plain array (an older snapshot, no events, #3 without roles) first.
        try ops.importing(.firehydrant, [try ImportSamples.file(.firehydrant, ImportSamples.fireHydrantArray)])
        let before = try ops.imported("firehydrant:4a9cd2e4-538c-40c7-83c3-b5b910eaa2cf")
        #expect(before.commander == nil && before.roles.isEmpty)
        let summary = try ops.importing(.firehydrant, [try ImportSamples.file(.firehydrant, ImportSamples.fireHydrant)])
        #expect(summary.created.count == 1 && summary.updated.count == 3)  // #4 is new; #1, #2, #3 gain their events
        let after = try ops.imported("firehydrant:4a9cd2e4-538c-40c7-83c3-b5b910eaa2cf")
        #expect(after.id == before.id && after.commander == "kelvin-tran" && after.roles.count == 2)
        #expect(summary.updated.first { $0.source.hasSuffix("4a9cd2e4-538c-40c7-83c3-b5b910eaa2cf") }?.changes == ["commander unset → kelvin-tran", "roles"])
    }

    @Test func aCustomMilestoneIsReportedUntilItIsMapped() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // #4 with an organisation's own milestone after acknowledged.
        let file = try ImportSamples.edited(.firehydrant, ImportSamples.fireHydrant) { text in
            text.replacingOccurrences(
                of: "\"type\":\"acknowledged\",\"occurred_at\":\"2022-03-09T08:45:47.055Z\",\"duration\":\"PT0S\"}",
                with:
                    "\"type\":\"acknowledged\",\"occurred_at\":\"2022-03-09T08:45:47.055Z\",\"duration\":\"PT0S\"},{\"type\":\"customer_comms_sent\",\"occurred_at\":\"2022-03-09T09:30:00.000Z\"}"
            )
        }
        let summary = try ops.importing(.firehydrant, [file], dryRun: true)
        #expect(
            summary.unmapped.contains {
                $0.hasPrefix("milestone 'customer_comms_sent': no clock point; not imported (map it with --clock 'customer_comms_sent=POINT')")
            })
        try ops.importing(.firehydrant, [file], clock: ["customer_comms_sent=mitigated"])
        #expect(try ops.imported("firehydrant:dbb971ad-4cc8-4c8a-ba6e-37ac477de0a8").clock[.mitigated] == utc("2022-03-09T09:30:00Z"))
    }
}
