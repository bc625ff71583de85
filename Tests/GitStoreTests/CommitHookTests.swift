import Foundation
import GitStore
import Testing

/// The hook a caller uses to record what must happen once a commit lands (the outbox), and the
/// ancestry check that tells later whether it did.
@Suite struct CommitHookTests {
    struct Refused: Error {}

    @Test func preparedSeesEachCommitBeforeTheBranchMovesAndTheLastOneLands() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["log.md": "first\n"])
        var prepared: [ObjectID] = []
        var headWhenPrepared: [ObjectID?] = []
        var attempts = 0
        let landed = try repo.repository.commit(
            CommitMessage(subject: "append"), author: TestRepository.author,
            prepared: { commit in
                prepared.append(commit)
                headWhenPrepared.append(try repo.repository.head().commit)
            }
        ) { snapshot in
            attempts += 1
            if attempts == 1 {
                // Another writer lands a commit after this one is built: the hook sees a second commit.
                try repo.write("other.md", "from git\n")
                try repo.git("add", "other.md")
                try repo.git("commit", "-q", "-m", "concurrent")
            }
            let current = String(decoding: try snapshot.read("log.md") ?? Data(), as: UTF8.self)
            return [.write("log.md", current + "second\n")]
        }
        #expect(prepared.count == 2)
        #expect(prepared.last == landed)
        // Before the branch moved: HEAD was still the parent each time.
        #expect(!headWhenPrepared.contains(landed))
        #expect(try repo.repository.isInHistory(try #require(landed)))
        #expect(try !repo.repository.isInHistory(prepared[0]))
    }

    @Test func aHookThatThrowsCommitsNothing() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        let first = try #require(try repo.commit(["log.md": "first\n"]))
        var seen: ObjectID?
        #expect(throws: Refused.self) {
            try repo.repository.commit(
                CommitMessage(subject: "refused"), author: TestRepository.author,
                prepared: { commit in
                    seen = commit
                    throw Refused()
                }
            ) { _ in [.write("log.md", "second\n")] }
        }
        #expect(try repo.repository.head().commit == first)
        #expect(try repo.read("log.md") == "first\n")
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try !repo.repository.isInHistory(try #require(seen)))
    }

    @Test func isInHistoryIsTrueForHeadAndAncestorsOnly() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        let first = try #require(try repo.commit(["a.md": "1\n"]))
        let second = try #require(try repo.commit(["a.md": "2\n"]))
        #expect(try repo.repository.isInHistory(first))
        #expect(try repo.repository.isInHistory(second))
        try repo.git("reset", "-q", "--hard", first.hex)
        // Still in the object store, no longer in HEAD's history: a write rolled back.
        #expect(try !repo.repository.isInHistory(second))
        #expect(try !repo.repository.isInHistory(try #require(ObjectID(hex: String(repeating: "ab", count: 20)))))
    }
}
