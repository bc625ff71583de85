internal import CGit2
public import Foundation

/// A read-only view of the commit a change is built on.
public struct Snapshot {
    let repository: GitRepository
    let tree: GitTree?
    /// The parent commit, nil while the branch has no commits yet.
    public let commit: ObjectID?

    /// The content of `path` in this snapshot, nil when absent.
    public func read(_ path: String) throws -> Data? {
        try repository.validate(path)
        guard let tree, let id = try tree.entryID(at: path) else { return nil }
        return try repository.blobContent(id)
    }

    /// The id of what is at `path` in this snapshot (a file's blob, a folder's tree), nil when absent.
    public func entryID(_ path: String) throws -> ObjectID? {
        try repository.validate(path)
        return try tree?.entryID(at: path).map(ObjectID.init)
    }

    /// Every file below `folder` in this snapshot, sorted by path.
    public func files(under folder: String) throws -> [TreeFile] {
        guard let commit else { return [] }
        return try repository.files(under: folder, at: commit)
    }
}

extension GitRepository {
    /// A read-only view of the commit HEAD names now.
    public func headSnapshot() throws -> Snapshot {
        let commit = try head().commit
        return Snapshot(repository: self, tree: try commit.map { try GitCommit.lookup($0.oid, in: handle).tree() }, commit: commit)
    }

    /// How many times a commit is rebuilt when the branch moved underneath it.
    static let maximumAttempts = 50

    /// Commits the changes `build` returns as one commit on the current branch.
    ///
    /// `build` reads the parent commit through the snapshot and returns the files to write or
    /// delete; it runs again on the new parent when another writer moved the branch meanwhile
    /// (compare-and-swap), so concurrent writers all land. Files whose content would not change
    /// are dropped; when nothing is left, no commit is made and nil is returned. The message is
    /// read after `build`, so it can tell what the build found.
    /// Work-tree files are written atomically (temp file + rename) and only their index entries
    /// are updated, so the user's other staged and unstaged changes stay exactly as they were.
    /// A file that the user changed and did not commit is never overwritten: the commit is refused.
    /// Whenever the process is killed, the next write finds the whole change or none of it
    /// (see `land`).
    ///
    /// `prepared` is called with each commit made, after the commit object is written and before
    /// the intent record is written and the branch moves, so a caller can record what must happen
    /// once the commit lands (a message to send) and tell later, by asking `isInHistory`, whether
    /// it did. After a compare-and-swap retry it is called again with the new commit. When it
    /// throws, nothing is committed and the error is rethrown.
    ///
    /// `sign`, when given, signs the commit as `git commit -S` does: it gets the commit object's
    /// bytes and returns the signature (`ssh-keygen -Y sign`'s or `gpg -bsa`'s armored text),
    /// which becomes the commit's `gpgsig` header. When it throws, nothing is committed.
    @discardableResult
    public func commit(
        _ message: @autoclosure () -> CommitMessage,
        author: Signature,
        sign: ((Data) throws -> String)? = nil,
        prepared: (ObjectID) throws -> Void = { _ in },
        build: (Snapshot) throws -> [FileChange]
    ) throws -> ObjectID? {
        try writeOnBranch { branch, head in
            let parent = try head.map { try GitCommit.lookup($0.oid, in: handle) }
            let parentTree = try parent?.tree()
            let snapshot = Snapshot(repository: self, tree: parentTree, commit: head)

            let changes = try effectiveChanges(try build(snapshot), against: parentTree)
            if changes.isEmpty { return .done(nil) }
            let landed = try land(changes, on: branch, from: parent, baseTree: parentTree, log: reflogMessage("commit")) { treeID in
                let commitID = try writeCommit(message(), author: author, tree: treeID, parents: parent.map { [$0] } ?? [], sign: sign)
                try prepared(ObjectID(commitID))
                return commitID
            }
            if let landed { return .done(ObjectID(landed)) }
            return .branchMoved
        }
    }

    /// What one attempt at a write did: it finished, or another writer moved the branch after it
    /// was read, and it changed nothing.
    enum WriteAttempt<Result> {
        case done(Result)
        case branchMoved
    }

    /// Runs `attempt` under the writers' lock with the current branch and the commit it points at
    /// (nil while unborn), and again on the new commit while another writer moves the branch first
    /// (compare-and-swap), at most `maximumAttempts` times. A detached HEAD has no branch to write to.
    func writeOnBranch<Result>(_ attempt: (_ branch: String, _ head: ObjectID?) throws -> WriteAttempt<Result>) throws -> Result {
        let lock = try lockWriters()
        defer { lock.release() }

        for _ in 0..<Self.maximumAttempts {
            let head = try self.head()
            guard let branch = head.branch else { throw GitStoreError.detachedHead }
            if case .done(let result) = try attempt(branch, head.commit) { return result }
        }
        throw GitStoreError.tooManyRetries(attempts: Self.maximumAttempts)
    }

    /// Writes `changes` on top of `baseTree`, makes the commit `makeCommit` returns for the new tree,
    /// and moves `branch` to it only if it still points at `parent` (compare-and-swap). Returns nil
    /// when another writer moved the branch first; nothing was changed then.
    ///
    /// The order makes the write atomic from the user's side. Objects are written (and flushed)
    /// first. Git's `index.lock` is taken before the branch moves and held until the index holds
    /// the new commit, so a plain `git commit` cannot run in between and commit the old files.
    /// Under it, the index is read and the user's uncommitted edits are refused; an intent record
    /// (`.git/<writerName>/intent`) names the commit, the parent and the temp files; then the branch
    /// moves, the temp files are renamed into place, the index is written and flushed, and the
    /// record is removed. A writer killed anywhere in between leaves the record: the next one
    /// finishes the work when the branch moved, and removes every trace when it did not.
    func land(
        _ changes: [FileChange], on branch: String, from parent: GitCommit?, baseTree: GitTree?,
        log: String, makeCommit: (git_oid) throws -> git_oid
    ) throws -> git_oid? {
        try refuseWritesBeyondLinks(changes)
        let treeID = try writeTree(changes, base: baseTree)
        let commitID = try makeCommit(treeID)
        guard let root = workTree else {
            return try moveBranch(branch, to: commitID, from: parent?.id, log: log) ? commitID : nil
        }
        let lock = try GitLockFile.acquire(
            gitDirectory + "/index", state: writerName, stateFolder: stateFolder,
            patience: lockPatience, notice: onNotice)
        var files: WorkTreeWrite?
        var moved = false
        do {
            let staging = try openStaging()
            try refuseUncommittedEdits(changes, tree: baseTree, index: staging)
            var write = try WorkTreeWrite(root: root, changes: changes, tempPrefix: ".\(writerName)-")
            try writeIntent(
                WriteIntent(
                    branch: branch, parent: parent.map { ObjectID($0.id) }, commit: ObjectID(commitID),
                    indexLock: lock.identity, files: write.plannedFiles))
            try write.create()
            files = write
            guard try moveBranch(branch, to: commitID, from: parent?.id, log: log) else {
                write.discard()
                removeIntent()
                lock.rollBack()
                return nil
            }
            moved = true
            let placed = try write.commit()
            try writeIndex(
                staging, removing: changes.filter { $0.content == nil }.map(\.path),
                adding: try placed.map { entry in
                    var blob = try hashBlob(entry.content)
                    return IndexFile.NewEntry(
                        path: entry.path, blob: withUnsafeBytes(of: &blob.id) { Array($0) },
                        stat: entry.stat, executable: entry.isExecutable)
                }, into: lock)
            removeIntent()
            return commitID
        } catch {
            guard moved else {
                files?.discard()
                removeIntent()
                lock.rollBack()
                throw error
            }
            // The commit is in; the intent record and index.lock stay, so no plain `git commit`
            // can commit the old files, and the next write finishes the work.
            lock.abandon()
            throw GitStoreError.unfinished(commit: ObjectID(commitID), path: root, message: "\(error)")
        }
    }

    /// Drops changes that leave a file as it is, and rejects unsafe or repeated paths.
    func effectiveChanges(_ changes: [FileChange], against tree: GitTree?) throws -> [FileChange] {
        var seen = Set<String>()
        var result: [FileChange] = []
        for change in changes {
            try validate(change.path)
            guard seen.insert(change.path).inserted else { throw GitStoreError.invalidPath(change.path) }
            let current = try tree?.entryID(at: change.path)
            switch change.content {
            case nil:
                if current != nil { result.append(change) }
            case let content?:
                if let current, git_oid_equal_or_nil(current, try hashBlob(content)),
                    try tree?.entryMode(at: change.path) == change.fileMode
                {
                    continue
                }
                result.append(change)
            }
        }
        return result.sorted { $0.path < $1.path }
    }

    func hashBlob(_ content: Data) throws(GitError) -> git_oid {
        var oid = git_oid()
        let result = content.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        try check(result)
        return oid
    }

    /// Builds the new tree from the parent's tree: only the changed paths' folders are rewritten,
    /// so the cost does not grow with the number of files in the repository.
    private func writeTree(_ changes: [FileChange], base: GitTree?) throws(GitError) -> git_oid {
        var blobs: [git_oid] = []
        for change in changes {
            var oid = git_oid()
            if let content = change.content {
                let result = content.withUnsafeBytes { git_blob_create_from_buffer(&oid, handle.pointer, $0.baseAddress, $0.count) }
                try check(result)
            }
            blobs.append(oid)
        }
        let paths = changes.map { strdup($0.path)! }
        defer { paths.forEach { free($0) } }
        var updates = changes.indices.map { i -> git_tree_update in
            var update = git_tree_update()
            update.action = changes[i].content == nil ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT
            update.id = blobs[i]
            update.filemode = changes[i].fileMode
            update.path = UnsafePointer(paths[i])
            return update
        }
        var out = git_oid()
        // With no baseline (first commit) libgit2 starts from an empty tree without writing one.
        try check(git_tree_create_updated(&out, handle.pointer, base?.pointer, updates.count, &updates))
        return out
    }

    func writeCommit(
        _ message: CommitMessage, author: Signature, tree treeID: git_oid, parents parentCommits: [GitCommit],
        sign: ((Data) throws -> String)? = nil
    ) throws -> git_oid {
        let signature = try makeSignature(author)
        let tree = try GitTree.lookup(treeID, in: handle)
        var out = git_oid()
        var parents: [OpaquePointer?] = parentCommits.map { $0.pointer }
        guard let sign else {
            let result = parents.withUnsafeMutableBufferPointer { buffer in
                git_commit_create(
                    &out, handle.pointer, nil, signature.pointer, signature.pointer, "UTF-8",
                    message.text, tree.pointer, buffer.count, buffer.baseAddress)
            }
            try check(result)
            return out
        }
        // Signed: the commit's bytes are built first, signed, and written with the signature.
        var raw = git_buf()
        let built = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create_buffer(
                &raw, handle.pointer, signature.pointer, signature.pointer, "UTF-8",
                message.text, tree.pointer, buffer.count, buffer.baseAddress)
        }
        var content = GitBuffer()
        content.raw = raw
        try check(built)
        var armored = try sign(content.data)
        // libgit2 continues the header on every line break: a final one would add an empty line.
        while armored.hasSuffix("\n") { armored.removeLast() }
        try check(git_commit_create_with_signature(&out, handle.pointer, content.text, armored, nil))
        return out
    }

    func makeSignature(_ author: Signature) throws -> GitSignatureHandle {
        if author.name.contains("\0") || author.email.contains("\0") {
            throw GitStoreError.invalidPath("author contains a NUL byte")
        }
        let seconds = git_time_t(author.date.timeIntervalSince1970.rounded(.down))
        return try owned(by: GitSignatureHandle.init) {
            git_signature_new(&$0, author.name, author.email, seconds, Int32(author.offsetMinutes))
        }
    }

    /// Moves the branch from `old` to `new` only if it still points at `old` (compare-and-swap).
    /// Returns false when another writer moved it first.
    func moveBranch(_ branch: String, to new: git_oid, from old: git_oid?, log: String) throws -> Bool {
        var target = new
        do throws(GitError) {
            _ = try owned(by: GitReference.init) { reference in
                if var expected = old {
                    // HEAD itself is symbolic, so the compare-and-swap goes to the branch it names.
                    return git_reference_create_matching(&reference, handle.pointer, branch, &target, 1, &expected, log)
                }
                return git_reference_create(&reference, handle.pointer, branch, &target, 0, log)
            }
            return true
        } catch {
            if error.isModified || error.isExisting { return false }
            guard error.isLocked else { throw error }
            // The ref lock is not another writer moving the branch: wait for Git, or clear a stale one.
            try clearRefLock(branch)
            return try moveBranch(branch, to: new, from: old, log: log)
        }
    }

    /// Waits while Git holds the lock of `branch`; a ref lock older than `lockPatience` seconds
    /// is stale (Git holds one only for the instant of an update) and is removed, saying so.
    func clearRefLock(_ branch: String) throws {
        let path = gitDirectory + "/" + branch + ".lock"
        var wait = GitLockFile.Wait(path, state: writerName, patience: lockPatience)
        guard wait.untilReleased(notice: onNotice) != nil else { return }
        unlink(path)
        onNotice(.removedStaleLock(path: path, reason: "older than \(Int(lockPatience)) s, and no writer holds the branch"))
    }

}
