internal import CGit2
import Foundation

/// What a write is about to do, in `.git/<writerName>/intent` from before the branch moves until the
/// work tree and index hold the new commit. A writer that finds one while holding the writer
/// lock knows its author was killed: it finishes the write when the branch moved, and removes
/// every trace of it when the branch did not (`recoverInterruptedWrite`).
struct WriteIntent: Codable {
    struct File: Codable {
        var path: String
        /// The temp file holding the new content, relative to the work tree; nil for a deletion.
        var temp: String?
    }

    var version = 1
    var pid: Int32 = getpid()
    var host: String = hostName
    /// The full name of the branch being moved (`refs/heads/main`).
    var branch: String
    var parent: String?
    var commit: String
    /// The `index.lock` the writer holds, known by its identity once its content is the new index.
    var indexLock: FileIdentity?
    var files: [File]

    init(branch: String, parent: ObjectID?, commit: ObjectID, indexLock: FileIdentity?, files: [File]) {
        self.branch = branch
        self.parent = parent?.hex
        self.commit = commit.hex
        self.indexLock = indexLock
        self.files = files
    }
}

extension GitRepository {
    var intentPath: String { stateFolder + "/intent" }

    /// True when a write was interrupted and not yet finished or rolled back (one stat).
    public var hasInterruptedWrite: Bool { access(intentPath, F_OK) == 0 }

    /// For commands that only read: finishes or rolls back an interrupted write, waiting for the
    /// writer lock as a write would. Does nothing (one stat) when no write was interrupted.
    public func recoverInterruptedWriteIfAny() throws {
        guard hasInterruptedWrite else { return }
        try lockWriters().release()
    }

    /// Writes the record durably (temp file, fsync, rename, fsync of the folder).
    func writeIntent(_ intent: WriteIntent) throws {
        try makeFolder(stateFolder)
        let data: Data
        do {
            data = try JSONEncoder().encode(intent)
        } catch {
            throw GitStoreError.io(path: intentPath, message: "\(error)")
        }
        let temp = intentPath + ".tmp"
        let descriptor = Glibc.open(temp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw GitStoreError.io(path: temp, message: String(cString: strerror(errno))) }
        let failure = writeAll(descriptor, data) ?? (fsync(descriptor) == 0 ? nil : String(cString: strerror(errno)))
        close(descriptor)
        if let failure { throw GitStoreError.io(path: temp, message: failure) }
        guard rename(temp, intentPath) == 0 else { throw GitStoreError.io(path: intentPath, message: String(cString: strerror(errno))) }
        syncFolder(of: intentPath)
    }

    func removeIntent() {
        unlink(intentPath)
    }

    /// Finishes or rolls back the write an intent record describes; called holding the writer
    /// lock, so the writer that left the record is dead. Every step can run again after another
    /// kill: the record goes last. A file the user edited since is never touched.
    func recoverInterruptedWrite() throws {
        removeLeftovers()
        guard let data = FileManager.default.contents(atPath: intentPath) else { return }
        // Written by rename, so never torn: a record that does not read, or that names a branch
        // or a file no write of this store would (a hand edit: `../` out of the work tree), is
        // not ours to follow. Nothing it names is touched.
        guard let intent = try? JSONDecoder().decode(WriteIntent.self, from: data), let commit = ObjectID(hex: intent.commit),
            isOwnBranch(intent.branch), intent.files.allSatisfy(isOwnFile)
        else {
            removeIntent()
            return
        }
        let parent = intent.parent.flatMap { ObjectID(hex: $0) }

        // The dead writer's ref lock holds nothing yet, or the commit it was moving the branch to.
        let refLock = gitDirectory + "/" + intent.branch + ".lock"
        if let content = FileManager.default.contents(atPath: refLock) {
            let text = String(decoding: content, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty || text == commit.hex {
                unlink(refLock)
                onNotice(.removedStaleLock(path: refLock, reason: "left by an interrupted write"))
            }
        }
        var tipID = git_oid()
        let tip = try found(git_reference_name_to_id(&tipID, handle.pointer, intent.branch)) ? ObjectID(tipID) : nil
        var landed = tip == commit
        // A commit the store does not have (a record edited by hand) never landed.
        if let tip, !landed, try hasCommit(commit) { landed = try isDescendant(tip, of: commit) }

        guard let root = workTree else {
            removeIntent()
            onNotice(landed ? .completedInterruptedWrite(commit: commit, pid: intent.pid) : .rolledBackInterruptedWrite(pid: intent.pid))
            return
        }
        let lock =
            try intent.indexLock.flatMap { GitLockFile.adopt(gitDirectory + "/index", identity: $0) }
            ?? GitLockFile.acquire(
                gitDirectory + "/index", state: writerName, stateFolder: stateFolder,
                patience: lockPatience, notice: onNotice)
        guard landed else {
            for file in intent.files {
                guard let temp = file.temp else { continue }
                unlink(root + "/" + temp)
                removeEmptyFolders(from: ((root + "/" + temp) as NSString).deletingLastPathComponent, root: root)
            }
            lock.rollBack()
            removeIntent()
            onNotice(.rolledBackInterruptedWrite(pid: intent.pid))
            return
        }

        do {
            let staging = try openStaging()
            let oldTree = try parent.map { try GitCommit.lookup($0.oid, in: handle).tree() }
            let newTree = try GitCommit.lookup(commit.oid, in: handle).tree()
            var removing: [String] = []
            var adding: [IndexFile.NewEntry] = []
            for file in intent.files {
                let old = try oldTree?.entryID(at: file.path)
                let new = try newTree.entryID(at: file.path)
                let executable = try newTree.entryMode(at: file.path) == GIT_FILEMODE_BLOB_EXECUTABLE
                let full = root + "/" + file.path
                var placed: stat?
                switch try workTreeState(full, path: file.path) {
                case .blob(let id) where git_oid_equal_or_nil(id, new):
                    placed = try statOf(full)
                case .absent where new == nil:
                    break
                case .blob(let id) where git_oid_equal_or_nil(id, old):
                    placed = try place(new, at: file.path, executable: executable, root: root)
                case .absent where old == nil:
                    placed = try place(new, at: file.path, executable: executable, root: root)
                default:
                    onNotice(.keptEdit(path: file.path))
                }
                if let temp = file.temp { unlink(root + "/" + temp) }
                // The index entry moves only from the old version to the new one.
                let staged = staging.stagedID(of: file.path)
                guard git_oid_equal_or_nil(staged, old), !git_oid_equal_or_nil(staged, new), !staging.isConflicted(file.path) else { continue }
                guard var blob = new else {
                    removing.append(file.path)
                    continue
                }
                adding.append(
                    IndexFile.NewEntry(
                        path: file.path, blob: withUnsafeBytes(of: &blob.id) { Array($0) },
                        stat: placed ?? stat(), executable: executable))
            }
            try writeIndex(staging, removing: removing, adding: adding, into: lock)
        } catch {
            lock.abandon()
            throw error
        }
        removeIntent()
        onNotice(.completedInterruptedWrite(commit: commit, pid: intent.pid))
    }

    /// A branch a write moves: a valid name under `refs/heads/`.
    private func isOwnBranch(_ name: String) -> Bool {
        var valid: Int32 = 0
        return name.hasPrefix("refs/heads/") && git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }

    /// A file a write names: a path inside the work tree, its temp file beside it with this
    /// writer's prefix (`WorkTreeWrite`).
    private func isOwnFile(_ file: WriteIntent.File) -> Bool {
        guard (try? validate(file.path)) != nil else { return false }
        guard let temp = file.temp else { return true }
        return (try? validate(temp)) != nil
            && (temp as NSString).deletingLastPathComponent == (file.path as NSString).deletingLastPathComponent
            && (temp as NSString).lastPathComponent.hasPrefix(".\(writerName)-")
    }

    /// Files of the state folder that only a writer at work has: any found now are a dead one's.
    private func removeLeftovers() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: stateFolder) else { return }
        for name in names where name.hasPrefix("lock-") || name == "intent.tmp" || name == "index.work" || name == "index.work.lock" {
            unlink(stateFolder + "/" + name)
        }
    }

    private enum WorkTreeState {
        case absent
        case blob(git_oid)
        /// A folder, link or other thing that is not a plain file: the user's.
        case other
    }

    private func workTreeState(_ full: String, path: String) throws -> WorkTreeState {
        var info = stat()
        guard lstat(full, &info) == 0 else { return .absent }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .other }
        var oid = git_oid()
        try check(git_repository_hashfile(&oid, handle.pointer, full, GIT_OBJECT_BLOB, path))
        return .blob(oid)
    }

    private func statOf(_ full: String) throws -> stat {
        var info = stat()
        guard lstat(full, &info) == 0 else { throw GitStoreError.io(path: full, message: String(cString: strerror(errno))) }
        return info
    }

    /// Writes blob `id` at `path` (temp file and rename), or deletes the file when `id` is nil.
    private func place(_ id: git_oid?, at path: String, executable: Bool, root: String) throws -> stat? {
        let content = try id.map { try blobContent($0) }
        var write = try WorkTreeWrite(
            root: root, changes: [FileChange(path: path, content: content, isExecutable: executable)],
            tempPrefix: ".\(writerName)-")
        try write.create()
        return try write.commit().first?.stat
    }
}
