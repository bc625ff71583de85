import Foundation
import Testing

@testable import OpsKit

@Suite struct DecisionTests {
    @Test func historyShowsOpsChangesHandEditsAndRenamesWithTheirAuthors() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let decisions = DecisionService(ops.workspace)
        var draft = DecisionService.Draft(title: "Freeze non-critical releases for ops_copilot")
        draft.owner = "bob"
        let decision = try decisions.create(draft, author: ops.alice)
        ops.clock.advance(minutes: 60)
        _ = try decisions.setStatus(String(decision.id.suffix(8).prefix(5)), to: "accepted", author: ops.bob)
        try ops.folder.write(decision.path, try ops.folder.read(decision.path).replacingOccurrences(of: "owner: bob", with: "owner: carol"))
        _ = try git(ops.folder.path, "-c", "user.name=Hand Editor", "-c", "user.email=hand@example.com", "commit", "-qam", "Carol owns it now")
        let renamed = "decisions/\(decision.id)-release-freeze.md"
        _ = try git(ops.folder.path, "mv", decision.path, renamed)
        _ = try git(ops.folder.path, "-c", "user.name=Hand Editor", "-c", "user.email=hand@example.com", "commit", "-qm", "Shorter name")

        let history = try HistoryService(ops.workspace).history(of: "release-freeze")
        #expect(history.map(\.author) == ["Hand Editor", "Hand Editor", "Bob Okafor", "Alice Martin"])
        #expect(history.map(\.action) == ["edit", "edit", "decision.accept", "decision.new"])
        #expect(history[0].changes == [HistoryService.Change(field: "path", before: decision.path, after: renamed)])
        #expect(history[1].changes == [HistoryService.Change(field: "owner", before: "bob", after: "carol")])
        #expect(history[2].changes == [HistoryService.Change(field: "status", before: "proposed", after: "accepted")])
        #expect(try HistoryService(ops.workspace).history(of: decision.id, field: "owner").map(\.author) == ["Hand Editor", "Alice Martin"])
    }

    @Test func aSupersedeChainOfThreeIsShownBothWaysAndCyclesAreRefused() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let decisions = DecisionService(ops.workspace)
        let first = try decisions.create(.init(title: "Serve from the primary region only"), author: ops.alice)
        let second = try decisions.create(.init(title: "Serve from two regions"), author: ops.alice)
        let third = try decisions.create(.init(title: "Serve from three regions"), author: ops.alice)
        _ = try decisions.supersede(first.id, by: second.id, accept: true, author: ops.alice)
        _ = try decisions.supersede(second.id, by: third.id, accept: true, author: ops.alice)
        let fromOldest = try decisions.show(first.id)
        #expect(fromOldest.older.isEmpty && fromOldest.newer.map(\.id) == [second.id, third.id])
        let fromNewest = try decisions.show(third.id)
        #expect(fromNewest.older.map(\.id) == [first.id, second.id] && fromNewest.newer.isEmpty)
        #expect(
            try RecordsRendering.decision(fromNewest, format: .table).hasPrefix(
                "Chain, oldest first: \(first.id) superseded → \(second.id) superseded → [\(third.id) accepted]"))

        let count = try ops.commitCount()
        #expect(throws: OpsError.input("a decision cannot supersede itself (\(third.id))")) {
            try decisions.supersede(third.id, by: third.id, author: ops.alice)
        }
        #expect(throws: OpsError.input("\(first.id) cannot supersede \(third.id): \(third.id) already supersedes \(first.id), so that would make a cycle")) {
            try decisions.supersede(third.id, by: first.id, author: ops.alice)
        }
        #expect(throws: OpsError.input("\(first.id) is already superseded by \(second.id)")) {
            try decisions.supersede(first.id, by: third.id, author: ops.alice)
        }
        #expect(try ops.commitCount() == count)
    }

    /// Issue 15, reproduction 11: a proposed decision superseded an accepted one, leaving none in force.
    @Test func aSupersedingDecisionMustBeAcceptedOrBeAcceptedInTheSameCommit() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let decisions = DecisionService(ops.workspace)
        var draft = DecisionService.Draft(title: "Serve from the primary region only")
        draft.status = "accepted"
        let old = try decisions.create(draft, author: ops.alice)
        let new = try decisions.create(.init(title: "Serve from two regions"), author: ops.alice)
        let count = try ops.commitCount()
        #expect(
            throws: OpsError.input(
                "\(new.id) is proposed, not accepted, so nothing would be in force in place of \(old.id). "
                    + "Accept it in the same commit: ops decision supersede \(old.id) --by \(new.id) --accept")
        ) {
            try decisions.supersede(old.id, by: new.id, author: ops.bob)
        }
        #expect(try ops.commitCount() == count)
        #expect(try decisions.show(old.id).decision.status == "accepted")

        let result = try decisions.supersede(old.id, by: new.id, accept: true, author: ops.bob)
        #expect(result.old.status == "superseded" && result.new.status == "accepted" && result.new.supersedes == old.id)
        #expect(try ops.commitCount() == count + 1)
        #expect(try git(ops.folder.path, "show", "--name-only", "--format=", "HEAD").split(separator: "\n").count == 2)
        #expect(try decisions.list().decisions.filter { $0.status == "accepted" }.map(\.id) == [new.id])
    }

    @Test func badInputIsRefusedAndNothingIsWritten() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let count = try ops.commitCount()
        var draft = DecisionService.Draft(title: "x")
        draft.tags = ["Reliability"]
        #expect(throws: OpsError.input("unknown tag 'Reliability'. Allowed: SLO, Safety, FinOps (backlog_tags in ops.yaml)")) {
            try DecisionService(ops.workspace).create(draft, author: ops.alice)
        }
        var item = BacklogService.Draft(title: "Add a canary")
        item.priority = "P4"
        #expect(throws: OpsError.input("priority 'P4' is not one of P0, P1, P2, P3")) { try BacklogService(ops.workspace).add(item, author: ops.alice) }
        item.priority = "p1"
        item.due = "next tuesday"
        #expect(throws: OpsError.input("'next tuesday' is not a due date. Write it like 2026-12-01, or +2w for two weeks from now")) {
            try BacklogService(ops.workspace).add(item, author: ops.alice)
        }
        #expect(try ops.commitCount() == count)
        item.due = "+1w"
        let added = try BacklogService(ops.workspace).add(item, author: ops.alice)
        #expect(added.priority == "P1" && added.due == "2026-11-29")
    }
}

@Suite struct BacklogTests {
    /// A typo in an action item's owner, tag or priority is named by lint with its line, and
    /// ops backlog sync leaves that item out and says why, rather than drop the word in silence.
    /// A resolved incident whose postmortem ends with `actionItems`, committed as a person edits it.
    static func postmortem(in ops: OpsFixture, actionItems: String) throws -> (incident: Incident, path: String) {
        let incident = try ops.open()
        ops.clock.advance(minutes: 40)
        _ = try ops.incidents.change(incident.id, .move(to: .resolved), at: nil, author: ops.alice)
        let path = try PostmortemService(ops.workspace).create(incident.id, author: ops.alice)
        try ops.folder.write(path, try ops.folder.read(path) + actionItems)
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "action items")
        return (incident, path)
    }

    /// An item backlog sync made whose action line no longer carries its link (rewritten on
    /// another clone, merged away) is named by lint, as a warning, until it is linked or dropped.
    @Test func anOpenItemNoLineLinksIsAWarning() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let (_, path) = try Self.postmortem(in: ops, actionItems: "- [ ] Add cache warmup @alice due:2026-12-20 P2\n")
        let id = try #require(try BacklogService(ops.workspace).sync(author: ops.alice).created.first)
        #expect(try Linter.run(ops.workspace).problems.filter { $0.message.contains("no line links") }.isEmpty)
        let rewritten = try ops.folder.read(path).replacingOccurrences(
            of: "- [ ] Add cache warmup @alice due:2026-12-20 P2 (\(id))", with: "- [ ] Warm the cache on deploy @alice due:2026-12-20 P2")
        try ops.folder.write(path, rewritten)
        let warnings = try Linter.run(ops.workspace).problems.filter { $0.message.contains("no line links") }
        #expect(warnings.count == 1 && warnings[0].isWarning && warnings[0].location.path.hasPrefix("backlog/\(id)"), "\(warnings)")
        #expect(warnings.first?.message.hasSuffix("Write (\(id)) at the end of its line, or drop it: ops backlog drop \(id)") == true)
        _ = try BacklogService(ops.workspace).setStatus(id, to: "dropped", author: ops.alice)
        #expect(try Linter.run(ops.workspace).problems.filter { $0.message.contains("no line links") }.isEmpty)
    }

    @Test func anActionItemWithAnUnknownTagOrPriorityIsNamedNotQuietlyTrimmed() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let (_, path) = try Self.postmortem(
            in: ops, actionItems: "- [ ] Review quotas @dave due:2026-12-14 #Foo P9\n- [ ] Add a canary @alice due:2026-12-01 #slo P1\n")
        let line = try #require(try ops.folder.read(path).components(separatedBy: "\n").firstIndex { $0.contains("Review quotas") }) + 1
        let lint = try Linter.run(ops.workspace).errors.map(\.description)
        #expect(lint.contains("\(path):\(line): action item: unknown tag 'Foo'. Allowed: SLO, Safety, FinOps (backlog_tags in ops.yaml)"), "\(lint)")
        #expect(lint.contains("\(path):\(line): action item: priority 'P9' is not one of P0, P1, P2, P3"), "\(lint)")
        let summary = try BacklogService(ops.workspace).sync(author: ops.alice)
        #expect(summary.created.count == 1 && summary.skipped.count == 1)
        #expect(summary.skipped.first?.hasPrefix("\(path):\(line): unknown tag 'Foo'") == true, "\(summary.skipped)")
        #expect(try BacklogService(ops.workspace).list().items.map(\.tags) == [["SLO"]])
    }

    /// Latency words and ticket numbers stay in the text; an item synced long ago keeps the names
    /// of its day (a tag since retired does not block the postmortem).
    @Test func latencyWordsTicketsAndSyncedItemsAreNotRefused() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let (_, path) = try Self.postmortem(
            in: ops, actionItems: "- [ ] Alert on P99 latency per use case, see ticket #4512 @carol due:2026-12-20 #SLO P2\n")
        let items = Postmortem(try MarkdownDocument(ops.folder.read(path), path: path)).actionItems
        #expect(items.map(\.text) == ["Alert on P99 latency per use case, see ticket #4512"] && items.map(\.tags) == [["SLO"]])
        #expect(items.map(\.priority) == ["P2"])
        #expect(try BacklogService(ops.workspace).sync(author: ops.alice).created.count == 1)
        // SLO leaves backlog_tags: the synced item is not named, by lint nor by the status move.
        let config = try ops.folder.read("ops.yaml")
        try ops.folder.write("ops.yaml", config.replacingOccurrences(of: "backlog_tags: [SLO, Safety, FinOps]", with: "backlog_tags: [Safety, FinOps]"))
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "retire SLO")
        let lint = try Linter.run(ops.workspace).errors.map(\.message)
        #expect(lint.filter { $0.hasPrefix("action item") }.isEmpty, "\(lint)")
    }

    @Test func syncTurnsActionItemsIntoBacklogItemsOnceAndTickingEitherClosesBoth() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let (incident, path) = try Self.postmortem(
            in: ops,
            actionItems: """
                - [ ] Add a canary for model deploys @alice due:2026-12-01 #SLO P1
                - [ ] Alert on feature freshness @carol due:2026-12-05 #SLO #Safety P0
                - [x] Write the rollback runbook step @bob due:2026-11-25 P2

                """)
        let backlog = BacklogService(ops.workspace)
        let first = try backlog.sync(author: ops.alice)
        #expect(first.created.count == 3)
        let again = try backlog.sync(author: ops.alice)
        #expect(again == BacklogService.SyncSummary())
        var items = try backlog.list().items
        #expect(items.count == 3)
        #expect(items.map(\.priority) == ["P0", "P1", "P2"])
        #expect(items.first { $0.priority == "P2" }?.status == "done")
        #expect(items.allSatisfy { $0.source == "postmortem:\(incident.id)" })
        #expect(items.first { $0.priority == "P0" }?.tags == ["SLO", "Safety"])

        // Ticked in the postmortem: the backlog item closes.
        let canary = try #require(items.first { $0.priority == "P1" })
        try ops.folder.write(path, try ops.folder.read(path).replacingOccurrences(of: "- [ ] Add a canary", with: "- [x] Add a canary"))
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "done")
        #expect(try backlog.sync(author: ops.alice).closed == [canary.id])
        // Each line sync finds done gets the day it found it, for the weekly pack's "done this week".
        let today = PostmortemService.day(ops.clock.now, zone: try ops.workspace.config().timeZone)
        #expect(try ops.folder.read(path).contains("- [x] Add a canary for model deploys @alice due:2026-12-01 #SLO P1 (\(canary.id)) done:\(today)"))
        let rollback = try #require(items.first { $0.priority == "P2" })
        #expect(try ops.folder.read(path).contains("- [x] Write the rollback runbook step @bob due:2026-11-25 P2 (\(rollback.id)) done:\(today)"))
        #expect(Postmortem(try MarkdownDocument(ops.folder.read(path), path: path)).actionItems.map(\.doneOn) == [today, nil, today])
        // Done in the backlog: the postmortem box is ticked.
        let freshness = try #require(items.first { $0.priority == "P0" })
        _ = try backlog.setStatus(freshness.id, to: "done", author: ops.carol)
        #expect(try backlog.sync(author: ops.alice).ticked == [freshness.id])
        #expect(try ops.folder.read(path).contains("- [x] Alert on feature freshness @carol due:2026-12-05 #SLO #Safety P0 (\(freshness.id)) done:\(today)"))
        items = try backlog.list().items
        #expect(items.allSatisfy { $0.status == "done" })
        // Backlog items and the annotated action items lint clean; the draft's empty root cause is the only problem.
        #expect(try Linter.run(ops.workspace).errors.map(\.message) == ["the root cause is empty"])
    }
}

@Suite struct RACITests {
    static func config() throws -> OpsConfig {
        try OpsConfig.load(StarterKit.files(example: true, team: "t", timeZone: "UTC").first { $0.path == "ops.yaml" }!.content)
    }

    @Test func theExampleMatrixIsCleanAndEachRuleIsChecked() throws {
        let example = StarterKit.files(example: true, team: "t", timeZone: "UTC").first { $0.path == "raci.yaml" }!.content
        let config = try Self.config()
        #expect(try RACIMatrix(example).problems(config: config).isEmpty)
        #expect(try RACIMatrix(example).workstreams.map(\.name) == ["SLO dashboards", "Error budgets", "Drift & DQ checks", "Alerting/runbooks", "Ops Review"])
        let broken = """
            Two bosses: {R: [SRE], A: [CTO, COO], I: [Org]}
            Nobody does it: {A: CTO}
            Strangers: {R: [Night Watch], A: CTO}
            """
        #expect(
            try RACIMatrix(broken).problems(config: config).map(\.description) == [
                "raci.yaml:1: Two bosses has 2 Accountable; it needs exactly one",
                "raci.yaml:2: Nobody does it has no Responsible; name at least one",
                "raci.yaml:3: Strangers: `Night Watch` (R) is not a person, title, team or group in ops.yaml",
            ])
    }

    @Test func setChangesOneLineAndRefusesWhatLintWouldReject() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let raci = RACIService(ops.workspace)
        let before = try ops.folder.read("raci.yaml")
        _ = try raci.set("ops review", role: "a", to: ["CTO"], author: ops.alice)
        let after = try ops.folder.read("raci.yaml")
        let changed = zip(before.split(separator: "\n"), after.split(separator: "\n")).filter { $0 != $1 }
        #expect(changed.map { String($0.1) } == ["Ops Review: {R: [SRE Lead], A: CTO, C: [PM, FinOps, CISO], I: [Org]}"])
        let count = try ops.commitCount()
        #expect(throws: OpsError.input("a workstream has exactly one Accountable; give one name")) {
            try raci.set("Ops Review", role: "A", to: ["CTO", "COO"], author: ops.alice)
        }
        #expect(throws: OpsError.input("'Mallory' is not a person, title, team or group in ops.yaml. Add them there first")) {
            try raci.set("Ops Review", role: "C", to: ["Mallory"], author: ops.alice)
        }
        #expect(throws: OpsError.self) { try raci.set("Payroll", role: "R", to: ["SRE"], author: ops.alice) }
        #expect(try ops.commitCount() == count)
    }
}

@Suite struct DecisionEditTests {
    @Test func aDecisionWrittenInAnEditorIsSavedAsEditedAndItsIdMustStay() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let service = DecisionService(ops.workspace)
        let decision = try service.create(.init(title: "Page on freshness"), author: ops.alice) { text in
            text.replacingOccurrences(of: "<!-- What was decided, in one or two sentences. -->", with: "Page when features are 5 minutes stale.")
        }
        #expect(try ops.folder.read(decision.path).contains("## Decision\nPage when features are 5 minutes stale.\n"))
        let count = try ops.commitCount()
        #expect(throws: OpsError.self) {
            try service.create(.init(title: "Another"), author: ops.alice) { $0.replacingOccurrences(of: "id: D-", with: "id: X-") }
        }
        #expect(try ops.commitCount() == count)
    }
}
