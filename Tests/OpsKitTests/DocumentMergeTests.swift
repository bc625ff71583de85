import Foundation
import Testing

@testable import OpsKit

@Suite struct DocumentMergeTests {
    private let merger = DocumentMerge(path: "incidents/2026/11/INC-20261122-AAAAAAAA/incident.md", ourLabel: "this clone", theirLabel: "origin/main")
    private let noHistory: DocumentMerge.ChangeFinder = { _, _ in nil }

    private func document(severity: String = "SEV2", summary: String = "What broke.", entries: [String]) -> String {
        """
        ---
        id: INC-20261122-AAAAAAAA
        title: Checkout slow
        severity: \(severity)
        status: open
        opened_at: 2026-11-22T17:58:02Z
        ---
        # Checkout slow

        ## Summary
        \(summary)

        ## Timeline
        \(entries.map { $0 + "\n" }.joined())
        """
    }

    private func entry(_ minute: Int, _ who: String, _ text: String) -> String {
        String(format: "- 2026-11-22T18:%02d:00Z %@ **note** %@", minute, who, text)
    }

    @Test func mergingAVersionWithItselfChangesNothing() throws {
        let text = document(entries: [entry(1, "alice", "a"), entry(2, "bob", "b")])
        let base = document(entries: [entry(1, "alice", "a")])
        let merged = try merger.merge(base: base, ours: text, theirs: text, changeTime: noHistory)
        #expect(merged.text == text && !merged.hasConflictBlock && merged.fieldConflicts.isEmpty)
    }

    @Test func aChangeOnlyTheyMadeIsTakenAsTheyWroteIt() throws {
        let base = document(entries: [entry(1, "alice", "a")])
        let theirs = document(severity: "'SEV1'  # paged the VP", entries: [entry(1, "alice", "a"), entry(3, "bob", "b")])
        let merged = try merger.merge(base: base, ours: base, theirs: theirs, changeTime: noHistory)
        #expect(merged.text == theirs)
    }

    @Test func timelinesNeverLoseOrRepeatAnEntry() throws {
        // Seeded random timelines: whatever both sides added, the merge holds each entry once.
        var random = SeededGenerator(seed: 9)
        for _ in 0..<200 {
            let shared = (0..<Int.random(in: 0...4, using: &random)).map { entry($0, "alice", "shared \($0)") }
            let ourNew = (0..<Int.random(in: 0...5, using: &random)).map { entry(Int.random(in: 0...59, using: &random), "bob", "ours \($0)") }
            let theirNew = (0..<Int.random(in: 0...5, using: &random)).map { entry(Int.random(in: 0...59, using: &random), "carol", "theirs \($0)") }
            let both = Array(ourNew.prefix(1))  // the same entry written on both sides
            let merged = try merger.merge(
                base: document(entries: shared), ours: document(entries: shared + ourNew),
                theirs: document(entries: shared + theirNew + both), changeTime: noHistory, notes: false)
            let lines = merged.text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("- 2026") }
            #expect(Set(lines) == Set(shared + ourNew + theirNew))
            #expect(lines.count == Set(lines).count)
            // An entry from their side goes in by time: the entry before it is not later.
            for line in theirNew where !ourNew.contains(line) {
                let index = lines.firstIndex(of: line)!
                // (A side unchanged since the base is taken as the other side wrote it.)
                if index > 0, !ourNew.isEmpty { #expect(Timeline.entry(from: lines[index - 1])!.at <= Timeline.entry(from: line)!.at) }
            }
        }
    }

    @Test func aFieldBothChangedKeepsTheLaterAndNotesTheOther() throws {
        let base = document(entries: [entry(1, "alice", "a")])
        let ours = document(entries: [entry(1, "alice", "a")]).replacingOccurrences(of: "title: Checkout slow", with: "title: Checkout down")
        let theirs = document(entries: [entry(1, "alice", "a")]).replacingOccurrences(of: "title: Checkout slow", with: "title: Checkout errors")
        let early = Timestamp.parse("2026-11-22T18:05:00Z")!, late = Timestamp.parse("2026-11-22T18:06:00Z")!
        let merged = try merger.merge(
            base: base, ours: ours, theirs: theirs,
            changeTime: { _, ourSide in
                ourSide ? (late, "Alice") : (early, "Bob")
            })
        #expect(merged.text.contains("title: Checkout down\n"))
        // The note is the merge's own: the same on whichever clone merges, at the time of the clash.
        #expect(
            merged.text.hasSuffix(
                "- 2026-11-22T18:06:00Z ops **sync** title: kept Checkout down (Alice, 2026-11-22T18:06:00Z); not kept: Checkout errors (Bob, 2026-11-22T18:05:00Z)\n"
            ))
        #expect(merged.fieldConflicts.count == 1)
        let swapped = try merger.merge(
            base: base, ours: theirs, theirs: ours,
            changeTime: { _, ourSide in
                ourSide ? (early, "Bob") : (late, "Alice")
            })
        #expect(swapped.text == merged.text)
    }

    @Test func neighbouringLinesChangedOnEachSideMergeLineByLine() throws {
        let runbook = { (boxes: [Bool]) in
            "---\nrunbook: model-serving-degradation\n---\n## Mitigation\n"
                + boxes.enumerated().map { "- [\($0.element ? "x" : " ")] mitigation.\($0.offset + 1) Step\n" }.joined()
        }
        let merger = DocumentMerge(path: "incidents/2026/11/INC-20261122-AAAAAAAA/runbook.md", ourLabel: "this clone", theirLabel: "origin/main")
        let merged = try merger.merge(
            base: runbook([false, false, false]), ours: runbook([true, false, false]),
            theirs: runbook([false, true, false]), changeTime: noHistory, notes: false)
        #expect(merged.text == runbook([true, true, false]) && !merged.hasConflictBlock)
        // The same line changed both ways is still a clash for a person.
        let clash = try merger.merge(
            base: runbook([false, false]), ours: runbook([true, false]).replacingOccurrences(of: "1 Step", with: "1 Ours"),
            theirs: runbook([false, false]).replacingOccurrences(of: "1 Step", with: "1 Theirs"),
            changeTime: noHistory, notes: false)
        #expect(clash.hasConflictBlock && !clash.text.contains("|||||||"))
    }

    @Test func clashingSummaryLinesBecomeOneMarkedBlock() throws {
        let base = document(entries: [entry(1, "alice", "a")])
        let merged = try merger.merge(
            base: base, ours: document(summary: "Ours.", entries: [entry(1, "alice", "a")]),
            theirs: document(summary: "Theirs.", entries: [entry(1, "alice", "a"), entry(2, "bob", "b")]),
            changeTime: noHistory, notes: false)
        #expect(merged.hasConflictBlock)
        #expect(merged.text.contains("## Summary\n<<<<<<< this clone\nOurs.\n=======\nTheirs.\n>>>>>>> origin/main\n"))
        #expect(merged.text.hasSuffix(entry(1, "alice", "a") + "\n" + entry(2, "bob", "b") + "\n"))
        #expect(ConflictBlock.lint("x.md", merged.text, nil).count == 1)
    }
}
