import Foundation
import Testing

@testable import OpsKit

/// Issue 15's property: three clones each run a random sequence of 30+ commands offline on the
/// same incidents (hand edits committed with plain git among them), then sync in a random order.
/// All clones end byte-identical, no timeline entry is lost or doubled, every merged document
/// lints clean, and merging A into B gives the same bytes as merging B into A.
@Suite struct SyncPropertyTests {
    @Test(arguments: [11, 29, 47] as [UInt64])
    func threeClonesWithRandomWorkConverge(seed: UInt64) throws {
        let sync = try SyncFixture(clones: 3)
        defer { sync.remove() }
        var random = SeededGenerator(seed: seed)
        let people = [sync.alice, sync.bob, sync.carol]
        let opening = IncidentService(sync.clones[0])
        var request = IncidentService.OpenRequest(title: "Checkout p99 above 1.2s", severity: "SEV3", service: "ops_copilot")
        request.detectedAt = sync.clock.now.addingTimeInterval(-600)
        let shared = [
            try opening.open(request, author: sync.alice),
            try opening.open(.init(title: "Search errors", severity: "SEV2", service: "search_ranking"), author: sync.alice),
        ]
        for clone in 0..<3 { _ = try sync.sync(clone) }

        var handLines: Set<String> = []
        for clone in 0..<3 {
            var commits = 0
            var step = 0
            while commits < 30 {
                step += 1
                sync.clock.advance(minutes: 0.5)
                if try act(
                    clone, handLines: &handLines, step: step, on: shared[Int.random(in: 0...1, using: &random)], sync: sync, as: people[clone], random: &random)
                {
                    commits += 1
                }
            }
        }

        // Every timeline entry written anywhere, by incident file.
        var written: [String: Set<String>] = [:]
        for clone in 0..<3 {
            for file in try sync.clones[clone].committedFiles(under: "incidents") where file.path.hasSuffix("incident.md") {
                written[file.path, default: []].formUnion(try Self.entries(sync.clones[clone].text(of: file)))
            }
        }

        // Merging A into B gives the tree merging B into A gives.
        for (a, b) in [(0, 1), (1, 2), (0, 2)] {
            #expect(try mergedTree(sync, into: a, from: b) == mergedTree(sync, into: b, from: a), "clones \(a) and \(b)")
        }

        var order = [0, 1, 2]
        order.shuffle(using: &random)
        var needsPerson: [String] = []
        for _ in 0..<2 {
            for clone in order { needsPerson += try sync.sync(clone).needsPerson }
        }
        #expect(needsPerson.isEmpty)
        let tree = try sync.tree(0)
        #expect(try sync.tree(1) == tree && sync.tree(2) == tree)
        for clone in 0..<3 { #expect(try sync.status(clone) == "") }

        // Every comment and key a person added by hand is still there.
        let finalTexts = try sync.clones[0].committedFiles(under: "incidents").map { try sync.clones[0].text(of: $0) }.joined()
        for line in handLines { #expect(finalTexts.contains(line), "lost the hand edit \(line)") }

        let config = try sync.clones[0].config()
        for file in try sync.clones[0].committedFiles(under: "incidents") where file.path.hasSuffix(".md") {
            let text = try sync.clones[0].text(of: file)
            #expect(Incident.lint(file.path, text, config).map(\.description) == [])
            #expect(ConflictBlock.lint(file.path, text, config).isEmpty)
            let final = try Self.entries(text)
            #expect(final.count == Set(final).count, "\(file.path): an entry is doubled")
            for entry in written[file.path] ?? [] {
                #expect(final.contains(entry), "\(file.path): lost \(entry)")
            }
        }
    }

    /// Timeline entries with their continuation lines, line breaks as LF (a clone converts the file to CRLF).
    static func entries(_ text: String) throws -> [String] {
        try SyncAcceptanceTests.entryLines(text).map { $0.replacingOccurrences(of: "\r\n", with: "\n") }
    }

    /// One random command on `incident` by `author` in `clone`; true when it committed.
    private func act(
        _ clone: Int, handLines: inout Set<String>, step: Int, on incident: Incident, sync: SyncFixture, as author: Author,
        random: inout SeededGenerator
    ) throws -> Bool {
        let service = IncidentService(sync.clones[clone])
        let now = sync.clock.now
        let earlier = now.addingTimeInterval(-Double(Int.random(in: 0...300, using: &random)))
        let change: IncidentService.Change
        switch Int.random(in: 0..<10, using: &random) {
        case 0: change = .move(to: .acknowledged)
        case 1: change = .move(to: .mitigated)
        case 2: change = .move(to: .resolved)
        case 3: change = .assign(role: ["comms", "scribe"].randomElement(using: &random)!, person: ["alice", "bob", "carol"].randomElement(using: &random)!)
        case 4: change = .severity(["SEV1", "SEV2", "SEV3", "SEV4"].randomElement(using: &random)!)
        case 5: change = .correct(.detected)
        case 6: change = .reopen
        case 7: return try handEdit(clone, handLines: &handLines, step: step, of: incident, sync: sync, random: &random)
        default: change = .note("clone \(clone) step \(step)")
        }
        do {
            var at: Date? = Bool.random(using: &random) ? earlier : nil
            if case .reopen = change { at = nil }
            return try service.change(incident.id, change, at: at, author: author).committed
        } catch let error as OpsError where error.exitCode == 2 {
            return false  // refused as a person would be (out of order, closed, ...): nothing written
        }
    }

    /// A hand edit committed with plain git: a comment, a key ops does not know, or CRLF.
    private func handEdit(_ clone: Int, handLines: inout Set<String>, step: Int, of incident: Incident, sync: SyncFixture, random: inout SeededGenerator) throws
        -> Bool
    {
        let folder = sync.folders[clone]
        var text = try folder.read(incident.path)
        let newline = text.contains("\r\n") ? "\r\n" : "\n"
        switch Int.random(in: 0..<4, using: &random) {
        case 3:
            // Keys in a person's own order: the title moves below the status.
            guard clone == 1, let title = text.range(of: "title: [^\r\n]*" + newline, options: .regularExpression),
                text[title.upperBound...].hasPrefix("severity: ")
            else { return false }
            let line = String(text[title])
            text.removeSubrange(title)
            guard let status = text.range(of: "status: [^\r\n]*" + newline, options: .regularExpression) else { return false }
            text.insert(contentsOf: line, at: status.upperBound)
        case 0:
            guard let range = text.range(of: "title: "), let end = text[range.upperBound...].range(of: newline) else { return false }
            text.insert(contentsOf: "# clone \(clone) was here at step \(step)" + newline, at: end.upperBound)
            handLines.insert("# clone \(clone) was here at step \(step)")
        case 1:
            guard let close = text.range(of: newline + "---" + newline) else { return false }
            text.insert(contentsOf: newline + "x_clone\(clone)_step\(step): checked by hand", at: close.lowerBound)
            handLines.insert("x_clone\(clone)_step\(step): checked by hand")
        default:
            guard clone == 2, newline == "\n" else { return false }
            text = text.replacingOccurrences(of: "\n", with: "\r\n")
        }
        try folder.write(incident.path, text)
        _ = try git(folder.path, "commit", "-qam", "Hand edit at step \(step)")
        return true
    }

    /// The tree a copy of clone `a` gets by merging clone `b`'s branch, the way ops sync merges.
    private func mergedTree(_ sync: SyncFixture, into a: Int, from b: Int) throws -> String {
        let copy = try TempFolder(), peer = try TempFolder()
        defer { copy.remove(); peer.remove() }
        _ = try run(["cp", "-a", sync.folders[a].path + "/.", copy.path])
        _ = try run(["git", "clone", "-q", "--bare", sync.folders[b].path, peer.path + "/peer.git"])
        _ = try git(copy.path, "remote", "add", "peer", peer.path + "/peer.git")
        let clock = sync.clock
        let workspace = try Workspace(root: copy.path, environment: [:], clock: { clock.now }, random: SeededGenerator(seed: 1))
        _ = try SyncService(workspace).sync(remote: "peer", author: sync.carol)
        return try git(copy.path, "rev-parse", "HEAD^{tree}").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
