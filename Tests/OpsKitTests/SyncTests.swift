import Foundation
import Testing

@testable import OpsKit

@Suite struct SyncTests {
    @Test func aCleanCloneFastForwardsAndPushesItsOwnCommits() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        #expect(try sync.sync(1).integration == .upToDate)
        #expect(try IncidentCatalog.load(sync.clones[1]).incidents.isEmpty)  // fills the cache
        let incident = try IncidentService(sync.clones[0]).open(.init(title: "Search down", severity: "SEV2", service: "search_ranking"), author: sync.alice)
        let pushed = try sync.sync(0)
        #expect(pushed.pushed && pushed.integration == .upToDate)
        try sync.folders[1].write("scratch.txt", "not ours\n")
        let pulled = try sync.sync(1)
        #expect(pulled.integration == .fastForwarded && !pulled.pushed)
        #expect(try sync.head(1) == sync.head(0))
        #expect(try sync.folders[1].read(incident.path) == sync.folders[0].read(incident.path))
        #expect(try sync.status(1) == "?? scratch.txt\n")
        // The incident cache sees the new file: it is keyed by blob id.
        #expect(try IncidentCatalog.load(sync.clones[1]).incidents.map(\.id) == [incident.id])
    }

    @Test func theSeverityChangedOnTwoClonesKeepsTheMoreSevereAndNotesTheOther() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        let incident = try IncidentService(sync.clones[0]).open(.init(title: "Checkout slow", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
        _ = try sync.sync(0)
        _ = try sync.sync(1)
        sync.clock.advance(minutes: 5)
        _ = try HistoryService(sync.clones[0]).history(of: incident.id)  // builds the index
        _ = try IncidentService(sync.clones[0]).change(incident.id, .severity("SEV1"), at: nil, author: sync.alice)
        _ = try IncidentService(sync.clones[0]).change(incident.id, .note("from alice"), at: nil, author: sync.alice)
        sync.clock.advance(minutes: 1)
        _ = try IncidentService(sync.clones[1]).change(incident.id, .severity("SEV2"), at: nil, author: sync.bob)
        _ = try IncidentService(sync.clones[1]).change(incident.id, .note("from bob"), at: nil, author: sync.bob)
        sync.clock.advance(minutes: 1)
        _ = try sync.sync(0)
        let merged = try sync.sync(1)
        #expect(merged.integration == .merged && merged.pushed && merged.fieldConflicts == 1 && merged.needsPerson.isEmpty)
        _ = try sync.sync(0)
        #expect(try sync.tree(0) == sync.tree(1))
        let text = try sync.folders[0].read(incident.path)
        #expect(text.contains("severity: SEV1\n"))  // a downgrade needs a person, not a merge
        #expect(text.contains("**severity** SEV3 → SEV1"))
        #expect(text.contains("**severity** SEV3 → SEV2"))
        #expect(text.contains("**note** from alice") && text.contains("**note** from bob"))
        #expect(
            text.contains(
                "- 2026-11-22T18:04:02Z ops **sync** severity: kept SEV1 (Alice Martin, 2026-11-22T18:03:02Z); not kept: SEV2 (Bob Okafor, 2026-11-22T18:04:02Z)"
            ))
        let entries = Timeline.parse(body: text, firstLine: 1).entries
        #expect(entries.map(\.at) == entries.map(\.at).sorted())
        #expect(try git(sync.folders[1].path, "log", "-1", "--format=%s%n%b").contains("Ops-Action: sync.merge"))
        // The history index, built before the sync, follows both sides and the merge.
        let actions = try HistoryService(sync.clones[0]).history(of: incident.id).map(\.action)
        #expect(actions.filter { $0 == "incident.sev" }.count == 2 && actions.contains("sync.merge"))
        #expect(try sync.status(0) == "" && sync.status(1) == "")
    }

    @Test func clashingLinesAreKeptInAConflictBlockThatLintReports() throws {
        // Whichever clone merges, the block is the same: the earlier change first, each side named
        // by who wrote it, when, and in which commit ("this clone" would be wrong on the other one).
        for bobMerges in [false, true] {
            let sync = try SyncFixture(clones: 2)
            defer { sync.remove() }
            let incident = try IncidentService(sync.clones[0]).open(
                .init(title: "Queue backlog", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
            _ = try sync.sync(0)
            _ = try sync.sync(1)
            func edit(_ clone: Int, _ summary: String, _ author: Author) throws -> String {
                sync.clock.advance(minutes: 2)
                let service = IncidentService(sync.clones[clone])
                let text = try service.text(of: incident.id).text
                let edited = text.replacingOccurrences(of: "What is broken, who is affected, since when.", with: summary)
                _ = try service.replace(incident.id, with: edited, author: author)
                let commit = try git(sync.folders[clone].path, "rev-parse", "--short=7", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
                return "\(Timestamp.format(sync.clock.now)), commit \(commit)"
            }
            let alice = try edit(0, "Queue consumers crashed.", sync.alice)
            let bob = try edit(1, "Kafka lag after deploy.", sync.bob)
            let merging = bobMerges ? 1 : 0
            _ = try sync.sync(1 - merging)
            let report = try sync.sync(merging)
            #expect(report.needsPerson == [incident.path])
            _ = try sync.sync(1 - merging)
            let text = try sync.folders[merging].read(incident.path)
            #expect(try sync.folders[1 - merging].read(incident.path) == text)
            #expect(
                text.contains(
                    "<<<<<<< Alice Martin, \(alice)\nQueue consumers crashed.\n=======\nKafka lag after deploy.\n>>>>>>> Bob Okafor, \(bob)\n"))
            let problems = try Linter.run(sync.clones[merging]).problems.filter { $0.message.contains("sync conflict") }
            #expect(problems.count == 1 && problems.first?.location.path == incident.path)
            // The document still reads, with its timeline.
            let read = try IncidentService(sync.clones[merging]).find(incident.id)
            #expect(read.timeline.map(\.kind) == ["opened", "paged"])
        }
    }

    @Test func aConflictingNonOpsFileStopsBeforeChangingAnything() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        _ = try sync.sync(1)
        for (clone, text) in [(0, "alice's line\n"), (1, "bob's line\n")] {
            try sync.folders[clone].write("README.md", text)
            _ = try git(sync.folders[clone].path, "add", "README.md")
            _ = try git(sync.folders[clone].path, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "readme")
        }
        _ = try IncidentService(sync.clones[0]).open(.init(title: "Other", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
        _ = try sync.sync(0)
        try sync.folders[1].write("notes.txt", "uncommitted\n")
        let head = try sync.head(1)
        let status = try sync.status(1)
        #expect {
            _ = try sync.sync(1)
        } throws: { error in
            let message = (error as? OpsError)?.message ?? ""
            return message.contains("README.md") && message.contains("git pull --no-rebase origin main") && (error as? OpsError)?.exitCode == 3
        }
        #expect(try sync.head(1) == head)
        #expect(try sync.status(1) == status)
        #expect(try sync.folders[1].read("README.md") == "bob's line\n")
        #expect(try sync.clones[1].committedFiles(under: "incidents").isEmpty)
    }

    @Test func unrelatedUncommittedWorkStaysAndEditsInAChangedFileStopTheSync() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        let incident = try IncidentService(sync.clones[0]).open(.init(title: "Shared", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
        _ = try sync.sync(0)
        _ = try sync.sync(1)
        _ = try IncidentService(sync.clones[0]).change(incident.id, .note("more"), at: nil, author: sync.alice)
        _ = try sync.sync(0)
        // Unrelated work in clone 1: a staged and an unstaged change and an untracked file.
        let folder = sync.folders[1]
        try folder.write("ops.yaml", try folder.read("ops.yaml") + "# staged\n")
        _ = try git(folder.path, "add", "ops.yaml")
        try folder.write("raci.yaml", try folder.read("raci.yaml") + "# unstaged\n")
        try folder.write("notes.txt", "mine\n")
        let status = try sync.status(1)
        #expect(try sync.sync(1).integration == .fastForwarded)
        #expect(try sync.status(1) == status)
        #expect(try folder.read(incident.path).contains("**note** more"))

        // An uncommitted edit in the incident the next sync must change stops it, naming the file.
        _ = try IncidentService(sync.clones[0]).change(incident.id, .note("again"), at: nil, author: sync.alice)
        _ = try sync.sync(0)
        try folder.write(incident.path, try folder.read(incident.path) + "- 2026-11-22T19:00:00Z bob **note** by hand\n")
        let head = try sync.head(1)
        #expect {
            _ = try sync.sync(1)
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix("\(incident.path) has unstaged changes") ?? false
        }
        #expect(try sync.head(1) == head)
        #expect(try folder.read(incident.path).hasSuffix("by hand\n"))
    }

    @Test func aPushRejectedByAConcurrentPushIsRetriedAndLands() throws {
        let sync = try SyncFixture(clones: 3)
        defer { sync.remove() }
        let before = try sync.clones[1].committedFiles(under: "incidents").count
        let mine = try IncidentService(sync.clones[1]).open(.init(title: "Mine", severity: "SEV3", service: "ops_copilot"), author: sync.bob)
        var service = SyncService(sync.clones[1])
        var raced = false
        service.beforePush = {
            guard !raced else { return }
            raced = true
            _ = try IncidentService(sync.clones[2]).open(.init(title: "Theirs", severity: "SEV3", service: "ops_copilot"), author: sync.carol)
            _ = try sync.sync(2)
        }
        let report = try service.sync(author: sync.bob)
        #expect(raced && report.pushed && report.attempts == 2 && report.integration == .merged)
        let remote = try run(["git", "-C", sync.bare, "ls-tree", "-r", "--name-only", "main"])
        #expect(remote.contains(mine.path))
        #expect(remote.split(separator: "\n").filter { $0.hasPrefix("incidents/") }.count == before + 2)
        _ = try run(["git", "-C", sync.bare, "fsck", "--strict"])
    }

    @Test func anUnreachableRemoteFailsInOneLineAndKeepsLocalCommits() throws {
        let sync = try SyncFixture(clones: 1)
        defer { sync.remove() }
        _ = try git(sync.folders[0].path, "remote", "set-url", "origin", "/nonexistent/remote.git")
        _ = try IncidentService(sync.clones[0]).open(.init(title: "Offline", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
        let head = try sync.head(0)
        #expect {
            _ = try sync.sync(0)
        } throws: { error in
            guard let error = error as? OpsError else { return false }
            // Not libgit2's "unsupported URL protocol": the path is named, and what to do.
            return error.exitCode == 3 && error.message.hasPrefix("remote path /nonexistent/remote.git does not exist (remote 'origin')")
                && !error.message.contains("\n") && error.message.contains("Your commits are kept") && error.message.contains("git remote set-url origin")
        }
        #expect(try sync.head(0) == head)
        #expect(throws: OpsError.self) { try SyncService(sync.clones[0]).sync(remote: "nope", author: sync.alice) }
    }

    @Test func statusShowsAheadBehindAndTheLastSync() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        #expect(try SyncService(sync.clones[0]).status().lastSync == nil)
        _ = try sync.sync(0)
        _ = try sync.sync(1)
        _ = try IncidentService(sync.clones[0]).open(.init(title: "One", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
        _ = try IncidentService(sync.clones[1]).open(.init(title: "Two", severity: "SEV3", service: "ops_copilot"), author: sync.bob)
        _ = try sync.sync(1)
        sync.clock.advance(minutes: 3)
        let before = try SyncService(sync.clones[0]).status()
        #expect(before.ahead == 1 && before.behind == 0)  // as of the last fetch
        _ = try sync.sync(0)
        let after = try SyncService(sync.clones[0]).status()
        #expect(after.ahead == 0 && after.behind == 0 && after.lastSync == sync.clock.now)
    }

    @Test func overridesAddedOnTwoClonesAreBothKeptAndOverlappingOnesStop() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        _ = try sync.sync(1)
        // Two people arrange cover offline, each on their laptop; a hand comment rides along.
        _ = try OnCallService(sync.clones[0]).addOverride("sre", person: "bob", from: "2026-12-10T09:00", until: "2026-12-10T18:00", author: sync.alice)
        _ = try OnCallService(sync.clones[1]).addOverride("sre", person: "carol", from: "2026-12-12T09:00", until: "2026-12-12T18:00", author: sync.bob)
        let bobs = try sync.folders[1].read(OnCallSchedule.path)
        try sync.folders[1].write(OnCallSchedule.path, bobs.replacingOccurrences(of: "T18:00}\n", with: "T18:00}  # swap for the 19th\n"))
        _ = try git(sync.folders[1].path, "commit", "-q", "-am", "oncall: note the swap")
        _ = try sync.sync(0)
        #expect(try sync.sync(1).integration == .merged)
        _ = try sync.sync(0)
        #expect(try sync.tree(0) == sync.tree(1))
        let text = try sync.folders[0].read(OnCallSchedule.path)
        #expect(text.contains("  - {rotation: sre, person: bob, from: 2026-12-10T09:00, until: 2026-12-10T18:00}\n"))
        #expect(text.contains("  - {rotation: sre, person: carol, from: 2026-12-12T09:00, until: 2026-12-12T18:00}  # swap for the 19th\n"))
        let schedule = try OnCallSchedule.load(text, config: sync.clones[0].config())
        #expect(schedule.overrides(of: "sre").map(\.person) == ["alice", "bob", "carol"])

        // Two people taking the same hours is for a person to settle: sync stops, nothing changed.
        _ = try OnCallService(sync.clones[0]).addOverride("sre", person: "bob", from: "2026-12-20T09:00", until: "2026-12-20T18:00", author: sync.alice)
        _ = try OnCallService(sync.clones[1]).addOverride("sre", person: "carol", from: "2026-12-20T12:00", until: "2026-12-20T20:00", author: sync.bob)
        _ = try sync.sync(0)
        let before = try sync.head(1)
        #expect(throws: OpsError.self) { try sync.sync(1) }
        #expect(try sync.head(1) == before && sync.status(1) == "")
    }

    /// Two clones fill the same week of signals offline: one runs the checks, the other imports
    /// the CSV; then both run the checks again. Sync keeps every reading of both, each once.
    @Test func aWeekOfSignalsFilledOnTwoClonesKeepsEveryReadingOfBoth() throws {
        let sync = try SyncFixture(clones: 2)
        defer { sync.remove() }
        _ = try sync.sync(1)
        let path = SnapshotLayout.signalsPath(useCase: "ops_copilot", week: ISOWeek("2026-W47")!)
        _ = try ChecksService(sync.clones[0], environment: [:]).run(useCase: "ops_copilot", week: "2026-W47", author: sync.alice)
        try SLOImporter(sync.clones[1]).importCSV(SLOFixture.input("signals_2026-W47.csv"), author: sync.bob)
        _ = try ChecksService(sync.clones[1], environment: [:]).run(useCase: "ops_copilot", week: "2026-W47", author: sync.bob)
        _ = try sync.sync(0)
        #expect(try sync.sync(1).integration == .merged)
        _ = try sync.sync(0)
        #expect(try sync.tree(0) == sync.tree(1))
        let merged = try SignalSnapshot.parse(sync.folders[0].read(path), path: path)
        let imported = try SignalSnapshot.parse(try sync.folders[1].read(path), path: path).signals.filter { $0.subject == nil }
        #expect(imported.count == 70)
        #expect(merged.signals.filter { $0.subject == nil } == imported)
        // The checks' four readings, once: both clones computed the same ones from the same file.
        #expect(merged.signals.filter { $0.subject != nil }.map(\.metric).sorted() == ["ks_pvalue", "mean_drop", "psi", "topk_shift"])
        #expect(Set(merged.sources.map(\.importer)) == ["csv-signals/1", "ops-checks/1"])
        #expect(try SignalsService(sync.clones[0]).status(week: "2026-W47", useCase: "ops_copilot").useCases[0].readings == 74)
    }
}
