import Foundation

/// One of Git's lock files (`<file>.lock`), created by us: renamed over `<file>` to commit,
/// removed to roll back. It is born holding our marker line (written to a temp file in the
/// state folder and linked into place, so it is never seen empty), which tells a later writer
/// that a dead writer of ours left it.
final class GitLockFile {
    /// The lock file, `<target>.lock`.
    let path: String
    let target: String
    private var descriptor: Int32
    /// The lock file's identity, recorded in the intent so the file is known even once the
    /// marker has been overwritten with the new content.
    let identity: FileIdentity

    private init(path: String, target: String, descriptor: Int32, identity: FileIdentity) {
        self.path = path
        self.target = target
        self.descriptor = descriptor
        self.identity = identity
    }

    static func marker(_ state: String) -> String { "\(state)-writer pid \(getpid()) host \(hostName)\n" }

    /// Creates `<target>.lock`, waiting while Git holds it; throws `lockHeld` when Git's lock
    /// stays past `patience` seconds (a Git lock file is never removed for being old).
    static func acquire(
        _ target: String, state: String, stateFolder: String, patience: TimeInterval,
        notice: (WriteNotice) -> Void
    ) throws -> GitLockFile {
        let path = target + ".lock"
        try makeFolder(stateFolder)
        let temp = stateFolder + "/lock-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = Glibc.open(temp, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw GitStoreError.io(path: temp, message: String(cString: strerror(errno))) }
        defer { unlink(temp) }
        if let failure = writeAll(descriptor, Data(marker(state).utf8)) {
            close(descriptor)
            throw GitStoreError.io(path: temp, message: failure)
        }
        var wait = Wait(path, state: state, patience: patience)
        while link(temp, path) != 0 {
            guard errno == EEXIST else {
                let message = String(cString: strerror(errno))
                close(descriptor)
                throw GitStoreError.io(path: path, message: message)
            }
            if let age = wait.untilReleased(notice: notice) {
                close(descriptor)
                throw GitStoreError.lockHeld(path: path, holder: "git", seconds: Int(age))
            }
        }
        var info = stat()
        fstat(descriptor, &info)
        return GitLockFile(path: path, target: target, descriptor: descriptor, identity: FileIdentity(info))
    }

    /// Adopts a lock file that a dead writer of ours left (known by its identity), to finish its work.
    static func adopt(_ target: String, identity: FileIdentity) -> GitLockFile? {
        let path = target + ".lock"
        var info = stat()
        guard lstat(path, &info) == 0, FileIdentity(info) == identity else { return nil }
        let descriptor = Glibc.open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        return GitLockFile(path: path, target: target, descriptor: descriptor, identity: identity)
    }

    /// A wait for a lock file someone else holds, from its first sight; it says once that it waits.
    struct Wait {
        let path: String
        let state: String
        let patience: TimeInterval
        private let start = Date()
        private var said = false

        init(_ path: String, state: String, patience: TimeInterval) {
            self.path = path
            self.state = state
            self.patience = patience
        }

        /// Waits until the lock file is gone, removing one a dead writer of ours left (saying
        /// so), and returns nil; or returns the lock's age once it, or this wait, has lasted
        /// `patience` seconds.
        mutating func untilReleased(notice: (WriteNotice) -> Void) -> TimeInterval? {
            while true {
                switch examine(path, state: state) {
                case .gone:
                    return nil
                case .ours:
                    unlink(path)
                    notice(.removedStaleLock(path: path, reason: "left by an interrupted write"))
                    return nil
                case .foreign(let age):
                    let waited = Date().timeIntervalSince(start)
                    if max(age, waited) >= patience { return age }
                    if waited >= 1, !said {
                        notice(.waiting(lock: path, holder: "a git command"))
                        said = true
                    }
                    usleep(10_000)
                }
            }
        }
    }

    private enum Holder {
        case gone
        case ours
        /// Git's, or from another host; its age in seconds.
        case foreign(age: TimeInterval)
    }

    /// Whose the lock file at `path` is. Called only while holding the writer lock, so a
    /// lock marked by one of our writers on this host was left by a dead one.
    private static func examine(_ path: String, state: String) -> Holder {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT ? .gone : .foreign(age: 0) }
        defer { close(descriptor) }
        var info = stat()
        fstat(descriptor, &info)
        var buffer = [UInt8](repeating: 0, count: 300)
        let count = max(0, read(descriptor, &buffer, buffer.count))
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        let words = text.split(whereSeparator: \.isWhitespace)
        if words.count >= 5, words[0] == "\(state)-writer", words[1] == "pid", words[3] == "host", words[4] == hostName {
            return .ours
        }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return .foreign(age: max(0, Date().timeIntervalSince1970 - modified))
    }

    /// Replaces the lock's content with `content`, flushed to disk.
    func write(_ content: some DataProtocol & ContiguousBytes) throws {
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw GitStoreError.io(path: path, message: String(cString: strerror(errno)))
        }
        if let failure = writeAll(descriptor, content) { throw GitStoreError.io(path: path, message: failure) }
        guard fsync(descriptor) == 0 else { throw GitStoreError.io(path: path, message: String(cString: strerror(errno))) }
    }

    /// Renames the lock over its target, flushing the folder so the rename is on disk too.
    func commit() throws {
        close(descriptor)
        descriptor = -1
        guard rename(path, target) == 0 else { throw GitStoreError.io(path: target, message: String(cString: strerror(errno))) }
        syncFolder(of: target)
    }

    /// Removes the lock: the target stays as it was.
    func rollBack() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(path)
    }

    /// Closes the file but leaves the lock in place for the next writer to adopt.
    func abandon() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }
}

/// A file's device and inode: which file it is, whatever its name.
struct FileIdentity: Codable, Equatable {
    var device: UInt64
    var inode: UInt64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
