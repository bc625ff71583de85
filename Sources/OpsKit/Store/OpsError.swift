import Foundation
import GitStore

/// A failure the user must act on: one line saying what, where, and what to do next.
public struct OpsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of failure, which decides the exit code (docs/DESIGN.md §9).
    public enum Kind: Sendable, Equatable {
        /// Bad input or usage: exit 2.
        case input
        /// The repository or Git failed, or is in a state ops will not touch: exit 3.
        case repository
    }

    public let kind: Kind
    /// The file and line at fault, when a file is.
    public let location: Location?
    /// What happened and what to do, without the location.
    public let detail: String

    /// The one line shown to the user: `path:line: detail` or just the detail.
    public var message: String { (location?.prefix ?? "") + detail }
    public var description: String { message }

    public var exitCode: Int32 {
        switch kind {
        case .input: return 2
        case .repository: return 3
        }
    }

    public init(_ kind: Kind, _ detail: String, at location: Location? = nil) {
        self.kind = kind
        self.detail = detail
        self.location = location
    }

    public static func input(_ message: String) -> OpsError { OpsError(.input, message) }
    public static func repository(_ message: String) -> OpsError { OpsError(.repository, message) }

    /// A problem in a file, as `path:line: problem`, with what to do when there is something to say.
    public static func file(_ path: String, line: Int?, _ problem: String, fix: String? = nil) -> OpsError {
        OpsError(.input, problem + (fix.map { ". \($0)" } ?? ""), at: Location(path: path, line: line))
    }

    /// Turns the store's and libgit2's errors into one-line messages that say what to do.
    public static func from(_ error: Error) -> OpsError {
        switch error {
        case let error as OpsError:
            return error
        case let error as GitStoreError:
            return from(error)
        case let error as GitError:
            return .repository("Git failed: \(error.message)")
        default:
            return .repository("\(error)")
        }
    }

    /// What `body` returns, or what it throws as `from(_:)` words it: around calls into GitStore,
    /// so that its errors reach the user as one line that says what to do.
    static func wrapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw from(error)
        }
    }

    private static func from(_ error: GitStoreError) -> OpsError {
        switch error {
        case .notARepository(let path):
            return .repository("\(path) is not a Git repository. Run `ops init \(path)` to make it an ops repository")
        case .notOwner(let path):
            return .repository(
                "\(path) belongs to another user, so Git will not open it. If you trust it, run: git config --global --add safe.directory \(path)")
        case .uncommittedChanges(let path, let detail) where detail == "has staged changes":
            return .repository(
                "\(path) has staged changes of yours, and ops will not overwrite them. See them with git diff --cached -- \(path); commit them or unstage them (git restore --staged -- \(path)), then run the command again"
            )
        case .uncommittedChanges(let path, let detail):
            return .repository("\(path) \(detail), and ops will not overwrite your work. Commit or stash it (git stash), then run the command again")
        case .editedOlderVersion(let path):
            return .repository(
                "\(path) has edits made on an older version of it (the last commit has a newer one), and ops will not overwrite them. See them with git diff HEAD -- \(path); copy out what you need, run git restore --source=HEAD --staged --worktree -- \(path), then run the command again"
            )
        case .lockHeld(let path, let holder, let seconds) where holder == "git":
            return .repository(
                "\(path) has existed for \(seconds) s and no ops writer holds it: a git command is running (an open commit message editor?) or one was killed. Nothing was written. Finish that git command; if none is running, remove the lock (rm -f '\(path)') and run the command again"
            )
        case .lockHeld(let path, let holder, let seconds):
            return .repository(
                "\(holder) has held \(path) for over \(seconds) s. Nothing was written; run the command again when it has finished, and stop that process if it hangs"
            )
        case .corruptIndex(let path):
            return .repository(
                "\(path) is damaged (its checksum does not match), so ops will not write over it. Nothing was written. Rebuild it from the last commit, keeping your files as they are: rm -f '\(path)' && git reset, then run the command again"
            )
        case .unfinished(let commit, let path, let message):
            return .repository(
                "the change is committed (\(commit.short)), but the files in \(path) could not be brought to it: \(message). Nothing is lost: once that is fixed, the next ops command finishes it"
            )
        case .detachedHead:
            return .repository("HEAD is detached, so there is no branch to commit to. Switch to a branch first (git switch main)")
        case .shallowHistory(let commit):
            return .repository(
                "this clone's history ends at \(commit.short) (a shallow clone), and the answer lies further back. Fetch the whole history (git fetch --unshallow), or clone without --depth"
            )
        case .invalidPath(let path):
            return .input("'\(path)' is not a safe path inside the repository")
        case .beyondSymbolicLink(let path, let link):
            return .input(
                "\(path) is beyond a symbolic link (\(link)), and ops writes only inside the repository, as Git does. "
                    + "Nothing was written. Replace the link with a folder holding the same files, then run the command again")
        case .io(let path, let message):
            return .repository("cannot write \(path): \(message)")
        case .tooManyRetries(let attempts):
            return .repository("other writers kept moving the branch; gave up after \(attempts) attempts. Nothing was written; run the command again")
        case .unsupportedEntry(let path):
            return .repository(
                "\(path) is a symbolic link or submodule, which ops sync does not write. Nothing was changed; merge with git (git pull --no-rebase), then run ops sync again"
            )
        case .noSuchRemote(let name):
            return .input("there is no remote named '\(name)'. Add one: git remote add \(name) URL, or pass --remote NAME")
        case .remoteFailed(let remote, let message):
            return .repository("cannot reach \(remote): \(message). Your commits are kept; run ops sync again when it is reachable")
        case .hostKeyRejected(let message):
            return .repository(message)
        }
    }
}

/// A place in a file, for messages: `path:line: `.
public struct Location: Sendable, Equatable, Hashable, Comparable {
    public var path: String
    public var line: Int?

    public init(path: String, line: Int?) {
        self.path = path
        self.line = line
    }

    public var prefix: String { line.map { "\(path):\($0): " } ?? "\(path): " }

    public static func < (a: Location, b: Location) -> Bool {
        (a.path, a.line ?? 0) < (b.path, b.line ?? 0)
    }
}
