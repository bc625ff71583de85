import Foundation
import Testing

@testable import OpsKit

/// incident.io's samples are the vendor's OpenAPI examples: one incident (01FDAG4SAP5TYPT98WGR2N7W91,
/// INC-123) in the list and the single-incident responses, every date 2021-08-17T13:28:57.801578Z.
@Suite struct ImportIncidentIOTests {
    static let source = "incidentio:01FDAG4SAP5TYPT98WGR2N7W91"

    @Test func everySampleImportsWithClockPointsFromNamedTimestamps() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try ops.importing(.incidentio, ImportSamples.all(.incidentio))
        #expect(summary.created.count == 1 && summary.read == 1)
        // created_at 2021-08-17T13:28:57.801578Z; timestamp "Impact started" 2021-08-17T13:28:57.801578Z;
        // status "Closed" in category triage; severity "Minor"; lead Lisa Karlin Curtis.
        let incident = try ops.imported(Self.source)
        #expect(incident.clock == [.started: utc("2021-08-17T13:28:57Z"), .opened: utc("2021-08-17T13:28:57Z")])
        #expect(incident.status == .open && incident.severity == "SEV3" && incident.commander == "lisa-karlin-curtis")
        #expect(summary.notes.contains { $0.hasPrefix("status 'Closed' is in category triage: imported as open (ops goes by the category)") })
        // Its update belongs to another incident id (01FCNDV6P870EA6S7TK1DSYDG0) in the vendor's example.
        #expect(summary.skipped == ["1 incident.io update of incident 01FCNDV6P870EA6S7TK1DSYDG0: the incident itself is not in these files"])
    }

    @Test func updatesGiveTheTimelineAndTheResolutionWhenNoTimestampDoes() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // The update made to belong to INC-123, moving it to a "Monitoring" (live) status, then one
        // into category learning at 2021-08-17T15:00:00.5Z.
        let updates = try ImportSamples.edited(.incidentio, "openapi_GET_v2_incident_updates.json") { text in
            let one = text.replacingOccurrences(of: "\"incident_id\": \"01FCNDV6P870EA6S7TK1DSYDG0\"", with: "\"incident_id\": \"01FDAG4SAP5TYPT98WGR2N7W91\"")
            let update = one.components(separatedBy: "\"incident_updates\": [")[1].components(separatedBy: "\n  ],")[0]
            let learning = update.replacingOccurrences(of: "\"category\": \"triage\"", with: "\"category\": \"learning\"")
                .replacingOccurrences(of: "\"name\": \"Closed\"", with: "\"name\": \"Post-incident\"")
                .replacingOccurrences(
                    of: "\"created_at\": \"2021-08-17T13:28:57.801578Z\",\n      \"id\"", with: "\"created_at\": \"2021-08-17T15:00:00.5Z\",\n      \"id\"")
            return one.replacingOccurrences(of: update, with: update + "," + learning)
        }
        try ops.importing(.incidentio, [try ImportSamples.file(.incidentio, "openapi_GET_v2_incident.json"), updates])
        let incident = try ops.imported(Self.source)
        #expect(incident.clock[.resolved] == utc("2021-08-17T15:00:00Z"))
        #expect(incident.status == .resolved)
        #expect(
            incident.timeline.filter { $0.kind == "update" }.map(\.text) == [
                "Closed, severity Minor: We're working on a fix, hoping to ship in the next 30 minutes",
                "Post-incident, severity Minor: We're working on a fix, hoping to ship in the next 30 minutes",
            ])
        #expect(incident.timeline.first { $0.kind == "update" }?.actor == "lisa-karlin-curtis")
    }

    @Test func anOrganisationsOwnTimestampNameIsReportedUntilMapped() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let renamed = try ImportSamples.edited(.incidentio, "openapi_GET_v2_incident.json") { text in
            text.replacingOccurrences(of: "\"name\": \"Impact started\"", with: "\"name\": \"Customer impact began\"")
        }
        let summary = try ops.importing(.incidentio, [renamed], dryRun: true)
        #expect(
            summary.unmapped.contains {
                $0.hasPrefix("timestamp 'Customer impact began': no clock point; not imported (map it with --clock 'Customer impact began=POINT')")
            })
        try ops.importing(.incidentio, [renamed], clock: ["Customer impact began=started"])
        #expect(try ops.imported(Self.source).clock[.started] == utc("2021-08-17T13:28:57Z"))
        // A timestamp defined but never set has no value: missing, not an error.
        let unset = try ImportSamples.edited(.incidentio, "openapi_GET_v2_incident.json", as: "unset.json") { text in
            text.replacingOccurrences(of: ",\n        \"value\": {\n          \"value\": \"2021-08-17T13:28:57.801578Z\"\n        }", with: "")
                .replacingOccurrences(of: "01FDAG4SAP5TYPT98WGR2N7W91", with: "01UNSET")
        }
        try ops.importing(.incidentio, [unset])
        #expect(try ops.imported("incidentio:01UNSET").clock[.started] == nil)
    }

    @Test func testTutorialDeclinedAndMergedIncidentsAreNotImported() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        func variant(_ id: String, _ from: String, _ to: String) throws -> ImportFile {
            try ImportSamples.edited(.incidentio, "openapi_GET_v2_incident.json", as: "\(id).json") { text in
                text.replacingOccurrences(of: from, with: to).replacingOccurrences(of: "01FDAG4SAP5TYPT98WGR2N7W91", with: id)
            }
        }
        let summary = try ops.importing(
            .incidentio,
            [
                try variant("T1", "\"mode\": \"standard\"", "\"mode\": \"test\""),
                try variant("T2", "\"mode\": \"standard\"", "\"mode\": \"tutorial\""),
                try variant(
                    "T3", "\"category\": \"triage\",\n      \"created_at\": \"2021-08-17T13:28:57.801578Z\",\n      \"description\": \"Impact has",
                    "\"category\": \"declined\",\n      \"created_at\": \"2021-08-17T13:28:57.801578Z\",\n      \"description\": \"Impact has"),
                try variant(
                    "T4", "\"category\": \"triage\",\n      \"created_at\": \"2021-08-17T13:28:57.801578Z\",\n      \"description\": \"Impact has",
                    "\"category\": \"merged\",\n      \"created_at\": \"2021-08-17T13:28:57.801578Z\",\n      \"description\": \"Impact has"),
            ])
        #expect(summary.read == 0 && !summary.committed)
        #expect(
            summary.skipped == [
                "INC-123 (T1): a test incident (mode test), not a real one",
                "INC-123 (T2): a tutorial incident (mode tutorial), not a real one",
                "INC-123 (T3): declined, not an incident to count",
                "INC-123 (T4): merged, not an incident to count",
            ])
    }

    @Test func microsecondsAreDroppedNotRounded() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let late = try ImportSamples.edited(.incidentio, "openapi_GET_v2_incident.json") { text in
            text.replacingOccurrences(
                of: "\"created_at\": \"2021-08-17T13:28:57.801578Z\",\n    \"creator\"",
                with: "\"created_at\": \"2021-08-17T13:28:59.999999Z\",\n    \"creator\"")
        }
        try ops.importing(.incidentio, [late])
        #expect(try ops.imported(Self.source).clock[.opened] == utc("2021-08-17T13:28:59Z"))
    }
}
