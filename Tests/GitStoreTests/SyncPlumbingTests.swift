import Foundation
import Testing

@testable import GitStore

/// A bare repository standing in for the team's remote, and clones of it made with ops' own calls.
private struct RemoteSetup {
    let bare: String
    let clones: [TestRepository]

    init(clones count: Int) throws {
        let bare = FileManager.default.temporaryDirectory.appendingPathComponent("gitstore-remote-\(UUID().uuidString).git").path
        _ = try TestRepository.run(["git", "init", "--bare", "-q", "-b", "main", bare])
        self.bare = bare
        clones = try (0..<count).map { _ in
            let clone = try TestRepository()
            try clone.repository.addRemote("origin", url: bare)
            return clone
        }
    }

    func remove() {
        clones.forEach { $0.remove() }
        try? FileManager.default.removeItem(atPath: bare)
    }
}

private let noCredentials = RemoteAccess(credentials: { _ in nil }, checkHostKey: { _ in })

private func takeTheirs(_ plan: MergePlan) throws -> [String: MergeSide] {
    Dictionary(uniqueKeysWithValues: plan.candidates.map { ($0.path, $0.theirs) })
}

private func message(_ plan: MergePlan) -> CommitMessage { CommitMessage(subject: "merge") }

@Suite struct SyncPlumbingTests {
    @Test func pushThenFetchFastForwardsTheOtherClone() throws {
        let setup = try RemoteSetup(clones: 2)
        defer { setup.remove() }
        let (a, b) = (setup.clones[0], setup.clones[1])
        try a.commit(["notes.md": "one\n"])
        try a.repository.commit(CommitMessage(subject: "script"), author: TestRepository.author) { _ in
            [FileChange(path: "bin/run.sh", content: Data("#!/bin/sh\n".utf8), isExecutable: true)]
        }
        #expect(try a.repository.fetch(remote: "origin", branch: "main", access: noCredentials) == nil)  // empty remote
        #expect(try a.repository.push(remote: "origin", branch: "refs/heads/main", access: noCredentials) == .pushed)
        #expect(try a.repository.trackingCommit(remote: "origin", branch: "main") == a.repository.head().commit)

        try b.write("mine.txt", "untracked, kept\n")
        let fetched = try #require(try b.repository.fetch(remote: "origin", branch: "main", access: noCredentials))
        #expect(try b.repository.merge(fetched, author: TestRepository.author, message: message, resolve: takeTheirs) == .fastForwarded(fetched))
        #expect(try b.repository.head().commit == fetched)
        #expect(try b.read("notes.md") == "one\n")
        #expect(try b.git("status", "--porcelain") == "?? mine.txt\n")
        #expect(try b.git("ls-files", "-s", "bin/run.sh").hasPrefix("100755"))

        try a.commit(["notes.md": "one\ntwo\n"])
        _ = try a.repository.push(remote: "origin", branch: "main", access: noCredentials)
        let second = try #require(try b.repository.fetch(remote: "origin", branch: "main", access: noCredentials))
        let counts = try b.repository.aheadBehind(b.repository.head().commit!, second)
        #expect(counts.ahead == 0 && counts.behind == 1)
        #expect(try b.repository.merge(second, author: TestRepository.author, message: message, resolve: takeTheirs) == .fastForwarded(second))
        #expect(try b.repository.merge(second, author: TestRepository.author, message: message, resolve: takeTheirs) == .upToDate)
        #expect(try b.read("notes.md") == "one\ntwo\n")
        #expect(try b.fsck() == "")
    }

    @Test func aPushBehindTheRemoteIsRejectedAndLandsAfterAMerge() throws {
        let setup = try RemoteSetup(clones: 2)
        defer { setup.remove() }
        let (a, b) = (setup.clones[0], setup.clones[1])
        try a.commit(["shared.md": "base\n"])
        _ = try a.repository.push(remote: "origin", branch: "main", access: noCredentials)
        let base = try #require(try b.repository.fetch(remote: "origin", branch: "main", access: noCredentials))
        _ = try b.repository.merge(base, author: TestRepository.author, message: message, resolve: takeTheirs)

        try a.commit(["a.md": "from a\n", "both.md": "a\n"])
        try b.commit(["b.md": "from b\n", "both.md": "b\n"])
        #expect(try a.repository.push(remote: "origin", branch: "main", access: noCredentials) == .pushed)
        #expect(try b.repository.push(remote: "origin", branch: "main", access: noCredentials) == .behind)
        let remoteTip = try TestRepository.run(["git", "-C", setup.bare, "rev-parse", "main"])
        #expect(remoteTip.hasPrefix(try a.repository.head().commit!.hex))  // nothing forced

        let theirs = try #require(try b.repository.fetch(remote: "origin", branch: "main", access: noCredentials))
        var seen: [String] = []
        let outcome = try b.repository.merge(theirs, author: TestRepository.author, message: message) { plan in
            seen = plan.candidates.map(\.path)
            #expect(plan.base == base)
            let revisions = try plan.revisions(of: "both.md", onOurSide: true)
            #expect(revisions.map(\.author) == ["Alice Example"])
            return ["both.md": MergeSide(content: Data("a and b\n".utf8), isExecutable: false)]
        }
        guard case .merged(let merge) = outcome else {
            Issue.record("expected a merge commit, got \(outcome)")
            return
        }
        #expect(seen == ["both.md"])
        #expect(try b.repository.commitInfo(merge).parents.count == 2)
        #expect(try b.read("a.md") == "from a\n")
        #expect(try b.read("both.md") == "a and b\n")
        #expect(try b.git("status", "--porcelain") == "")
        #expect(try b.repository.push(remote: "origin", branch: "main", access: noCredentials) == .pushed)
        #expect(try b.fsck() == "")
    }

    @Test func aResolverThatStopsLeavesHeadIndexAndWorkTreeAsTheyWere() throws {
        let setup = try RemoteSetup(clones: 2)
        defer { setup.remove() }
        let (a, b) = (setup.clones[0], setup.clones[1])
        try a.commit(["README.md": "base\n"])
        _ = try a.repository.push(remote: "origin", branch: "main", access: noCredentials)
        _ = try b.repository.merge(
            try #require(try b.repository.fetch(remote: "origin", branch: "main", access: noCredentials)),
            author: TestRepository.author, message: message, resolve: takeTheirs)
        try a.commit(["README.md": "a\n", "new.md": "new\n"])
        _ = try a.repository.push(remote: "origin", branch: "main", access: noCredentials)
        try b.commit(["README.md": "b\n"])
        try b.write("dirty.md", "unsaved\n")
        let head = try b.repository.head().commit
        let status = try b.git("status", "--porcelain")
        struct Stop: Error {}
        let theirs = try #require(try b.repository.fetch(remote: "origin", branch: "main", access: noCredentials))
        #expect(throws: Stop.self) {
            try b.repository.merge(theirs, author: TestRepository.author, message: message) { _ in throw Stop() }
        }
        #expect(try b.repository.head().commit == head)
        #expect(try b.git("status", "--porcelain") == status)
        #expect(!FileManager.default.fileExists(atPath: b.path + "/new.md"))
        #expect(try b.read("README.md") == "b\n")
    }

    @Test func transferProgressIsReportedForATerminal() throws {
        let setup = try RemoteSetup(clones: 2)
        defer { setup.remove() }
        final class Lines: @unchecked Sendable {  // only appended to on the calling thread, during the call
            var all: [String] = []
        }
        let lines = Lines()
        let access = RemoteAccess(credentials: { _ in nil }, checkHostKey: { _ in }, progress: { lines.all.append($0) })
        try setup.clones[0].commit(Dictionary(uniqueKeysWithValues: (0..<50).map { ("f\($0).md", String?("file \($0)\n")) }))
        _ = try setup.clones[0].repository.push(remote: "origin", branch: "main", access: access)
        _ = try setup.clones[1].repository.fetch(remote: "origin", branch: "main", access: access)
        #expect(lines.all.contains { $0.hasPrefix("Receiving objects: 100% (") })
        // At most one line per percent and phase, whatever the number of objects.
        #expect(lines.all.filter { $0.hasPrefix("Receiving") }.count <= 101)
    }

    @Test func anUnreachableRemoteFailsWithItsName() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.repository.addRemote("origin", url: "/nonexistent/ops-remote.git")
        #expect(throws: GitStoreError.self) { try repo.repository.fetch(remote: "origin", branch: "main", access: noCredentials) }
        #expect(throws: GitStoreError.noSuchRemote(name: "upstream")) {
            try repo.repository.fetch(remote: "upstream", branch: "main", access: noCredentials)
        }
    }

    @Test func mergeTextKeepsBothVersionsOfConflictingLines() throws {
        let clean = try GitRepository.mergeText(
            base: Data("a\nb\nc\n".utf8), ours: Data("A\nb\nc\n".utf8), theirs: Data("a\nb\nC\n".utf8),
            ourLabel: "here", theirLabel: "there")
        #expect(!clean.hasConflicts)
        #expect(String(decoding: clean.content, as: UTF8.self) == "A\nb\nC\n")
        let conflict = try GitRepository.mergeText(
            base: Data("a\n".utf8), ours: Data("x\n".utf8), theirs: Data("y\n".utf8),
            ourLabel: "here", theirLabel: "there")
        #expect(conflict.hasConflicts)
        #expect(String(decoding: conflict.content, as: UTF8.self) == "<<<<<<< here\nx\n=======\ny\n>>>>>>> there\n")
    }
}
