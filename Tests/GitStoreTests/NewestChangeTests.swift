import Foundation
import Testing

@testable import GitStore

/// `newestChange`: when the newest change a history records was made, for the weekly pack of a
/// week still running (a rerun with nothing new must build the same bytes).
@Suite struct NewestChangeTests {
    /// Commits `file` with the git CLI, authored and committed at `date` (seconds since 1970).
    static func commit(_ repo: TestRepository, _ file: String, at date: Int, message: String = "change") throws {
        try (file + "\n").write(toFile: repo.path + "/" + file, atomically: true, encoding: .utf8)
        try repo.git("add", file)
        _ = try TestRepository.run([
            "env", "GIT_AUTHOR_DATE=@\(date) +0000", "GIT_COMMITTER_DATE=@\(date) +0000", "git", "-C", repo.path, "commit", "-q", "-m", message,
        ])
    }

    static func newest(_ repo: TestRepository, by now: Int) throws -> Int? {
        try repo.repository.newestChange(notAfter: Date(timeIntervalSince1970: TimeInterval(now))) { !$0.contains("Ops-Action: review.pack") }
            .map { Int($0.timeIntervalSince1970) }
    }

    @Test func theNewestCountedChangeUpToNowWithMergesCountedAndPacksAndTheFutureNot() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        #expect(try Self.newest(repo, by: 5_000) == nil)
        try Self.commit(repo, "a", at: 1_000)
        try repo.git("branch", "-q", "side")
        try Self.commit(repo, "b", at: 2_000)
        try repo.git("checkout", "-q", "side")
        try Self.commit(repo, "c", at: 1_500)
        try repo.git("checkout", "-q", "main")
        _ = try TestRepository.run([
            "env", "GIT_AUTHOR_DATE=@3000 +0000", "GIT_COMMITTER_DATE=@3000 +0000", "git", "-C", repo.path, "merge", "-q", "--no-edit", "side",
        ])
        #expect(try Self.newest(repo, by: 5_000) == 3_000)  // the merge records a tree of its own
        try Self.commit(repo, "pack", at: 4_000, message: "review pack\n\nOps-Action: review.pack")
        #expect(try Self.newest(repo, by: 5_000) == 3_000)  // a pack's own commit is not news
        try Self.commit(repo, "later", at: 9_000)
        #expect(try Self.newest(repo, by: 5_000) == 3_000)  // dated after now: not yet, by this clock
        #expect(try Self.newest(repo, by: 9_000) == 9_000)
        #expect(try Self.newest(repo, by: 2_500) == 2_000)
        #expect(try Self.newest(repo, by: 500) == nil)

        // A merge whose tree is a parent's records nothing new (two clones that built the same files).
        try repo.git("checkout", "-q", "side")
        try Self.commit(repo, "d", at: 9_100)
        try repo.git("checkout", "-q", "main")
        _ = try TestRepository.run([
            "env", "GIT_AUTHOR_DATE=@9500 +0000", "GIT_COMMITTER_DATE=@9500 +0000", "git", "-C", repo.path, "merge", "-q", "-s", "ours", "--no-edit", "side",
        ])
        #expect(try Self.newest(repo, by: 10_000) == 9_100)
    }
}
