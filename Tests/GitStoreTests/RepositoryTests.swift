import Foundation
import Testing

@testable import GitStore

@Suite struct RepositoryTests {
    @Test func openingAFolderThatIsNotARepositoryFails() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plain-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: GitStoreError.notARepository(path: path)) { try GitRepository.open(path) }
        #expect(try !GitRepository.exists(at: path))
    }

    // Reported as skipped, not passed, when the tests do not run as root.
    @Test(.enabled(if: getuid() == 0, "only root can hand a folder to another user"))
    func aRepositoryOwnedByAnotherUserIsRefusedByName() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        #expect(chown(repo.path, 4242, 4242) == 0)
        #expect(chown(repo.path + "/.git", 4242, 4242) == 0)
        #expect(throws: GitStoreError.notOwner(path: repo.path)) { try GitRepository.open(repo.path) }
    }

    @Test func libgit2ErrorsCarryTheirCode() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        let missing = ObjectID(hex: String(repeating: "ab", count: 20))!
        #expect {
            try repo.repository.blob(missing)
        } throws: { error in
            (error as? GitError)?.isNotFound == true
        }
    }

    @Test func readsFilesAtHeadAndAtAnEarlierCommit() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        let first = try repo.commit(["a.md": "v1\n"])!
        try repo.commit(["a.md": "v2\n"])
        #expect(try repo.repository.readFile("a.md") == Data("v2\n".utf8))
        #expect(try repo.repository.readFile("a.md", at: first) == Data("v1\n".utf8))
        #expect(try repo.repository.readFile("missing.md") == nil)
    }

    @Test func listsFilesUnderAFolderWithTheirBlobIds() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["incidents/2026/11/A/incident.md": "a\n", "incidents/2026/10/B/incident.md": "b\n", "ops.yaml": "x\n"])
        let files = try repo.repository.files(under: "incidents")
        #expect(files.map(\.path) == ["incidents/2026/10/B/incident.md", "incidents/2026/11/A/incident.md"])
        let blob = try repo.git("rev-parse", "HEAD:incidents/2026/11/A/incident.md").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(files[1].blob.hex == blob)
        #expect(try repo.repository.files(under: "nothing").isEmpty)
        #expect(try repo.repository.files(under: "ops.yaml").isEmpty)
    }

    @Test func historyListsTheCommitsThatTouchedAPathWithTrailers() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        let message = CommitMessage(
            subject: "incident: open", body: "Opened by the commander.",
            trailers: [Trailer("Ops-Action", "incident.open"), Trailer("Ops-Id", "INC-1")])
        try repo.repository.commit(message, author: TestRepository.author) { _ in [.write("doc.md", "v1\n")] }
        try repo.commit(["other.md": "x\n"])
        try repo.write("doc.md", "v2 by hand\n")
        try repo.git("commit", "-qam", "hand edit")
        let history = try repo.repository.history(of: "doc.md")
        #expect(history.map(\.commit.subject) == ["hand edit", "incident: open"])
        #expect(history[0].commit.author.name == "Git Person")
        #expect(history[1].commit.trailer("ops-action") == "incident.open")
        #expect(history[1].commit.trailer("Ops-Id") == "INC-1")
        #expect(history[1].commit.author.offsetMinutes == 60)
        #expect(try repo.repository.blob(history[1].blob!) == Data("v1\n".utf8))
        #expect(try repo.git("log", "-1", "--skip=2", "--format=%B").contains("Ops-Action: incident.open\nOps-Id: INC-1"))
    }
}
