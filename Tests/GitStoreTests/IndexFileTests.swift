import Foundation
import Testing
@testable import GitStore

/// The index as ops rewrites it itself (`IndexFile`): Git must read exactly what `git add` would
/// have left, keep the user's staged work, and still see edits made in the same instant.
@Suite struct IndexFileTests {
    @Test func theIndexOpsWritesIsTheOneGitWouldWriteAndKeepsStagedWork() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["incidents/a/incident.md": "a\n", "ops.yaml": "team: x\n", "run.sh": "echo\n"])
        try "echo 2\n".write(toFile: repo.path + "/run.sh", atomically: true, encoding: .utf8)
        try repo.git("add", "run.sh")  // staged by the user: must stay staged
        try "staged\n".write(toFile: repo.path + "/notes.md", atomically: true, encoding: .utf8)
        try repo.git("add", "notes.md")
        try repo.commit(["incidents/b/incident.md": "b\n", "incidents/a/incident.md": "a2\n", "ops.yaml": nil])

        #expect(try repo.git("status", "--porcelain") == "A  notes.md\nM  run.sh\n")
        #expect(try repo.git("ls-files", "--stage", "incidents") == """
            100644 \(try repo.git("rev-parse", "HEAD:incidents/a/incident.md").prefix(40)) 0\tincidents/a/incident.md
            100644 \(try repo.git("rev-parse", "HEAD:incidents/b/incident.md").prefix(40)) 0\tincidents/b/incident.md

            """)
        // Git's own check of the file: header, entry order, checksum.
        try repo.git("update-index", "--refresh")
        #expect(try repo.fsck() == "")
        guard case .parsed = try IndexFile.read(repo.path + "/.git/index") else { Issue.record("not parsed"); return }
    }

    @Test func anIndexWhoseChecksumDoesNotMatchIsRefusedAndNothingIsWritten() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        let path = repo.path + "/.git/index"
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        bytes[30] ^= 0x01  // a bit flipped inside the first entry
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(throws: GitStoreError.corruptIndex(path: path)) { try IndexFile.read(path) }
        let head = try repo.git("rev-parse", "HEAD")
        #expect(throws: GitStoreError.corruptIndex(path: path)) { try repo.commit(["b.md": "b\n"]) }
        #expect(try repo.git("rev-parse", "HEAD") == head)
        #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/b.md"))
    }

    @Test func anEditMadeInTheSameInstantAsTheIndexIsStillSeenAfterOpsRewritesIt() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "aaaa\n"])
        try repo.git("config", "core.trustctime", "false")  // as on many file systems: only mtime and size tell
        // a.md's entry and the index file carry the same time: Git cannot trust the stat...
        let instant = "@\(Int(Date().timeIntervalSince1970) - 5)"
        _ = try TestRepository.run(["touch", "-d", instant, repo.path + "/a.md"])
        try repo.git("update-index", "--refresh")
        _ = try TestRepository.run(["touch", "-d", instant, repo.path + "/.git/index"])
        // ...so an edit of the same size in that instant is found by content.
        try "bbbb\n".write(toFile: repo.path + "/a.md", atomically: false, encoding: .utf8)
        _ = try TestRepository.run(["touch", "-d", instant, repo.path + "/a.md"])
        #expect(try repo.git("--no-optional-locks", "status", "--porcelain") == " M a.md\n")  // (a status that writes no index)
        // After ops rewrites the index (now later than the entry), Git must still see it.
        try repo.commit(["b.md": "b\n"])
        #expect(try repo.git("status", "--porcelain") == " M a.md\n")
    }

    @Test func indexesItDoesNotKnowAreLeftToLibgit2() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        try repo.git("update-index", "--index-version", "4")
        guard case .unsupported = try IndexFile.read(repo.path + "/.git/index") else { Issue.record("parsed a v4 index"); return }
        try repo.commit(["b.md": "b\n"])
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try repo.git("ls-files") == "a.md\nb.md\n")
    }
}
