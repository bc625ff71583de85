import Foundation
import GitStore
import Testing

/// Every trace a write leaves in the repository carries the name its caller gave, not one of
/// GitStore's own choosing.
@Suite struct WriterNameTests {
    @Test func locksStateAndReflogAreNamedAfterTheWriter() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        repo.repository.writerName = "tool"
        try repo.commit(["a.md": "a\n"])
        try repo.commit(["a.md": "b\n"])
        #expect(try repo.git("reflog", "-2", "--format=%gs", "refs/heads/main") == "commit (tool)\ncommit (tool)\n")
        #expect(FileManager.default.fileExists(atPath: repo.path + "/.git/tool.lock"))
        #expect(FileManager.default.fileExists(atPath: repo.path + "/.git/tool"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.git/gitstore.lock"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.git/gitstore"))
    }
}
