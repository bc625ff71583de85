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
        let doc = { (tree: TreeView) in try tree.id(of: "doc.md").map { Located(path: "doc.md", blob: $0) } }

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
}
