import Foundation
import Testing

@testable import OpsKit

/// Input ops cannot use: one line naming the file (and the tool's incident when there is one),
/// exit 2 (`.input`), and nothing written, even when the other files of the run are fine.
@Suite struct ImportBadInputTests {
    /// Imports a good file then `bad` in one run; returns the error's message after checking
    /// that it is bad input and that no commit or file was made.
    private func refused(_ tool: ImportTool, _ bad: ImportFile, with good: ImportFile? = nil) throws -> String {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let count = try ops.commitCount()
        var message = ""
        do {
            try ops.importing(tool, (good.map { [$0] } ?? []) + [bad])
            Issue.record("the import was not refused")
        } catch let error as OpsError {
            #expect(error.kind == .input && error.exitCode == 2)
            #expect(!error.message.contains("\n"))
            message = error.message
        }
        #expect(try ops.commitCount() == count)
        #expect(!FileManager.default.fileExists(atPath: ops.folder.path + "/incidents"))
        #expect(try git(ops.folder.path, "status", "--porcelain") == "")
        return message
    }

    @Test func aFileFromAnotherToolIsRefusedAndTheRightCommandNamed() throws {
        let fireHydrant = try ImportSamples.file(.firehydrant, ImportSamples.fireHydrant)
        #expect(
            try refused(.pagerduty, fireHydrant, with: try ImportSamples.file(.pagerduty, ImportSamples.pagerDuty))
                == "faros_2022_incidents_with_events.jsonl: this is FireHydrant data, not PagerDuty. Run: ops import firehydrant faros_2022_incidents_with_events.jsonl"
        )
        #expect(
            try refused(.rootly, try ImportSamples.file(.incidentio, "openapi_GET_v2_incidents.json"))
                == "openapi_GET_v2_incidents.json: this is incident.io data, not Rootly. Run: ops import incidentio openapi_GET_v2_incidents.json")
        #expect(
            try refused(.pagerduty, try ImportSamples.file(.dispatch, ImportSamples.dispatchDump))
                == "dispatch-sample-data_excerpt.sql: this is a database dump (Dispatch's), not PagerDuty data. Run: ops import dispatch dispatch-sample-data_excerpt.sql"
        )
        #expect(
            try refused(.dispatch, try ImportSamples.file(.rootly, "openapi_GET_v1_incident.json"))
                == "openapi_GET_v1_incident.json: this is Rootly data, not Dispatch. Run: ops import rootly openapi_GET_v1_incident.json")
        let unknown = ImportFile(name: "notes.json", data: Data(#"{"hello": "world"}"#.utf8))
        #expect(
            try refused(.firehydrant, unknown).hasPrefix("notes.json: not FireHydrant data. ops import firehydrant reads FireHydrant GET /v1/incidents items"))
    }

    @Test func aTruncatedFileNamesTheIncidentItWasCutIn() throws {
        // JSON lines cut inside the last line, #541's incident object, after its "id".
        let lines = try ImportSamples.text(.pagerduty, ImportSamples.pagerDuty)
        let cut = lines.range(of: "\"id\":\"Q25VC4JPR19EYV\",\"type\":\"incident\",")!.upperBound
        let jsonLines = ImportFile(name: "pd.jsonl", data: Data(lines[..<cut].utf8))
        #expect(
            try refused(.pagerduty, jsonLines)
                == "pd.jsonl:28: the file ends in the middle of PagerDuty incident Q25VC4JPR19EYV (truncated?). Export it again; nothing was imported")
        // A JSON array cut inside its second incident, before that one's "id": the last complete one is named.
        let array = try ImportSamples.text(.pagerduty, ImportSamples.pagerDutyTrial)
        let second = array.range(of: "\"incident_number\": 2")!.upperBound
        #expect(
            try refused(.pagerduty, ImportFile(name: "trial.json", data: Data(array[..<second].utf8)))
                .hasSuffix("the file ends after PagerDuty incident Q27MXNAJQ834PC; what follows is cut off (truncated?). Export it again; nothing was imported")
        )
        // FireHydrant puts the id first, so the incident cut is named.
        let fireHydrant = try ImportSamples.text(.firehydrant, ImportSamples.fireHydrantArray)
        let inside = fireHydrant.range(of: "\"name\": \"incident 2\"")!.upperBound
        #expect(
            try refused(.firehydrant, ImportFile(name: "fh.json", data: Data(fireHydrant[..<inside].utf8)))
                .contains("the file ends in the middle of FireHydrant incident a4a082a0-399c-4f74-aa2e-4be55ba6ed44"))
        // Dispatch's dump cut inside incident 5's row.
        let dump = try ImportSamples.text(.dispatch, ImportSamples.dispatchDump)
        let row = dump.range(of: "5\tdispatch-default-default-5\tSolarwinds")!.upperBound
        #expect(
            try refused(.dispatch, ImportFile(name: "dump.sql", data: Data(dump[..<row].utf8)))
                == "dump.sql:4: the file ends in the middle of Dispatch incident 5 (truncated?). Dump it again; nothing was imported")
    }

    @Test func anIncidentWithNoCreationTimeIsRefused() throws {
        // #232's object without created_at (its trigger log entry keeps its own).
        let pagerDuty = try ImportSamples.edited(.pagerduty, ImportSamples.pagerDuty, as: "pd.jsonl") { text in
            text.split(separator: "\n").map { line in
                line.contains("\"id\":\"Q0F38LOFAQXIKU\",\"type\":\"incident\"")
                    ? line.replacingOccurrences(of: "\"created_at\":\"2022-09-10T20:22:09Z\",", with: "") : String(line)
            }.joined(separator: "\n") + "\n"
        }
        #expect(
            try refused(.pagerduty, pagerDuty)
                == "pd.jsonl:25: PagerDuty incident #232 (Q0F38LOFAQXIKU) has no `created_at`, the time it was opened, so it cannot be placed in time. Fix the export; nothing was imported"
        )
        let rootly = try ImportSamples.edited(.rootly, "openapi_GET_v1_incident.json") { text in
            text.replacingOccurrences(of: "\"created_at\": \"2025-07-12T00:17:07.042-07:00\"", with: "\"created_at\": null")
        }
        #expect(
            try refused(.rootly, rootly).hasPrefix(
                "openapi_GET_v1_incident.json: Rootly incident #1 (8150262f-a6e3-4561-8751-42cddc5daf2a) has no `created_at`"))
        let dispatch = try ImportSamples.edited(.dispatch, ImportSamples.dispatchDump) { text in
            text.replacingOccurrences(of: "Sad PKI noises\tStable\tOpen\t2021-07-27 19:52:57.757214", with: "Sad PKI noises\tStable\tOpen\t\\N")
        }
        #expect(
            try refused(.dispatch, dispatch)
                .hasPrefix("dispatch-sample-data_excerpt.sql:3: Dispatch incident dispatch-default-default-4 (4) has no `reported_at`"))
    }

    @Test func aTimestampThatDoesNotParseIsRefused() throws {
        let rootly = try ImportSamples.edited(.rootly, "openapi_PUT_v1_incident_mitigate.json") { text in
            text.replacingOccurrences(of: "\"mitigated_at\": \"2025-07-12T00:17:24.764-07:00\"", with: "\"mitigated_at\": \"12/07/2025 00:17\"")
        }
        #expect(
            try refused(.rootly, rootly, with: try ImportSamples.file(.rootly, "openapi_GET_v1_incident.json"))
                == "openapi_PUT_v1_incident_mitigate.json: Rootly incident #1 (8150262f-a6e3-4561-8751-42cddc5daf2a): `mitigated_at` '12/07/2025 00:17' is not a time (expected ISO 8601, like 2022-10-10T07:29:21Z); nothing was imported"
        )
        // In a log entry: named by its incident.
        let pagerDuty = try ImportSamples.edited(.pagerduty, ImportSamples.pagerDuty, as: "pd.jsonl") { text in
            text.replacingOccurrences(of: "\"created_at\":\"2022-10-10T14:37:18Z\"", with: "\"created_at\":\"2022-10-10 2:37pm\"")
        }
        #expect(
            try refused(.pagerduty, pagerDuty)
                == "pd.jsonl:2: PagerDuty log entry R6CDOVCDWWNGJHPOQT1MO30FTI of incident Q25VC4JPR19EYV: `created_at` '2022-10-10 2:37pm' is not a time (expected ISO 8601, like 2022-10-10T07:29:21Z); nothing was imported"
        )
        // FireHydrant's milestone, and incident.io's organisation timestamp.
        let fireHydrant = try ImportSamples.edited(.firehydrant, ImportSamples.fireHydrantArray) { text in
            text.replacingOccurrences(of: "\"occurred_at\": \"2022-03-08T03:09:06.407Z\"", with: "\"occurred_at\": \"soon\"")
        }
        #expect(try refused(.firehydrant, fireHydrant).contains("FireHydrant incident #2 (a4a082a0-399c-4f74-aa2e-4be55ba6ed44): `milestones["))
        let incidentIO = try ImportSamples.edited(.incidentio, "openapi_GET_v2_incident.json") { text in
            text.replacingOccurrences(of: "\"value\": \"2021-08-17T13:28:57.801578Z\"", with: "\"value\": \"2021-13-45T00:00:00Z\"")
        }
        #expect(
            try refused(.incidentio, incidentIO).hasPrefix(
                "openapi_GET_v2_incident.json: incident.io incident INC-123 (01FDAG4SAP5TYPT98WGR2N7W91): `incident_timestamp_values 'Impact started'` '2021-13-45T00:00:00Z' is not a time"
            ))
    }

    @Test func brokenJSONAndEmptyFilesAreRefused() throws {
        #expect(
            try refused(.incidentio, ImportFile(name: "x.json", data: Data("{\"incidents\": [}".utf8)))
                .hasPrefix("x.json:1: not valid JSON (unexpected character '}')"))
        #expect(
            try refused(.rootly, ImportFile(name: "empty.json", data: Data("\n".utf8)))
                .hasPrefix("empty.json: the file is empty."))
    }
}
