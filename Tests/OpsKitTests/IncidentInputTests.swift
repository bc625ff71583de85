import Foundation
import Testing

@testable import OpsKit

@Suite struct IncidentInputTests {
    @Test func idsAreTypedShortAnyCaseAndAmbiguityListsTheCandidates() throws {
        let refs = ["INC-20261122-7F3AK2QX", "INC-20261122-7F3BXXXX", "INC-20261121-9HD2W0PA"].map {
            IncidentRef(id: $0, path: "incidents/2026/11/\($0)/incident.md")
        }
        #expect(try IncidentLocator.resolve("7f3a", among: refs).id == "INC-20261122-7F3AK2QX")
        #expect(try IncidentLocator.resolve("inc-20261121-9hd2w0pa", among: refs).id == "INC-20261121-9HD2W0PA")
        #expect(try IncidentLocator.resolve("9hd2", among: refs).id == "INC-20261121-9HD2W0PA")
        #expect(try IncidentLocator.resolve("9HD2WOPA", among: refs).id == "INC-20261121-9HD2W0PA")  // O typed for 0
        #expect(
            throws: OpsError.input(
                "'7f3' is too short or not an incident ID. Incident IDs look like INC-20261122-7F3AK2QX; the first 4 or more characters of the last part (7f3a) work too"
            )
        ) {
            try IncidentLocator.resolve("7f3", among: refs)
        }
        #expect(throws: OpsError.input("'INC-20261122-7F3' matches 2 incidents: INC-20261122-7F3AK2QX, INC-20261122-7F3BXXXX. Type more characters")) {
            try IncidentLocator.resolve("INC-20261122-7F3", among: refs).id
        }
        #expect(throws: OpsError.input("no incident matches 'ZZZZ'. `ops incident list` shows them")) {
            try IncidentLocator.resolve("ZZZZ", among: refs)
        }
        for hostile in ["../../etc/passwd", "7f3a/../x", "7f3a\0", "$(rm -rf ~)", String(repeating: "A", count: 500)] {
            #expect {
                try IncidentLocator.resolve(hostile, among: refs)
            } throws: { error in (error as? OpsError)?.message.contains("is not an incident ID") == true }
        }
    }

    @Test(arguments: [
        "line one\nline two", "--- not front matter", "\"quoted\" and 'single'", "key: value", "# heading", "emoji 🚨🔥",
        "../../etc/passwd", "$(rm -rf ~)", String(repeating: "x", count: InputLimits.titleCharacters), "true", "- [ ] a list",
    ])
    func hostileTitlesAndNotesAreStoredSafelyAndReadBackAsTyped(text: String) throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open(text)
        #expect(incident.title == text)
        #expect(incident.path == "incidents/2026/11/\(incident.id)/incident.md")
        _ = try ops.incidents.change(incident.id, .note(text), at: nil, author: ops.alice)
        let reread = try ops.incidents.find(incident.id)
        #expect(reread.title == text)
        #expect(reread.timeline.last?.text == text)
        #expect(reread.timeline.count == 3)
        let show = try IncidentRendering.show(reread, format: .table, config: ops.workspace.config(), now: ops.clock.now)
        #expect(show.contains(text.replacingOccurrences(of: "\n", with: "\n    ")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: ops.folder.path + "/incidents/2026/11") == [incident.id])
    }

    @Test func badInputIsRefusedWithWhatToDoAndNothingIsWritten() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let count = try ops.commitCount()
        let cases: [(String, () throws -> Void)] = [
            (
                "unknown severity 'SEV9'. Known: SEV1 (P1, critical), SEV2 (P2, major, page), SEV3 (P3, minor, warning, ticket), SEV4 (P4, low, info)",
                { _ = try ops.open(sev: "SEV9") }
            ),
            (
                "unknown service 'checkout'. Known: ops_copilot, fraud_scoring, search_ranking, feature_store, model_gateway (add others to ops.yaml)",
                { _ = try ops.open(service: "checkout") }
            ),
            (
                "the title is empty. Say what is broken: ops incident open \"Checkout p99 above 1.2s\" --sev SEV2 --service checkout",
                { _ = try ops.open("  \n ") }
            ),
            (
                "no incident matches 'QQQQ'. `ops incident list` shows them",
                { _ = try ops.incidents.change("QQQQ", .move(to: .acknowledged), at: nil, author: ops.alice) }
            ),
            (
                "the note is empty. Write what happened: ops incident note ID \"Rolled back v42\"",
                { _ = try ops.incidents.change(incident.id, .note(" \n"), at: nil, author: ops.alice) }
            ),
            (
                "unknown runbook 'nope'. Known: data-drift-alert, feature-pipeline-failure, model-serving-degradation, sudden-accuracy-drop, traffic-spike",
                {
                    var request = IncidentService.OpenRequest(title: "x", severity: "SEV2", service: "ops_copilot"); request.runbook = "nope"
                    _ = try ops.incidents.open(request, author: ops.alice)
                }
            ),
        ]
        for (message, action) in cases {
            #expect(throws: OpsError.input(message)) { try action() }
        }
        #expect(try ops.commitCount() == count)
        #expect(try git(ops.folder.path, "status", "--porcelain") == "")
    }

    @Test func timesAreReadAsPeopleTypeThem() throws {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let now = Timestamp.parse("2026-11-22T23:10:00Z")!  // 00:10 on the 23rd in Berlin
        #expect(try TimeInput.parse("-15m", now: now, zone: zone) == Timestamp.parse("2026-11-22T22:55:00Z"))
        #expect(try TimeInput.parse("-1h30m", now: now, zone: zone) == Timestamp.parse("2026-11-22T21:40:00Z"))
        #expect(try TimeInput.parse("00:05", now: now, zone: zone) == Timestamp.parse("2026-11-22T23:05:00Z"))
        #expect(try TimeInput.parse("23:50", now: now, zone: zone) == Timestamp.parse("2026-11-22T22:50:00Z"))  // last night
        #expect(try TimeInput.parse("2026-11-22T19:58:02+02:00", now: now, zone: zone) == Timestamp.parse("2026-11-22T17:58:02Z"))
        #expect(try TimeInput.parse("2026-11-01", now: now, zone: zone) == Timestamp.parse("2026-10-31T23:00:00Z"))
        for bad in ["yesterday-ish", "25:00", "-15x", "2026-11-31", "14:2"] {
            #expect(throws: OpsError.input("'\(bad)' is not a time. Use 14:02 (team time zone), -15m, -2h, -7d, 2026-11-22, or 2026-11-22T14:02:00Z")) {
                try TimeInput.parse(bad, now: now, zone: zone)
            }
        }
        // A time something happened cannot be later than now, and absurd ones never reach a file.
        #expect(throws: OpsError.input("'00:20' is later than now (2026-11-23 00:10 Europe/Berlin). Give the time it happened")) {
            try TimeInput.parse("00:20", now: now, zone: zone)
        }
        #expect(throws: OpsError.self) { try TimeInput.parse("2030-01-01T00:00:00Z", now: now, zone: zone) }
        #expect(try TimeInput.parse("2030-01-01T00:00:00Z", now: now, zone: zone, allowFuture: true) == Timestamp.parse("2030-01-01T00:00:00Z"))
        #expect(throws: OpsError.input("'-200000000000000000m' is not a time. Use 14:02 (team time zone), -15m, -2h, -7d, 2026-11-22, or 2026-11-22T14:02:00Z"))
        {
            try TimeInput.parse("-200000000000000000m", now: now, zone: zone)
        }
        #expect(throws: OpsError.input("'-99999999m' is too far from now to be a real time")) {
            try TimeInput.parse("-99999999m", now: now, zone: zone)
        }
        #expect(
            throws: OpsError.input(
                "'2026-11-22T14:00' is not a time (add Z or an offset like +01:00). Use 14:02 (team time zone), -15m, -2h, -7d, 2026-11-22, or 2026-11-22T14:02:00Z"
            )
        ) {
            try TimeInput.parse("2026-11-22T14:00", now: now, zone: zone)
        }
        #expect(DurationFormat.short(3725) == "1h 02m")
        #expect(DurationFormat.short(45) == "45s")
        #expect(DurationFormat.short(2 * 86_400 + 3 * 3600) == "2d 03h")
    }

    @Test func isoWeeksFollowTheTeamTimeZone() {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let week = ISOWeek("2026-w47")!
        #expect(week.description == "2026-W47")
        #expect(week.interval(in: zone).start == Timestamp.parse("2026-11-15T23:00:00Z"))
        #expect(ISOWeek(containing: Timestamp.parse("2026-11-22T23:30:00Z")!, zone: zone).description == "2026-W48")
        #expect(ISOWeek("2026-W53") != nil && ISOWeek("2025-W53") == nil && ISOWeek("2026-W54") == nil)
        #expect(week.adding(weeks: -8, zone: zone).description == "2026-W39")
    }
}
