import Foundation
import Testing

@testable import GitStore

@Suite struct CommitTests {
    @Test func commitWritesFilesIndexAndOneCommit() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        let id = try repo.commit(["incidents/2026/11/INC-1/incident.md": "hello\n", "ops.yaml": "team: x\n"])
        #expect(id != nil)
        #expect(try repo.read("incidents/2026/11/INC-1/incident.md") == "hello\n")
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try repo.git("rev-list", "--count", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(try repo.git("log", "-1", "--format=%an <%ae>") == "Alice Example <alice@example.com>\n")
        #expect(try repo.fsck() == "")
        #expect(try repo.repository.readFile("ops.yaml") == Data("team: x\n".utf8))
        #expect(try repo.repository.head().commit == id)
    }

    @Test func unchangedContentMakesNoCommit() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "same\n"])
        let second = try repo.commit(["a.md": "same\n"])
        #expect(second == nil)
        #expect(try repo.git("rev-list", "--count", "HEAD") == "1\n")
    }

    @Test func deletingAFileRemovesItFromTreeIndexAndWorkTree() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["keep.md": "k\n", "dir/gone.md": "g\n"])
        try repo.commit(["dir/gone.md": String?.none])
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/dir"))
        #expect(try repo.repository.readFile("dir/gone.md") == nil)
        #expect(try repo.git("status", "--porcelain") == "")
    }

    @Test func unrelatedStagedAndUnstagedChangesStayExactlyAsTheyWere() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["staged.md": "one\n", "unstaged.md": "one\n", "both.md": "one\n"])
        try repo.write("staged.md", "staged edit\n")
        try repo.git("add", "staged.md")
        try repo.write("unstaged.md", "unstaged edit\n")
        try repo.write("both.md", "staged part\n")
        try repo.git("add", "both.md")
        try repo.write("both.md", "staged part\nand an unstaged part\n")
        try repo.write("untracked.md", "mine\n")
        let statusBefore = try repo.git("status", "--porcelain")
        let stagedDiffBefore = try repo.git("diff", "--cached")
        let unstagedDiffBefore = try repo.git("diff")

        try repo.commit(["incidents/new.md": "ops wrote this\n"])

        #expect(try repo.git("status", "--porcelain") == statusBefore)
        #expect(try repo.git("diff", "--cached") == stagedDiffBefore)
        #expect(try repo.git("diff") == unstagedDiffBefore)
        #expect(try repo.read("both.md") == "staged part\nand an unstaged part\n")
        #expect(try repo.git("show", "--stat", "--format=", "HEAD").contains("incidents/new.md"))
        #expect(try !repo.git("show", "--stat", "--format=", "HEAD").contains("staged.md"))
    }

    @Test(arguments: ["unstaged", "staged", "deleted", "untracked"])
    func refusesToOverwriteTheUsersUncommittedWork(kind: String) throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["doc.md": "committed\n"])
        let target = kind == "untracked" ? "new.md" : "doc.md"
        switch kind {
        case "unstaged": try repo.write("doc.md", "my edit\n")
        case "staged":
            try repo.write("doc.md", "my edit\n")
            try repo.git("add", "doc.md")
        case "deleted": try FileManager.default.removeItem(atPath: repo.path + "/doc.md")
        default: try repo.write("new.md", "my own file\n")
        }
        let headBefore = try repo.repository.head().commit
        let statusBefore = try repo.git("status", "--porcelain")
        #expect {
            try repo.commit([target: "ops content\n", "other.md": "x\n"])
        } throws: { error in
            guard case GitStoreError.uncommittedChanges(let path, _) = error else { return false }
            return path == target
        }
        #expect(try repo.repository.head().commit == headBefore)
        #expect(try repo.git("status", "--porcelain") == statusBefore)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/other.md"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: repo.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func retriesOnTheNewHeadWhenAnotherWriterMovedTheBranch() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["log.md": "first\n"])
        var attempts = 0
        try repo.repository.commit(CommitMessage(subject: "append"), author: TestRepository.author) { snapshot in
            attempts += 1
            if attempts == 1 {
                // Another writer lands a commit while this one is being built.
                try repo.write("other.md", "from git\n")
                try repo.git("add", "other.md")
                try repo.git("commit", "-q", "-m", "concurrent")
            }
            let current = String(decoding: try snapshot.read("log.md") ?? Data(), as: UTF8.self)
            return [.write("log.md", current + "second\n")]
        }
        #expect(attempts == 2)
        #expect(try repo.git("log", "--format=%s").split(separator: "\n") == ["append", "concurrent", "change"])
        #expect(try repo.read("log.md") == "first\nsecond\n")
        #expect(try repo.git("status", "--porcelain") == "")
    }

    @Test func eightParallelWritersAllLand() async throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["timeline.md": ""])
        let path = repo.path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    let own = try GitRepository.open(path)
                    try own.commit(CommitMessage(subject: "writer \(writer)"), author: TestRepository.author) { snapshot in
                        let text = String(decoding: try snapshot.read("timeline.md") ?? Data(), as: UTF8.self)
                        return [.write("timeline.md", text + "line \(writer)\n"), .write("w/\(writer).md", "\(writer)\n")]
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try repo.git("rev-list", "--count", "HEAD") == "9\n")
        let lines = try repo.read("timeline.md").split(separator: "\n").map(String.init).sorted()
        #expect(lines == (0..<8).map { "line \($0)" }.sorted())
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try repo.fsck() == "")
    }

    @Test func rejectsPathsOutsideTheRepository() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        for bad in ["../escape.md", "/etc/passwd", "a/../../b", ".git/config", "a//b", ""] {
            #expect(throws: GitStoreError.invalidPath(bad)) { try repo.commit([bad: "x"]) }
        }
        #expect(try repo.repository.head().commit == nil)
    }

    @Test func detachedHeadIsRefused() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        try repo.git("checkout", "-q", "--detach")
        #expect(throws: GitStoreError.detachedHead) { try repo.commit(["b.md": "b\n"]) }
    }
}
