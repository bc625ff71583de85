import Foundation
import Testing

@testable import GitStore

/// How the store fails: "not there" is an answer, anything else libgit2 reports is an error
/// that names itself, and a failed write leaves nothing behind.
@Suite struct ErrorPathTests {
    @Test func anAbsentPathIsNilButAMissingObjectIsAnError() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["notes/a.md": "a\n", "top.md": "top\n"])
        let store = repo.repository
        #expect(try store.readFile("notes/missing.md") == nil)
        #expect(try store.entryID("missing") == nil)
        #expect(try store.files(under: "missing").isEmpty)
        #expect(try store.entries(in: "missing").isEmpty)
        #expect(try store.files(under: "top.md").isEmpty, "a file where a folder was asked for holds no files")

        // The tree of notes/ and the blob of top.md are gone from the object store: Git calls
        // such a repository broken, and so does the store, instead of answering "empty".
        try removeObject("HEAD:notes", in: repo)
        try removeObject("HEAD:top.md", in: repo)
        let reopened = try GitRepository.open(repo.path)  // nothing in libgit2's object cache
        #expect { try reopened.files(under: "notes") } throws: { ($0 as? GitError)?.isNotFound == true }
        #expect { try reopened.entries(in: "notes") } throws: { ($0 as? GitError)?.isNotFound == true }
        #expect { try reopened.readFile("top.md") } throws: { ($0 as? GitError)?.isNotFound == true }
    }

    /// An index of changed paths keyed by a commit that a rewritten and collected history no
    /// longer has is rebuilt (nil), not a failure of every command that reads it.
    @Test func aKnownCommitThatIsNoLongerInTheStoreIsNotInTheHistory() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        let first = try repo.commit(["a.md": "a\n"])!
        let head = try repo.commit(["a.md": "b\n"])!
        #expect(try repo.repository.pathChanges(from: head, since: first)?.map(\.paths) == [["a.md"]])
        let gone = ObjectID(hex: String(repeating: "ab", count: 20))!
        #expect(try repo.repository.pathChanges(from: head, since: gone) == nil)
    }

    /// An intent record naming a commit the store does not have (edited by hand) is a write that
    /// never landed: rolled back, and the next write goes on.
    @Test func anIntentRecordNamingAMissingCommitIsRolledBack() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        let missing = String(repeating: "ab", count: 20)
        try repo.write(
            ".git/gitstore/intent",
            """
            {"version":1,"pid":4242,"host":"elsewhere","branch":"refs/heads/main","commit":"\(missing)","files":[]}
            """)
        let notices = Notices()
        repo.repository.onNotice = { notices.add($0) }
        try repo.commit(["b.md": "b\n"])
        #expect(notices.values == [.rolledBackInterruptedWrite(pid: 4242)])
        #expect(try repo.git("show", "HEAD:b.md") == "b\n")
        #expect(!repo.repository.hasInterruptedWrite)
    }

    /// An intent record edited by hand to name files or a branch outside the repository is not
    /// followed: recovery touches nothing it names, drops the record, and the next write goes on.
    @Test func anIntentRecordNamingPathsOutsideTheWorkTreeTouchesNothing() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        let outside = repo.path + "/../outside-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let name = (outside as NSString).lastPathComponent
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: outside + "/f"))
        try Data().write(to: URL(fileURLWithPath: outside + "/ref.lock"))
        let missing = String(repeating: "ab", count: 20)
        let records = [
            #"{"version":1,"pid":4242,"host":"elsewhere","branch":"refs/heads/main","commit":"\#(missing)","files":[{"path":"a.md","temp":"../\#(name)/f"}]}"#,
            #"{"version":1,"pid":4242,"host":"elsewhere","branch":"refs/heads/main","commit":"\#(missing)","files":[{"path":"../\#(name)/f","temp":"../\#(name)/.gitstore-1.tmp"}]}"#,
            #"{"version":1,"pid":4242,"host":"elsewhere","branch":"../../\#(name)/ref","commit":"\#(missing)","files":[]}"#,
        ]
        for record in records {
            try repo.write(".git/gitstore/intent", record)
            let notices = Notices()
            repo.repository.onNotice = { notices.add($0) }
            try repo.repository.recoverInterruptedWriteIfAny()
            #expect(notices.values.isEmpty, "\(record)")
            #expect(!repo.repository.hasInterruptedWrite)
            #expect(try String(contentsOfFile: outside + "/f", encoding: .utf8) == "keep\n")
            #expect(FileManager.default.fileExists(atPath: outside + "/ref.lock"))
        }
        try repo.commit(["b.md": "b\n"])
        #expect(try repo.git("show", "HEAD:b.md") == "b\n")
    }

    @Test func theErrorFunnelClearsLibgit2sLastError() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        let missing = ObjectID(hex: String(repeating: "ab", count: 20))!
        #expect { try repo.repository.blob(missing) } throws: { error in
            let error = error as? GitError
            return error?.isNotFound == true && error?.message.contains(missing.hex) == true
        }
        // A failure for which libgit2 sets no message (a callback's abort) must not show the last one.
        #expect { try check(-1) } throws: { ($0 as? GitError)?.message == "libgit2 failed with code -1" }
        // Nor the message of a lookup that was answered "not there".
        #expect(try repo.repository.readFile("missing.md") == nil)
        #expect { try check(-1) } throws: { ($0 as? GitError)?.message == "libgit2 failed with code -1" }
    }

    @Test func aBranchLockLeftByGitIsWaitedForThenRemovedAndTheCommitLands() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        let lock = repo.path + "/.git/refs/heads/main.lock"
        _ = FileManager.default.createFile(atPath: lock, contents: Data("0123\n".utf8))
        let notices = Notices()
        repo.repository.onNotice = { notices.add($0) }
        repo.repository.lockPatience = 1
        try repo.commit(["b.md": "b\n"])
        #expect(notices.values.contains(.removedStaleLock(path: lock, reason: "older than 1 s, and no writer holds the branch")))
        #expect(try repo.git("show", "HEAD:b.md") == "b\n")
        #expect(try repo.git("status", "--porcelain") == "")
    }

    @Test func aBrokenConfigurationIsAnErrorNotAnUnsetValue() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        #expect(try repo.repository.configValue("user.name") == "Test Person")
        #expect(try repo.repository.configValue("no.such-key") == nil)
        try repo.write(".git/config", "[core\n\tbare = maybe\n")
        #expect(throws: GitError.self) { try repo.repository.configValue("user.name") }
    }

    // MARK: The index

    @Test func aTruncatedIndexIsRefusedAndNothingIsWritten() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n", "b.md": "b\n"])
        let path = repo.path + "/.git/index"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for kept in [bytes.count - 10, 31, 0] {
            _ = FileManager.default.createFile(atPath: path, contents: bytes.prefix(kept))
            #expect(throws: GitStoreError.corruptIndex(path: path), "\(kept) bytes") { try IndexFile.read(path) }
            try expectRefusedWithNothingWritten(repo, error: GitStoreError.corruptIndex(path: path))
        }
    }

    @Test func anIndexWhoseTrailerIsDamagedIsRefused() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        let path = repo.path + "/.git/index"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 1] ^= 0x80
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(throws: GitStoreError.corruptIndex(path: path)) { try IndexFile.read(path) }
        try expectRefusedWithNothingWritten(repo, error: GitStoreError.corruptIndex(path: path))
    }

    /// An index left to libgit2 (version 4) that libgit2 cannot read either: its error stops the
    /// write before the branch moves, and the locks are given back.
    @Test func anIndexLibgit2CannotReadStopsTheWriteWithItsError() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        let path = repo.path + "/.git/index"
        // Version 4, one entry that is not there, and a zero trailer (`index.skipHash`: not checked).
        let bytes = Array("DIRC".utf8) + [0, 0, 0, 4, 0, 0, 0, 1] + [UInt8](repeating: 0x41, count: 30) + [UInt8](repeating: 0, count: 20)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        guard case .unsupported = try IndexFile.read(path) else { Issue.record("not left to libgit2"); return }
        let head = try repo.git("rev-parse", "HEAD")
        #expect { try repo.commit(["b.md": "b\n"]) } throws: { error in
            let error = error as? GitError
            return error != nil && error?.message.isEmpty == false && error?.message.hasPrefix("libgit2 failed") == false
        }
        #expect(try repo.git("rev-parse", "HEAD") == head)
        #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/b.md"))
        #expect(!repo.repository.hasInterruptedWrite)
    }

    private func expectRefusedWithNothingWritten(
        _ repo: TestRepository, error: GitStoreError,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let head = try repo.git("rev-parse", "HEAD")
        #expect(throws: error, sourceLocation: sourceLocation) { try repo.commit(["c.md": "c\n"]) }
        #expect(try repo.git("rev-parse", "HEAD") == head, sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/.git/index.lock"), sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/c.md"), sourceLocation: sourceLocation)
        #expect(!repo.repository.hasInterruptedWrite, sourceLocation: sourceLocation)
    }

    /// Deletes the loose object `revision` names (`HEAD:path`) from the object store.
    private func removeObject(_ revision: String, in repo: TestRepository) throws {
        let id = try repo.git("rev-parse", revision).trimmingCharacters(in: .whitespacesAndNewlines)
        let file = repo.path + "/.git/objects/" + id.prefix(2) + "/" + id.dropFirst(2)
        try FileManager.default.removeItem(atPath: file)
    }
}
