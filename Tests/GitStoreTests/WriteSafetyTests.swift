import Foundation
import Testing

@testable import GitStore

/// Locks and states a dead or older writer leaves, as the store meets them.
@Suite struct WriteSafetyTests {
    @Test func aWriterWaitingForAnotherSaysSoAndGivesUpNamingIt() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        // Another writer holding the lock (an open file description of its own, as another process has).
        let path = repo.path + "/.git/gitstore.lock"
        let holder = open(path, O_CREAT | O_RDWR, 0o644)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX) == 0)
        _ = "pid 4242 host elsewhere since 0\n".withCString { pwrite(holder, $0, strlen($0), 0) }
        let notices = Notices()
        repo.repository.onNotice = { notices.add($0) }
        repo.repository.writerLockTimeout = 1.5
        #expect(throws: GitStoreError.lockHeld(path: path, holder: "another writer (pid 4242 on elsewhere)", seconds: 1)) {
            try repo.commit(["b.md": "b\n"])
        }
        #expect(notices.values == [.waiting(lock: path, holder: "another writer (pid 4242 on elsewhere)")])
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/b.md"))
    }

    @Test func aStagedCopyThatIsAnOlderCommittedVersionIsReplacedNotReportedAsTheUsersWork() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["doc.md": "one\n"])
        try repo.commit(["doc.md": "two\n", "new.md": "new\n"])
        // What an older version left when killed after moving the branch: index (and files) one commit behind.
        try repo.git("read-tree", "HEAD~1")
        try repo.write("doc.md", "one\n")
        try FileManager.default.removeItem(atPath: repo.path + "/new.md")
        let notices = Notices()
        repo.repository.onNotice = { notices.add($0) }
        try repo.commit(["doc.md": "three\n", "new.md": "newer\n"])
        #expect(notices.values == [.restoredStaleEntry(path: "doc.md"), .restoredStaleEntry(path: "new.md")])
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try repo.git("show", "HEAD:doc.md") == "three\n")
        // A real edit made on the old copy is the user's: refused, never overwritten.
        try repo.git("read-tree", "HEAD~1")
        try repo.write("doc.md", "two, and my edit\n")
        #expect(throws: GitStoreError.editedOlderVersion(path: "doc.md")) { try repo.commit(["doc.md": "four\n"]) }
        #expect(try repo.read("doc.md") == "two, and my edit\n")
    }
}

/// Notices gathered by a test. `@unchecked Sendable`: every access holds the lock.
final class Notices: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [WriteNotice] = []
    func add(_ notice: WriteNotice) { lock.withLock { list.append(notice) } }
    var values: [WriteNotice] { lock.withLock { list } }
}
