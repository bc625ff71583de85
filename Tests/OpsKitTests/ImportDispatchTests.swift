import Foundation
import Testing

@testable import OpsKit

@Suite struct ImportDispatchTests {
    @Test func everySampleImportsWithStableAsMitigation() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try ops.importing(.dispatch, ImportSamples.all(.dispatch))
        #expect(summary.created.count == 4)
        #expect(summary.skipped == ["openapi_schemas_excerpt.yaml: Dispatch's API schema (IncidentRead, EventRead, ...), not exported data: nothing to import"])
        // Incident 4 "Heartbleed", Stable: reported_at 2021-07-27 19:52:57.757214, stable_at 19:54:03.96021,
        // closed_at \N (naive timestamps in UTC). The dump and incident_read.json are the same incident.
        let heartbleed = try ops.imported("dispatch:4")
        #expect(heartbleed.clock == [.opened: utc("2021-07-27T19:52:57Z"), .mitigated: utc("2021-07-27T19:54:03Z")])
        #expect(heartbleed.status == .mitigated && heartbleed.commander == "kevin-glisson")
        #expect(heartbleed.roles.map(\.role) == ["comms"])  // Liaison
        #expect(heartbleed.timeline.contains { $0.kind == "mitigated" && $0.text == "The incident status has been changed from Active to Stable" })
        // Incident 2 "This is just a test", Active: reported_at 2021-07-27 19:47:56.28659, no stable_at.
        let test = try ops.imported("dispatch:2")
        #expect(test.clock == [.opened: utc("2021-07-27T19:47:56Z")])
        #expect(test.status == .open && test.title == "This is just a test")
        // Dispatch has no resolution of its own: never copied from stable_at.
        for incident in try ops.importedIncidents() { #expect(incident.clock[.resolved] == nil) }
        #expect(summary.notes.contains { $0.hasPrefix("Dispatch has one time, stable_at, for impact contained: it is mitigated_at") })
    }

    @Test func anIncidentCreatedAlreadyClosedHasNoDurations() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // Incident 6 "Kaseya" as if created Closed: stable_at = closed_at = reported_at = 2021-07-27 20:11:30.525883.
        let dump = try ImportSamples.edited(.dispatch, ImportSamples.dispatchDump) { text in
            text.replacingOccurrences(
                of: "Those backups are good right?\tActive\tOpen\t2021-07-27 20:11:30.525883\t\\N\t\\N",
                with: "Those backups are good right?\tClosed\tOpen\t2021-07-27 20:11:30.525883\t2021-07-27 20:11:30.525883\t2021-07-27 20:11:30.525883")
        }
        let summary = try ops.importing(.dispatch, [dump])
        let kaseya = try ops.imported("dispatch:6")
        #expect(kaseya.status == .closed)
        #expect(kaseya.clock == [.opened: utc("2021-07-27T20:11:30Z"), .closed: utc("2021-07-27T20:11:30Z")])
        #expect(kaseya.durations(clockStart: .detected).isEmpty)
        #expect(summary.notes.contains { $0.hasPrefix("created already Closed") && $0.contains("dispatch-default-default-6 (6)") })
    }

    @Test func anIncidentTypeExcludedFromMetricsIsNotImported() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // Type 3 "Customer Data" (incident 2's) marked exclude_from_metrics.
        let dump = try ImportSamples.edited(.dispatch, ImportSamples.dispatchDump) { text in
            text.replacingOccurrences(
                of: "3\tCustomer Data\t\\N\tThis is an incident involving customer data.\tf",
                with: "3\tCustomer Data\t\\N\tThis is an incident involving customer data.\tt")
        }
        let summary = try ops.importing(.dispatch, [dump])
        #expect(summary.created.count == 3)
        #expect(summary.skipped == ["dispatch-default-default-2 (2): its incident type Customer Data is excluded from metrics in Dispatch"])
    }

    @Test func theAPIShapeGivesTheSameIncidentAsTheDump() throws {
        let fromDump = try OpsFixture()
        defer { fromDump.remove() }
        try fromDump.importing(.dispatch, [try ImportSamples.file(.dispatch, ImportSamples.dispatchDump)])
        let fromAPI = try OpsFixture()
        defer { fromAPI.remove() }
        try fromAPI.importing(.dispatch, [try ImportSamples.file(.dispatch, "incident_read.json")])
        let a = try fromDump.imported("dispatch:4")
        let b = try fromAPI.imported("dispatch:4")
        #expect(a.clock == b.clock && a.status == b.status && a.commander == b.commander && a.title == b.title && a.severity == b.severity)
    }
}
