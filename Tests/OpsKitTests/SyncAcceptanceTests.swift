import Foundation
import Testing

@testable import OpsKit

/// Issue 9's acceptance: three clones of one remote, each making 50+ changes offline, including
/// the same incident acknowledged, noted, re-severitied and corrected (--at) on several clones,
/// then synced in every order: identical trees, every timeline entry once, the losing values of
/// clashing fields in the timeline, and a sound repository.
@Suite struct SyncAcceptanceTests {
    static let orders: [[Int]] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]

    @Test(arguments: orders)
    func threeOfflineClonesConvergeWithEveryEntryOnce(order: [Int]) throws {
        let sync = try SyncFixture(clones: 3)
        defer { sync.remove() }
        let people = [sync.alice, sync.bob, sync.carol]
        let shared = try IncidentService(sync.clones[0]).open(
            .init(title: "Checkout p99 above 1.2s", severity: "SEV3", service: "ops_copilot"), author: sync.alice)
        _ = try sync.sync(0)
        _ = try sync.sync(1)
        _ = try sync.sync(2)

        // Offline: every clone changes the shared incident and its own incidents.
        var own: [[String]] = [[], [], []]
        var committed = [0, 0, 0]
        let levels = ["SEV1", "SEV2", "SEV3", "SEV4"]
        for step in 0..<56 {
            for clone in 0..<3 {
                sync.clock.advance(minutes: 0.25)
                let service = IncidentService(sync.clones[clone])
                let me = people[clone]
                let now = sync.clock.now
                if step % 10 == 0 {
                    let opened = try service.open(.init(title: "Clone \(clone) incident \(step)", severity: "SEV4", service: "fraud_scoring"), author: me)
                    own[clone].append(opened.id)
                    committed[clone] += 1
                    continue
                }
                let outcome: IncidentService.Outcome
                switch step % 12 {
                case 3 where step < 12:
                    outcome = try service.change(shared.id, .move(to: .acknowledged), at: nil, author: me)
                case 5:
                    let level = levels[(step / 12 + clone + 1) % levels.count]
                    outcome = try service.change(shared.id, .severity(level), at: nil, author: me)
                case 7:
                    let detected = Timestamp.parse("2026-11-22T17:30:00Z")!.addingTimeInterval(Double(step * 10 + clone))
                    outcome = try service.change(shared.id, .correct(.detected), at: detected, author: me)
                case 9:
                    outcome = try service.change(shared.id, .note("backdated note \(clone)-\(step)"), at: now.addingTimeInterval(-120), author: me)
                case 11 where step > 40 && clone == 2:
                    outcome = try service.change(shared.id, .move(to: .mitigated), at: nil, author: me)
                default:
                    let target = step % 2 == 0 || own[clone].isEmpty ? shared.id : own[clone].last!
                    outcome = try service.change(target, .note("clone \(clone) step \(step)"), at: nil, author: me)
                }
                if outcome.committed { committed[clone] += 1 }
            }
        }
        #expect(committed.allSatisfy { $0 >= 50 })

        // Every timeline entry written anywhere, by incident file.
        var written: [String: Set<String>] = [:]
        for clone in 0..<3 {
            for file in try sync.clones[clone].committedFiles(under: "incidents") where file.path.hasSuffix("incident.md") {
                written[file.path, default: []].formUnion(try Self.entryLines(sync.clones[clone].text(of: file)))
            }
        }
        let values = try (0..<3).map { try IncidentService(sync.clones[$0]).find(shared.id) }

        var needsPerson: [String] = []
        for _ in 0..<2 {
            for clone in order { needsPerson += try sync.sync(clone).needsPerson }
        }
        #expect(needsPerson.isEmpty)

        let tree = try sync.tree(0)
        #expect(try sync.tree(1) == tree && sync.tree(2) == tree)
        #expect(try run(["git", "-C", sync.bare, "rev-parse", "main^{tree}"]).hasPrefix(tree))
        for clone in 0..<3 {
            #expect(try sync.status(clone) == "")
            _ = try run(["git", "-C", sync.folders[clone].path, "fsck", "--strict"])
        }
        _ = try run(["git", "-C", sync.bare, "fsck", "--strict"])

        for (path, entries) in written {
            let final = try Self.entryLines(#require(try sync.clones[0].committedText(path)))
            for entry in entries {
                #expect(final.filter { $0 == entry }.count == 1, "\(path): \(entry)")
            }
        }

        // docs/DESIGN.md §8: the most severe level and the earliest detection are kept; every other
        // value is in a sync note.
        let merged = try IncidentService(sync.clones[0]).find(shared.id)
        let notes = merged.timeline.filter { $0.kind == "sync" }.map(\.text)
        #expect(merged.severity == values.map(\.severity).min())
        #expect(merged.clock[.detected] == values.compactMap { $0.clock[.detected] }.min())
        #expect(merged.clock[.acknowledged] == values.compactMap { $0.clock[.acknowledged] }.min())
        for value in values {
            if value.severity != merged.severity {
                #expect(notes.contains { $0.hasPrefix("severity: ") && $0.contains("not kept: \(value.severity) (") })
            }
            if let detected = value.clock[.detected], detected != merged.clock[.detected] {
                #expect(notes.contains { $0.hasPrefix("detected_at: ") && $0.contains("not kept: \(Timestamp.format(detected)) (") })
            }
            if let acknowledged = value.clock[.acknowledged], acknowledged != merged.clock[.acknowledged] {
                #expect(notes.contains { $0.hasPrefix("acknowledged_at: ") && $0.contains("not kept: \(Timestamp.format(acknowledged)) (") })
            }
        }
        #expect(merged.timeline.filter { $0.kind == "acknowledged" }.count == 3)
        #expect(merged.status == .mitigated)
    }

    /// The timeline entries of an incident file, each with its continuation lines.
    static func entryLines(_ text: String) throws -> [String] {
        let document = try MarkdownDocument(text, path: "incident.md")
        return TimelineSection(document.body).items.filter { $0.at != nil }.map(\.text)
    }
}
