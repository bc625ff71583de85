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

    /// `ops serve`'s group commit and long-lived index: several deliveries in one commit, each
    /// with its own effect; and a commit made beside the server between two batches (here, a
    /// person resolving the incident with `ops`) is read before the index is used, not missed.
    @Test func aBatchIsOneCommitAndTheIndexFollowsCommitsMadeBesideIt() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let index = FingerprintIndex()
        let firing = try AlertmanagerPayload.decode(Self.payload("alertmanager-firing.json"), source: "firing")
        let resolved = try AlertmanagerPayload.decode(Self.payload("alertmanager-resolved.json"), source: "resolved")
        let commits = try ops.commitCount()

        // Fired, re-sent and resolved in one batch: one commit, and each delivery says what it did.
        let batch = try AlertIntake(ops.workspace).ingest([firing, firing, resolved], author: ops.alice, index: index)
        #expect(try ops.commitCount() == commits + 1)
        let id = try #require(batch[0].opened.first)
        #expect(batch[0].opened == [id] && batch[1].opened.isEmpty && batch[1].unchanged == 1 && batch[1].absorbedInto == [id])
        #expect(batch[2].updated == [id] && batch[2].opened.isEmpty)
        let head = try git(ops.folder.path, "rev-parse", "HEAD").trimmingCharacters(in: .newlines)
        #expect(batch[0].commit == head && batch[2].commit == head && batch[1].commit == nil)
        #expect(try git(ops.folder.path, "log", "-1", "--format=%s%n%(trailers:key=Ops-Id,valueonly)") == "alert ingest of 3 deliveries: opened 1\n\(id)\n\n")

        // Resolved by a person beside the server; the alert fires again: the index, checked
        // against HEAD, knows the incident is settled, and a new one opens.
        ops.clock.advance(minutes: 30)
        _ = try ops.incidents.change(id, .move(to: .resolved), at: nil, author: ops.alice)
        let again = try AlertIntake(ops.workspace).ingest([firing], author: ops.alice, index: index)
        let second = try #require(again[0].opened.first)
        #expect(second != id)
        // The commit that opened it reverted with git: the next batch no longer sees it, and the
        // resolve goes to the first incident, which has it already.
        _ = try git(ops.folder.path, "-c", "user.name=T", "-c", "user.email=t@example.com", "revert", "--no-edit", "HEAD")
        let other = try AlertIntake(ops.workspace).ingest([resolved], author: ops.alice, index: index)
        #expect(other[0].updated.isEmpty && other[0].skipped.isEmpty && other[0].absorbedInto == [id])
        #expect(try git(ops.folder.path, "status", "--porcelain") == "")
    }
}
