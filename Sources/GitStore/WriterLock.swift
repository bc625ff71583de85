import Foundation

// Two kinds of lock guard a write. The writer lock (`.git/<writerName>.lock`) serialises this
// library's writers on one clone; Git's own lock files (`index.lock`, `refs/heads/<b>.lock`)
// keep Git out while a write moves the branch and rewrites the index.
//
// When is a lock left by a dead process, and what is done about it:
// - The writer lock is an flock: the kernel drops it when its holder dies, so it is never
//   stale. Its holder writes pid and host into it, so a waiting writer can say who it waits for.
// - A Git lock file created by one of our writers carries a marker line (`<writerName>-writer
//   pid <n> host <h>`) or the file id the intent record names. We create Git locks only while
//   holding the writer lock, so when we hold it, a marked lock from this host is a dead
//   writer's: it is taken over (completed or rolled back with the intent record).
// - A Git lock without our mark is Git's. Git holds a ref lock only for the instant of an update,
//   so a ref lock that stays older than `lockPatience` seconds is stale: it is removed, and
//   the removal is said. Git holds `index.lock` for as long as a commit message editor or
//   `git add -p` is open, so that one is never removed: after `lockPatience` the write fails
//   before committing anything, naming the file and the exact command to remove it.
// - A writer that waits more than a second says so (the caller shows it on a terminal).

/// The host name, as recorded in lock files.
let hostName: String = {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}()

/// An exclusive lock that serialises writers on one clone; the kernel drops it if the process dies.
final class WriterLock {
    private var descriptor: Int32

    init(path: String, timeout: TimeInterval, notice: (WriteNotice) -> Void) throws {
        descriptor = Glibc.open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw GitStoreError.io(path: path, message: String(cString: strerror(errno)))
        }
        let start = Date()
        var said = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let message = String(cString: strerror(errno))
                close(descriptor)
                throw GitStoreError.io(path: path, message: message)
            }
            let waited = Date().timeIntervalSince(start)
            if waited >= 1, !said {
                notice(.waiting(lock: path, holder: Self.holder(descriptor)))
                said = true
            }
            if waited >= timeout {
                let holder = Self.holder(descriptor)
                close(descriptor)
                throw GitStoreError.lockHeld(path: path, holder: holder, seconds: Int(timeout))
            }
            usleep(20_000)
        }
        let record = "pid \(getpid()) host \(hostName) since \(Int(Date().timeIntervalSince1970))\n"
        _ = ftruncate(descriptor, 0)
        _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Who holds the lock, as its holder recorded it ("pid 1234 host laptop").
    private static func holder(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 200)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return "another writer" }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count >= 4, words[0] == "pid", words[2] == "host" else { return "another writer" }
        return "another writer (pid \(words[1]) on \(words[3]))"
    }

    func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

extension GitRepository {
    /// The folder of this library's own state in `.git` (see `writerName`).
    var stateFolder: String { gitDirectory + "/" + writerName }

    /// Takes the writer lock, then finishes or rolls back a write that a killed writer left.
    func lockWriters() throws -> WriterLock {
        let lock = try WriterLock(path: gitDirectory + "/" + writerName + ".lock", timeout: writerLockTimeout, notice: onNotice)
        do {
            try recoverInterruptedWrite()
        } catch {
            lock.release()
            throw error
        }
        return lock
    }
}
