import Foundation
import Testing

@testable import OpsKit

/// The intake `ops alert ingest` and `ops serve` share, with the parse cache in play: which
/// incidents carry which alerts may come from `.git/ops/incidents.cache`, written by any command.
@Suite struct AlertIntakeTests {
    static let fixtures = sourceRoot + "/Tests/OpsCLITests/Fixtures"

    static func payload(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name))
    }

    @Test func aWarmCacheAMissingCacheAndASettledIncidentAllGiveTheSameAnswers() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let intake = AlertIntake(ops.workspace)
        // Unrelated incidents, one of them unreadable: neither may stop or change an ingest.
        for n in 0..<5 { _ = try ops.open("Unrelated \(n)") }
        try ops.folder.write("incidents/2026/11/INC-20261122-ZZZZZZZZ/incident.md", "---\nid: [broken\n---\n")
        _ = try git(ops.folder.path, "add", "-A")
        _ = try git(ops.folder.path, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "a broken incident")

        let first = try intake.ingest(Self.payload("alertmanager-firing.json"), source: "firing", author: ops.alice)
        #expect(first.opened.count == 1 && first.alertNames == ["HighLatencyP95"])
        let firstID = try #require(first.opened.first)
        // A listing writes the cache, tree and all; the intake then reads alerts from it.
        _ = try IncidentCatalog.load(ops.workspace)
        #expect(FileManager.default.fileExists(atPath: ops.workspace.gitDirectory + "/ops/incidents.cache"))
        let again = try intake.ingest(Self.payload("alertmanager-firing.json"), source: "firing", author: ops.alice)
        #expect(again.opened.isEmpty && again.unchanged == 1)
        #expect(again.absorbedInto == [firstID])  // the log line names the incident a re-send joined

        // People settle the incident; the alert fires again: a new incident, and the resolve
        // that follows goes to the newest one carrying the fingerprint.
        ops.clock.advance(minutes: 30)
        _ = try ops.incidents.change(firstID, .move(to: .resolved), at: nil, author: ops.alice)
        let refired = try intake.ingest(Self.payload("alertmanager-firing.json"), source: "firing", author: ops.alice)
        #expect(refired.opened.count == 1 && refired.opened != [firstID])
        let secondID = try #require(refired.opened.first)
        let resolved = try intake.ingest(Self.payload("alertmanager-resolved.json"), source: "resolved", author: ops.alice)
        #expect(resolved.updated == [secondID])

        // Without the cache, the same answers.
        try FileManager.default.removeItem(atPath: ops.workspace.gitDirectory + "/ops/incidents.cache")
        let cold = try intake.ingest(Self.payload("alertmanager-resolved.json"), source: "resolved", author: ops.alice)
        #expect(cold.unchanged == 1 && cold.updated.isEmpty && cold.opened.isEmpty)
        let catalog = try IncidentCatalog.load(ops.workspace)
        #expect(catalog.incidents.filter { $0.alerts == ["c0ffee1234abcd56"] }.count == 2)
        #expect(try git(ops.folder.path, "status", "--porcelain") == "")
    }
}
