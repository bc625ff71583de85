import Foundation
import Testing

@testable import OpsKit

@Suite struct IncidentLintTests {
    @Test func handEditsThatBreakTheClockOrderOrTheTimelineAreReportedWithTheirLines() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        ops.clock.advance(minutes: 5)
        _ = try ops.incidents.change(incident.id, .move(to: .acknowledged), at: nil, author: ops.bob)
        let edited =
            try ops.file(incident)
            .replacingOccurrences(of: "acknowledged_at: 2026-11-22T18:03:02Z", with: "acknowledged_at: 2026-11-22T17:00:00Z")
            .replacingOccurrences(of: "severity: SEV2", with: "severity: SEV7")
            + "- yesterday bob did something\n"
        try ops.folder.write(incident.path, edited)
        let problems = try Linter.run(ops.workspace).errors.map(\.description)
        #expect(
            problems == [
                "\(incident.path):4: unknown severity `SEV7`. Known: SEV1, SEV2, SEV3, SEV4",
                "\(incident.path):13: acknowledged_at 2026-11-22T17:00:00Z is before opened_at 2026-11-22T17:58:02Z",
                "\(incident.path):27: timeline line does not read as `- 2026-11-22T17:58:02Z who **event** text`",
            ])
    }

    @Test func theDemoIncidentsLoadAndLintClean() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try FileManager.default.copyItem(atPath: sourceRoot + "/incidents", toPath: ops.folder.path + "/incidents")
        #expect(try Linter.run(ops.workspace).errors.map(\.description) == [])
        _ = try git(ops.folder.path, "add", "incidents")
        _ = try git(ops.folder.path, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "demo")
        let catalog = try IncidentCatalog.load(ops.workspace, timelines: true)
        #expect(catalog.problems.isEmpty)
        let incidents = catalog.incidents
        #expect(incidents.count >= 40)
        let zone = try ops.workspace.config().timeZone
        let weeks = Set(incidents.map { ISOWeek(containing: $0.clock[.opened]!, zone: zone) })
        #expect(weeks.count >= 8 && weeks.max()?.description == "2026-W47")
        #expect(Set(incidents.compactMap(\.useCase)) == ["ops_copilot", "fraud_scoring", "search_ranking"])
        #expect(
            Set(incidents.compactMap(\.runbook)) == [
                "model-serving-degradation", "feature-pipeline-failure",
                "sudden-accuracy-drop", "data-drift-alert", "traffic-spike",
            ])
        #expect(incidents.filter { $0.clock[.detected] == nil }.count >= 2)
        #expect(incidents.filter { $0.timeline.contains { $0.kind == "reopened" } }.count == 1)
        // Every incident saves back to the same bytes through the codec ops writes with.
        for incident in incidents {
            let text = try ops.folder.read(incident.path)
            #expect(try IncidentDocument(text: text, path: incident.path).text == text)
        }
    }
}
