internal import CGit2
import Foundation

// What a write checks in the work tree before it changes anything: that no file it would
// replace holds the user's uncommitted work, and that no path goes through a symbolic link.

extension GitRepository {
    /// Refuses when the user has staged or unstaged edits in a file this commit would change.
    /// One state is not the user's: a staged copy that is an older committed version of the file
    /// (left by a write of an older version killed before it updated the index). Committing it
    /// would revert the newer commit, so it is not refused: this write replaces it, and says so.
    func refuseUncommittedEdits(_ changes: [FileChange], tree: GitTree?, index: Staging) throws {
        guard let root = workTree else { return }
        for change in changes {
            let committed = try tree?.entryID(at: change.path)
            if index.isConflicted(change.path) {
                throw GitStoreError.uncommittedChanges(path: change.path, detail: "has an unresolved merge conflict")
            }
            let full = root + "/" + change.path
            let staged = index.stagedID(of: change.path)
            var onDisk: git_oid?
            var info = stat()
            if lstat(full, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFREG {
                    throw GitStoreError.uncommittedChanges(path: change.path, detail: "is not a plain file in the work tree")
                }
                var oid = git_oid()
                try check(git_repository_hashfile(&oid, handle.pointer, full, GIT_OBJECT_BLOB, change.path))
                onDisk = oid
            }
            if !git_oid_equal_or_nil(staged, committed) {
                guard try isOlderVersion(staged, of: change.path) else {
                    throw GitStoreError.uncommittedChanges(path: change.path, detail: "has staged changes")
                }
                // The file holds the same old copy, or already the committed one: nothing of the user's.
                guard git_oid_equal_or_nil(onDisk, staged) || git_oid_equal_or_nil(onDisk, committed) else {
                    throw GitStoreError.editedOlderVersion(path: change.path)
                }
                onNotice(.restoredStaleEntry(path: change.path))
                continue
            }
            guard let onDisk else {
                if committed != nil {
                    throw GitStoreError.uncommittedChanges(path: change.path, detail: "was deleted in the work tree")
                }
                continue
            }
            if committed == nil {
                // An untracked file in the way is the user's, unless it already holds what we write.
                if let content = change.content, git_oid_equal_or_nil(onDisk, try hashBlob(content)) { continue }
                throw GitStoreError.uncommittedChanges(path: change.path, detail: "exists in the work tree but is not committed")
            }
            if !git_oid_equal_or_nil(onDisk, committed) {
                throw GitStoreError.uncommittedChanges(path: change.path, detail: "has unstaged changes")
            }
        }
    }

    /// True when `blob` (nil: no file) is what `path` held in one of the last commits before HEAD
    /// on its first-parent line.
    private func isOlderVersion(_ blob: git_oid?, of path: String) throws -> Bool {
        guard let head = try head().commit else { return false }
        var commit = try GitCommit.lookup(head.oid, in: handle)
        for _ in 0..<50 {
            guard commit.parentCount > 0 else { return false }
            commit = try GitCommit.lookup(commit.parentID(0), in: handle)
            if git_oid_equal_or_nil(try commit.tree().entryID(at: path), blob) { return true }
        }
        return false
    }

    /// Refuses a change to a path below a symbolic link in the work tree, as Git does ("beyond a
    /// symbolic link"): a link to a folder elsewhere would make the rename land outside the
    /// repository, and the commit would record content the work tree does not hold. A folder
    /// that does not exist yet is fine; ops makes it. (The file itself being a link is refused
    /// with the user's uncommitted edits.)
    func refuseWritesBeyondLinks(_ changes: [FileChange]) throws {
        guard let root = workTree else { return }
        var checked = Set<String>()
        for change in changes {
            var folder = ""
            for part in change.path.split(separator: "/").dropLast() {
                folder += folder.isEmpty ? String(part) : "/" + part
                guard checked.insert(folder).inserted else { continue }
                var info = stat()
                guard lstat(root + "/" + folder, &info) == 0 else { break }
                if (info.st_mode & S_IFMT) == S_IFLNK {
                    throw GitStoreError.beyondSymbolicLink(path: change.path, link: folder)
                }
            }
        }
    }
}
