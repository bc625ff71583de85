import Foundation
internal import CGit2

extension GitRepository {
    /// The index as it is now, read while holding `index.lock`: by `IndexFile` when it can, else
    /// by libgit2 from a copy in the state folder (libgit2 cannot write an index whose lock it
    /// does not own, so the copy is what it rewrites; its bytes then go into our lock).
    func openStaging() throws -> Staging {
        let path = gitDirectory + "/index"
        switch try IndexFile.read(path) {
        case .parsed(let file): return .file(file)
        case .missing: return .file(IndexFile.empty)
        case .unsupported:
            try makeFolder(stateFolder)
            let copy = stateFolder + "/index.work"
            unlink(copy)
            do {
                try FileManager.default.copyItem(atPath: path, toPath: copy)
            } catch {
                throw GitStoreError.io(path: copy, message: error.localizedDescription)
            }
            var out: OpaquePointer?
            try check(git_index_open(&out, copy))
            return .library(GitIndex(out!, owner: handle), copy: copy)
        }
    }

    /// Writes the index with `removing` gone and `adding` put in place into `lock`, flushes it
    /// and renames it over the index.
    func writeIndex(_ staging: Staging, removing: [String], adding: [IndexFile.NewEntry], into lock: GitLockFile) throws {
        switch staging {
        case .file(let file):
            try lock.write(file.updated(removing: removing, adding: adding))
        case .library(let index, let copy):
            defer { unlink(copy) }
            for path in removing { try check(git_index_remove_bypath(index.pointer, path)) }
            for entry in adding {
                let result = entry.path.withCString { path -> Int32 in
                    var record = git_index_entry()
                    let info = entry.stat
                    record.ctime = git_index_time(seconds: Int32(truncatingIfNeeded: info.st_ctim.tv_sec), nanoseconds: UInt32(info.st_ctim.tv_nsec))
                    record.mtime = git_index_time(seconds: Int32(truncatingIfNeeded: info.st_mtim.tv_sec), nanoseconds: UInt32(info.st_mtim.tv_nsec))
                    record.dev = UInt32(truncatingIfNeeded: info.st_dev)
                    record.ino = UInt32(truncatingIfNeeded: info.st_ino)
                    record.mode = (entry.executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB).rawValue
                    record.uid = info.st_uid
                    record.gid = info.st_gid
                    record.file_size = UInt32(truncatingIfNeeded: info.st_size)
                    withUnsafeMutableBytes(of: &record.id.id) { $0.copyBytes(from: entry.blob) }
                    record.path = path
                    return git_index_add(index.pointer, &record)
                }
                try check(result)
            }
            try check(git_index_write(index.pointer))
            guard let bytes = FileManager.default.contents(atPath: copy) else {
                throw GitStoreError.io(path: copy, message: "cannot read the index libgit2 wrote")
            }
            try lock.write(bytes)
        }
        try lock.commit()
    }

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
}
