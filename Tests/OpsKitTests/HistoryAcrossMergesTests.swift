import Foundation
import Testing

@testable import OpsKit

/// `ops history` after `ops sync`: each change is blamed on the commit that made it on its own
/// line of history; a merge commit only for what the merge itself decided.
@Suite struct HistoryAcrossMergesTests {
    /// Reproduction 5 of issue 15: Bob changes severity, Alice adds a note, both sync.
    @Test func aChangeBroughtInByAMergeIsBlamedOnItsOwnCommitOnEitherClone() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        let incident = try IncidentService(sync.clones[0]).open(.init(title: "Checkout slow", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
        _ = try sync.sync(0)
        _ = try sync.sync(1)
        // Both indexes are built before the sync, so they are brought up to date across the merge.
        for clone in sync.clones { _ = try HistoryService(clone).history(of: incident.id) }
        sync.clock.advance(minutes: 5)
        _ = try IncidentService(sync.clones[1]).change(incident.id, .severity("SEV2"), at: nil, author: sync.bob)
        _ = try sync.sync(1)
        sync.clock.advance(minutes: 1)
        _ = try IncidentService(sync.clones[0]).change(incident.id, .note("rolled back the cache"), at: nil, author: sync.alice)
        sync.clock.advance(minutes: 1)
        #expect(try sync.sync(0).integration == .merged)  // Alice's clone makes the merge
        _ = try sync.sync(1)
        #expect(try sync.head(0) == sync.head(1))
        let bobsCommit = try git(sync.folders[0].path, "log", "--format=%H", "--author=bob@example.com", "-1").trimmingCharacters(in: .whitespacesAndNewlines)

        for clone in sync.clones {
            let severity = try HistoryService(clone).history(of: incident.id, field: "severity")
            #expect(severity.map(\.author) == ["Bob Okafor", "Alice Martin"])
            #expect(severity.map(\.action) == ["incident.sev", "incident.open"])
            #expect(severity.first?.commit == bobsCommit)
            #expect(
                severity.map(\.changes) == [
                    [HistoryService.Change(field: "severity", before: "SEV3", after: "SEV2")],
                    [HistoryService.Change(field: "severity", before: nil, after: "SEV3")],
                ])
            // The merge decided nothing: it is not in the history at all.
            let all = try HistoryService(clone).history(of: incident.id)
            #expect(all.map(\.action) == ["incident.note", "incident.sev", "incident.open"])
            #expect(all.allSatisfy { $0.changes.allSatisfy { $0.field != "severity" } || $0.commit == bobsCommit || $0.created })
        }
        // The same answer from an index built from scratch after the merge.
        try FileManager.default.removeItem(atPath: sync.clones[0].gitDirectory + "/ops/history.index")
        #expect(try HistoryService(sync.clones[0]).history(of: incident.id).map(\.action) == ["incident.note", "incident.sev", "incident.open"])
    }

    /// A scalar both sides changed: the later change wins and the other becomes a sync note. The
    /// winning value is a side's own change; the note is what the merge decided.
    @Test func onlyWhatTheMergeDecidedIsBlamedOnTheMerge() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        let incident = try IncidentService(sync.clones[0]).open(.init(title: "Checkout slow", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
        _ = try sync.sync(0)
        _ = try sync.sync(1)
        func retitle(_ clone: Int, _ title: String, _ author: Author) throws {
            let service = IncidentService(sync.clones[clone])
            let text = try service.text(of: incident.id).text
            _ = try service.replace(incident.id, with: text.replacingOccurrences(of: "title: Checkout slow", with: "title: \(title)"), author: author)
        }
        sync.clock.advance(minutes: 5)
        try retitle(0, "Checkout slow in eu-west", sync.alice)
        sync.clock.advance(minutes: 1)
        try retitle(1, "Checkout timeouts", sync.bob)
        sync.clock.advance(minutes: 1)
        _ = try sync.sync(0)
        let merged = try sync.sync(1)  // Bob's clone makes the merge
        #expect(merged.integration == .merged && merged.fieldConflicts == 1)
        _ = try sync.sync(0)
        let text = try sync.folders[0].read(incident.path)
        #expect(text.contains("title: Checkout timeouts\n"))  // Bob's change was later

        for clone in sync.clones {
            let title = try HistoryService(clone).history(of: incident.id, field: "title")
            #expect(title.map(\.author) == ["Bob Okafor", "Alice Martin", "Alice Martin"])
            #expect(!title.contains { $0.action == "sync.merge" })
            #expect(title[0].changes == [HistoryService.Change(field: "title", before: "Checkout slow", after: "Checkout timeouts")])
            #expect(title[1].changes == [HistoryService.Change(field: "title", before: "Checkout slow", after: "Checkout slow in eu-west")])
            // The merge is in the history for the sync note it wrote, and for nothing else.
            let all = try HistoryService(clone).history(of: incident.id)
            let merge = try #require(all.first)
            #expect(merge.action == "sync.merge" && merge.author == "Bob Okafor")
            #expect(merge.changes == [HistoryService.Change(field: "body", before: nil, after: "+1 −0 lines")])
            #expect(try HistoryService(clone).history(of: incident.id, field: "body").first?.action == "sync.merge")
        }
    }
}
