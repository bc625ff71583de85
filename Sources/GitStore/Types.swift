public import Foundation

/// Who made a change, and when (the zone offset is kept so Git shows local time).
public struct Signature: Sendable, Equatable {
    public var name: String
    public var email: String
    public var date: Date
    public var offsetMinutes: Int

    public init(name: String, email: String, date: Date, offsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.date = date
        self.offsetMinutes = offsetMinutes
    }
}

/// One file to write (content) or delete (nil) in a commit, by its path in the repository.
public struct FileChange: Sendable, Equatable {
    public var path: String
    public var content: Data?
    /// Written with the executable bit (mode 100755), as Git records scripts.
    public var isExecutable: Bool

    public init(path: String, content: Data?, isExecutable: Bool = false) {
        self.path = path
        self.content = content
        self.isExecutable = isExecutable
    }

    public static func write(_ path: String, _ text: String) -> FileChange {
        FileChange(path: path, content: Data(text.utf8))
    }

    public static func delete(_ path: String) -> FileChange {
        FileChange(path: path, content: nil)
    }
}

/// A commit message: a subject line, an optional body, and `Key: value` trailers.
public struct CommitMessage: Sendable, Equatable {
    public var subject: String
    public var body: String
    public var trailers: [Trailer]

    public init(subject: String, body: String = "", trailers: [Trailer] = []) {
        self.subject = subject
        self.body = body
        self.trailers = trailers
    }

    /// The message as Git stores it: subject, blank line, body, blank line, trailers.
    public var text: String {
        var parts = [subject.replacingOccurrences(of: "\n", with: " ")]
        let trimmedBody = body.trimmingCharacters(in: .newlines)
        if !trimmedBody.isEmpty { parts.append(trimmedBody) }
        if !trailers.isEmpty {
            parts.append(
                trailers.map { "\($0.key): \($0.value.replacingOccurrences(of: "\n", with: " "))" }
                    .joined(separator: "\n"))
        }
        return parts.joined(separator: "\n\n") + "\n"
    }
}

/// A `Key: value` line at the end of a commit message.
public struct Trailer: Sendable, Equatable, Hashable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A commit as history shows it.
public struct CommitInfo: Sendable, Equatable {
    public var id: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var message: String
    public var trailers: [Trailer]
    /// When it was committed (the committer's date, which Git judges a signing key's validity at).
    public var committed = Date(timeIntervalSince1970: 0)

    /// The first line of the message.
    public var subject: String {
        String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// The value of the first trailer with this key (case-insensitive), as Git reads keys.
    public func trailer(_ key: String) -> String? {
        trailers.first { $0.key.caseInsensitiveCompare(key) == .orderedSame }?.value
    }
}

/// One version of a file in history: the commit that made it, and its blob (nil when deleted).
public struct PathRevision: Sendable, Equatable {
    public var commit: CommitInfo
    public var blob: ObjectID?
}

/// A file in a commit's tree: its path and blob id.
public struct TreeFile: Sendable, Equatable, Hashable {
    public var path: String
    public var blob: ObjectID

    public init(path: String, blob: ObjectID) {
        self.path = path
        self.blob = blob
    }
}

/// Where HEAD points: the branch (nil when detached) and its commit (nil while unborn).
public struct HeadState: Sendable, Equatable {
    public var branch: String?
    public var commit: ObjectID?
}

/// Failures of the store that are not libgit2's own: each names the path at fault.
public enum GitStoreError: Error, Sendable, Equatable {
    /// The folder is not inside a Git repository.
    case notARepository(path: String)
    /// libgit2's ownership check refused the repository (owned by another user).
    case notOwner(path: String)
    /// A file ops was about to change has edits of the user's that are not committed.
    case uncommittedChanges(path: String, detail: String)
    /// HEAD is detached, so there is no branch to commit to.
    case detachedHead
    /// History was needed beyond `commit`, where this shallow clone's history ends.
    case shallowHistory(commit: ObjectID)
    /// A path that is not a plain relative path inside the repository.
    case invalidPath(String)
    /// A file-system operation failed.
    case io(path: String, message: String)
    /// `path` lies below `link`, a symbolic link in the work tree: Git does not write through one.
    case beyondSymbolicLink(path: String, link: String)
    /// Other writers kept moving the branch; the change was not committed.
    case tooManyRetries(attempts: Int)
    /// A symbolic link or submodule that a sync would have to write; only plain files are.
    case unsupportedEntry(path: String)
    /// No remote of this name is configured.
    case noSuchRemote(name: String)
    /// The remote could not be reached or refused us; `message` is safe to show (no secrets).
    case remoteFailed(remote: String, message: String)
    /// The SSH host key check refused the server: unknown or changed key; `message` says which.
    case hostKeyRejected(message: String)
    /// The file has edits made on an older committed version (its staged copy is that version);
    /// HEAD has a newer one.
    case editedOlderVersion(path: String)
    /// A lock stayed held past the wait: by `holder` ("git", or a writer with its pid and host),
    /// for `seconds`. Nothing was written.
    case lockHeld(path: String, holder: String, seconds: Int)
    /// The index file fails its checksum; nothing was written.
    case corruptIndex(path: String)
    /// The commit landed, but the work tree or index could not be brought to it; the next
    /// write finishes that (its intent record is kept).
    case unfinished(commit: ObjectID, path: String, message: String)
}

/// Something a write did or waited for that the person running it should hear, in one line.
public enum WriteNotice: Sendable, Equatable {
    /// Waiting for a lock (said once, after a second).
    case waiting(lock: String, holder: String)
    /// A write interrupted after it committed was finished: work tree and index now hold `commit`.
    case completedInterruptedWrite(commit: ObjectID, pid: Int32)
    /// A write interrupted before it committed was undone: nothing of it is left.
    case rolledBackInterruptedWrite(pid: Int32)
    /// A lock file left by a dead process was removed.
    case removedStaleLock(path: String, reason: String)
    /// The staged copy of `path` was an older committed version (a write interrupted before the
    /// index was updated, by an older version); index and file were brought to the last commit.
    case restoredStaleEntry(path: String)
    /// `path` was edited after an interrupted write; the edit was left as it is.
    case keptEdit(path: String)
}
