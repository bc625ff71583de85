import Foundation
import Testing

@testable import GitStore

@Suite struct DocumentHistoryTests {
    @Test func aDocumentsHistoryFollowsBothSidesOfAMergeInAStableOrder() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        // Every commit but the merge is made in the same second (TestRepository.author's date).
        let base = try #require(try repo.commit(["doc.md": "a\nb\nc\n"], subject: "start"))
        try repo.git("branch", "-q", "side")
        let ours = try #require(try repo.commit(["doc.md": "A\nb\nc\n"]))
        try repo.git("checkout", "-q", "side")
        let theirs = try #require(try repo.commit(["doc.md": "a\nb\nC\n"]))
        let other = try #require(try repo.commit(["other.md": "x\n"]))
        try repo.git("checkout", "-q", "main")
        try repo.git("merge", "-q", "--no-edit", "side")
        let merge = try #require(try repo.repository.head().commit)
        // The subject "start" gives the base a larger id than either side: by id alone it would be listed first.
        #expect(base.hex > ours.hex && base.hex > theirs.hex)
        let doc = { (tree: TreeView) in try tree.id(of: "doc.md").map { TreeFile(path: "doc.md", blob: $0) } }

        let all = try #require(try repo.repository.pathChanges(from: merge, since: nil)).map(\.commit)
        #expect(Set(all) == [base, ours, theirs, other, merge])
        let sameSecond = [ours, theirs].sorted { $0.hex < $1.hex }
        for candidates in [all, all.reversed(), [merge, other, base] + sameSecond] {
            let revisions = try repo.repository.documentHistory(candidates: candidates, locate: doc)
            // Newest first; the two sides before the base made in their second, unrelated sides by id.
            #expect(revisions.map(\.commit.id) == [merge] + sameSecond.reversed() + [base])
        }
        let revisions = try repo.repository.documentHistory(candidates: all, locate: doc)
        let blob = { (commit: ObjectID) in try repo.git("rev-parse", "\(commit.hex):doc.md").trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(revisions[3].parents.isEmpty)
        #expect(try revisions[0].parents.map { $0?.blob.hex } == [blob(ours), blob(theirs)])
        #expect(try revisions[0].located?.blob.hex == blob(merge))
    }

    @Test func theChangesOfALongHistoryAreTheOnesGitLogLists() throws {
        // More commits than the walk reads through one libgit2 handle (1,000), changing files
        // deep in folders, deleting some: git fast-import makes them in one go.
        let repo = try TestRepository()
        defer { repo.remove() }
        var stream = ""
        for n in 1...2_500 {
            let path = "incidents/2026/\(n % 12 + 1)/INC-\(n % 700)/incident.md"
            stream += "commit refs/heads/main\ncommitter T <t@example.com> \(1_700_000_000 + n) +0000\ndata 2\nc\n\n"
            let content = "version \(n)\n"
            stream += n % 9 == 0 ? "D \(path)\n" : "M 100644 inline \(path)\ndata \(content.utf8.count)\n\(content)\n"
        }
        let input = repo.path + "/../\(UUID().uuidString).fi"
        try Data(stream.utf8).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        _ = try TestRepository.run(["sh", "-c", "git -C '\(repo.path)' fast-import --quiet < '\(input)'"])
        let head = try #require(try repo.repository.head().commit)

        func changes(_ listed: [CommitChanges]) -> [String] { listed.map { ([$0.commit.hex] + $0.paths.sorted()).joined(separator: " ") } }
        let log = try repo.git("log", "--format=%x01%H", "--name-only", "--no-renames").split(separator: "\u{1}").map { entry in
            let lines = entry.split(separator: "\n").map(String.init)
            return ([lines[0]] + lines.dropFirst().sorted()).joined(separator: " ")
        }
        #expect(log.count == 2_500)
        #expect(changes(try #require(try repo.repository.pathChanges(from: head, since: nil))) == log)
        // From a commit in the middle: only those made since.
        let middle = try #require(ObjectID(hex: String(log[1_200].prefix(40))))
        #expect(changes(try #require(try repo.repository.pathChanges(from: head, since: middle))) == Array(log.prefix(1_200)))
    }
}
