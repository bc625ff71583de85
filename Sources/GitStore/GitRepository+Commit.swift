import Foundation
internal import CGit2

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

    /// Every file below `folder` in this snapshot, sorted by path.
    public func files(under folder: String) throws -> [TreeFile] {
        guard let commit else { return [] }
        return try repository.files(under: folder, at: commit)
    }
}

extension GitRepository {
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
    @discardableResult
    public func commit(
        _ message: @autoclosure () -> CommitMessage,
        author: Signature,
        build: (Snapshot) throws -> [FileChange]
    ) throws -> ObjectID? {
        let lock = try WriterLock(path: gitDirectory + "/ops.lock")
        defer { lock.release() }

        for _ in 0..<Self.maximumAttempts {
            let head = try self.head()
            guard let branch = head.branch else { throw GitStoreError.detachedHead }
            let parent = try head.commit.map { try GitCommit.lookup($0.oid, in: handle) }
            let parentTree = try parent?.tree()
            let snapshot = Snapshot(repository: self, tree: parentTree, commit: head.commit)

            let changes = try effectiveChanges(try build(snapshot), against: parentTree)
            if changes.isEmpty { return nil }
            let landed = try land(changes, on: branch, from: parent, baseTree: parentTree) { treeID in
                try writeCommit(message(), author: author, tree: treeID, parents: parent.map { [$0] } ?? [])
            }
            if let landed { return ObjectID(landed) }
        }
        throw GitStoreError.tooManyRetries(attempts: Self.maximumAttempts)
    }

    /// Writes `changes` on top of `baseTree`, makes the commit `makeCommit` returns for the new tree,
    /// and moves `branch` to it only if it still points at `parent` (compare-and-swap). The work
    /// tree files are renamed into place and their index entries updated only after the branch
    /// moved, and never over the user's uncommitted edits. Returns nil when another writer moved
    /// the branch first; nothing was changed then.
    func land(_ changes: [FileChange], on branch: String, from parent: GitCommit?, baseTree: GitTree?,
              log: String = "commit (ops)", makeCommit: (git_oid) throws -> git_oid) throws -> git_oid? {
        try refuseWritesBeyondLinks(changes)
        let index = try workTree == nil ? nil : openStaging()
        if let index { try refuseUncommittedEdits(changes, tree: baseTree, index: index) }

        let staged = try WorkTreeWrite(root: workTree, changes: changes)
        do {
            let treeID = try writeTree(changes, base: baseTree)
            let commitID = try makeCommit(treeID)
            guard try moveBranch(branch, to: commitID, from: parent?.id, log: log) else {
                staged.discard()
                return nil
            }
            try staged.commit()
            if let index { try updateIndex(index, for: changes) }
            return commitID
        } catch {
            staged.discard()
            throw error
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
                   try tree?.entryMode(at: change.path) == change.fileMode { continue }
                result.append(change)
            }
        }
        return result.sorted { $0.path < $1.path }
    }

    private func hashBlob(_ content: Data) throws(GitError) -> git_oid {
        var oid = git_oid()
        let result = content.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        try check(result)
        return oid
    }

    /// The index a commit checks and updates: read by `IndexFile` when it can, else by libgit2.
    func openStaging() throws(GitError) -> Staging {
        if let file = IndexFile.read(gitDirectory + "/index") { return .file(file) }
        return .library(try openIndex())
    }

    func openIndex() throws(GitError) -> GitIndex {
        var out: OpaquePointer?
        try check(git_repository_index(&out, handle.pointer))
        let index = GitIndex(out!, owner: handle)
        // Rereads only when the file changed on disk since libgit2 loaded it (another process
        // wrote it meanwhile); reading the whole index is the one cost that grows with size.
        try check(git_index_read(index.pointer, 0))
        return index
    }

    /// Refuses when the user has staged or unstaged edits in a file this commit would change.
    private func refuseUncommittedEdits(_ changes: [FileChange], tree: GitTree?, index: Staging) throws {
        guard let root = workTree else { return }
        for change in changes {
            let committed = try tree?.entryID(at: change.path)
            if index.isConflicted(change.path) {
                throw GitStoreError.uncommittedChanges(path: change.path, detail: "has an unresolved merge conflict")
            }
            if !git_oid_equal_or_nil(index.stagedID(of: change.path), committed) {
                throw GitStoreError.uncommittedChanges(path: change.path, detail: "has staged changes")
            }
            let full = root + "/" + change.path
            var info = stat()
            if lstat(full, &info) != 0 {
                if committed != nil {
                    throw GitStoreError.uncommittedChanges(path: change.path, detail: "was deleted in the work tree")
                }
                continue
            }
            if (info.st_mode & S_IFMT) != S_IFREG {
                throw GitStoreError.uncommittedChanges(path: change.path, detail: "is not a plain file in the work tree")
            }
            var onDisk = git_oid()
            try check(git_repository_hashfile(&onDisk, handle.pointer, full, GIT_OBJECT_BLOB, change.path))
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

    func writeCommit(_ message: CommitMessage, author: Signature, tree treeID: git_oid, parents parentCommits: [GitCommit]) throws -> git_oid {
        let signature = try makeSignature(author)
        let tree = try GitTree.lookup(treeID, in: handle)
        var out = git_oid()
        var parents: [OpaquePointer?] = parentCommits.map { $0.pointer }
        let result = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&out, handle.pointer, nil, signature.pointer, signature.pointer, "UTF-8",
                              message.text, tree.pointer, buffer.count, buffer.baseAddress)
        }
        try check(result)
        return out
    }

    func makeSignature(_ author: Signature) throws -> GitSignatureHandle {
        if author.name.contains("\0") || author.email.contains("\0") {
            throw GitStoreError.invalidPath("author contains a NUL byte")
        }
        var out: UnsafeMutablePointer<git_signature>?
        let seconds = git_time_t(author.date.timeIntervalSince1970.rounded(.down))
        try check(git_signature_new(&out, author.name, author.email, seconds, Int32(author.offsetMinutes)))
        return GitSignatureHandle(out!)
    }

    /// Moves the branch from `old` to `new` only if it still points at `old` (compare-and-swap).
    /// Returns false when another writer moved it first.
    func moveBranch(_ branch: String, to new: git_oid, from old: git_oid?, log: String = "commit (ops)") throws -> Bool {
        var reference: OpaquePointer?
        var target = new
        let result: Int32
        if var expected = old {
            // HEAD itself is symbolic, so the compare-and-swap goes to the branch it names.
            result = git_reference_create_matching(&reference, handle.pointer, branch, &target, 1, &expected, log)
        } else {
            result = git_reference_create(&reference, handle.pointer, branch, &target, 0, log)
        }
        if let reference { git_reference_free(reference) }
        if result == GIT_EMODIFIED.rawValue || result == GIT_EEXISTS.rawValue || result == GIT_ELOCKED.rawValue {
            return false
        }
        try check(result)
        return true
    }

    /// Stages exactly the committed paths, so `git status` is clean for them and nothing else moves.
    /// Each entry is the committed blob with the stat of the file just renamed into place, as
    /// `git add` would record it, without reading, hashing or storing the file a second time.
    private func updateIndex(_ staging: Staging, for changes: [FileChange]) throws {
        switch staging {
        case .library(let index):
            try updateIndex(index, for: changes)
        case .file:
            if try !updateIndexFile(for: changes) { try updateIndex(openIndex(), for: changes) }
        }
    }

    /// The index rewritten by `IndexFile` (read again under Git's lock, so a `git add` that
    /// landed meanwhile is kept); false when it turned out to be one for libgit2 after all.
    private func updateIndexFile(for changes: [FileChange]) throws -> Bool {
        guard let root = workTree else { return true }
        var added: [IndexFile.NewEntry] = []
        var removed: [String] = []
        for change in changes {
            guard let content = change.content else {
                removed.append(change.path)
                continue
            }
            var info = stat()
            guard lstat(root + "/" + change.path, &info) == 0 else { return false }
            var blob = try hashBlob(content)
            let bytes = withUnsafeBytes(of: &blob.id) { Array($0) }
            added.append(IndexFile.NewEntry(path: change.path, blob: bytes, stat: info, executable: change.isExecutable))
        }
        let path = gitDirectory + "/index", lockPath = path + ".lock"
        for attempt in 0..<200 {
            let descriptor = Glibc.open(lockPath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o666)
            if descriptor < 0 {
                guard errno == EEXIST, attempt < 199 else {
                    throw GitStoreError.io(path: lockPath, message: String(cString: strerror(errno)))
                }
                usleep(10_000)  // git itself holds index.lock; it is released within milliseconds
                continue
            }
            guard let file = IndexFile.read(path) else {
                close(descriptor)
                unlink(lockPath)
                return false
            }
            let failure = writeAll(descriptor, file.updated(removing: removed, adding: added))
            close(descriptor)
            if let failure {
                unlink(lockPath)
                throw GitStoreError.io(path: lockPath, message: failure)
            }
            guard rename(lockPath, path) == 0 else {
                let message = String(cString: strerror(errno))
                unlink(lockPath)
                throw GitStoreError.io(path: path, message: message)
            }
            return true
        }
        return true
    }

    private func updateIndex(_ index: GitIndex, for changes: [FileChange]) throws {
        guard let root = workTree else { return }
        var blobs: [git_oid?] = []
        for change in changes { blobs.append(try change.content.map { content throws(GitError) in try hashBlob(content) }) }
        for attempt in 0..<200 {
            try check(git_index_read(index.pointer, 0))
            for (change, blob) in zip(changes, blobs) {
                guard let blob else {
                    try check(git_index_remove_bypath(index.pointer, change.path))
                    continue
                }
                var info = stat()
                guard lstat(root + "/" + change.path, &info) == 0 else {
                    try check(git_index_add_bypath(index.pointer, change.path))  // let libgit2 say what is wrong
                    continue
                }
                let result = change.path.withCString { path -> Int32 in
                    var entry = git_index_entry()
                    entry.ctime = git_index_time(seconds: Int32(truncatingIfNeeded: info.st_ctim.tv_sec), nanoseconds: UInt32(info.st_ctim.tv_nsec))
                    entry.mtime = git_index_time(seconds: Int32(truncatingIfNeeded: info.st_mtim.tv_sec), nanoseconds: UInt32(info.st_mtim.tv_nsec))
                    entry.dev = UInt32(truncatingIfNeeded: info.st_dev)
                    entry.ino = UInt32(truncatingIfNeeded: info.st_ino)
                    entry.mode = (change.isExecutable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB).rawValue
                    entry.uid = info.st_uid
                    entry.gid = info.st_gid
                    entry.file_size = UInt32(truncatingIfNeeded: info.st_size)
                    entry.id = blob
                    entry.path = path
                    return git_index_add(index.pointer, &entry)
                }
                try check(result)
            }
            let result = git_index_write(index.pointer)
            if result == GIT_ELOCKED.rawValue, attempt < 199 {
                usleep(10_000)  // git itself holds index.lock; it is released within milliseconds
                continue
            }
            try check(result)
            return
        }
    }
}

/// Work-tree files written to temp files first, then renamed into place once the commit landed.
private struct WorkTreeWrite {
    private var staged: [(temp: String, target: String)] = []
    private var deletions: [String] = []
    private var createdFolders: [String] = []

    init(root: String?, changes: [FileChange]) throws {
        guard let root else { return }
        do {
            for change in changes {
                let target = root + "/" + change.path
                guard let content = change.content else {
                    deletions.append(target)
                    continue
                }
                let folder = (target as NSString).deletingLastPathComponent
                try makeFolders(folder)
                let temp = folder + "/.ops-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
                // A plain create: the rename into place after the commit is what makes it atomic.
                try Self.create(temp, content, path: change.path)
                if change.isExecutable { chmod(temp, 0o755) }
                staged.append((temp, target))
            }
        } catch {
            discard()
            throw error
        }
    }

    private static func create(_ temp: String, _ content: Data, path: String) throws {
        let descriptor = Glibc.open(temp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw GitStoreError.io(path: path, message: "cannot write \(temp): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        if let failure = writeAll(descriptor, content) {
            unlink(temp)
            throw GitStoreError.io(path: path, message: "cannot write \(temp): \(failure)")
        }
    }

    private mutating func makeFolders(_ folder: String) throws {
        var missing: [String] = []
        var current = folder
        while !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for path in missing.reversed() {
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw GitStoreError.io(path: path, message: String(cString: strerror(errno)))
            }
            createdFolders.append(path)
        }
    }

    func commit() throws {
        for (temp, target) in staged where rename(temp, target) != 0 {
            throw GitStoreError.io(path: target, message: String(cString: strerror(errno)))
        }
        for target in deletions {
            if unlink(target) != 0 && errno != ENOENT {
                throw GitStoreError.io(path: target, message: String(cString: strerror(errno)))
            }
            removeEmptyFolders(from: (target as NSString).deletingLastPathComponent)
        }
    }

    func discard() {
        for (temp, _) in staged { unlink(temp) }
        for folder in createdFolders.reversed() { rmdir(folder) }
    }

    private func removeEmptyFolders(from folder: String) {
        var current = folder
        while rmdir(current) == 0 {
            current = (current as NSString).deletingLastPathComponent
        }
    }
}

/// An exclusive lock that serialises ops writers on one clone; the kernel drops it if the process dies.
final class WriterLock {
    private var descriptor: Int32

    init(path: String) throws {
        descriptor = Glibc.open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw GitStoreError.io(path: path, message: String(cString: strerror(errno)))
        }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw GitStoreError.io(path: path, message: message)
        }
    }

    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

/// Writes every byte of `content` to `descriptor`; the system's reason when it cannot.
private func writeAll(_ descriptor: Int32, _ content: some DataProtocol & ContiguousBytes) -> String? {
    content.withUnsafeBytes { buffer -> String? in
        var written = 0
        while written < buffer.count {
            let count = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return String(cString: strerror(errno)) }
            written += count
        }
        return nil
    }
}
