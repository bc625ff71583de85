internal import CGit2
public import Foundation

/// One file as one side of a merge has it: its content and whether it is executable; nil content
/// when that side does not have the file.
public struct MergeSide: Sendable, Equatable {
    public var content: Data?
    public var isExecutable: Bool

    public init(content: Data?, isExecutable: Bool) {
        self.content = content
        self.isExecutable = isExecutable
    }
}

/// One version of a file in history: when it was committed (committer time), by whom, and its
/// content (nil where that commit deleted it).
public struct PathVersion: Sendable {
    /// The commit that made this version, its trailers read.
    public var commit: CommitInfo
    public var time: Date { commit.committed }
    public var author: String { commit.author.name }
    public var content: Data?
    /// The file in each parent of that commit (nil where a parent did not have it).
    public var parentContents: [Data?]
}

/// A path both sides changed since their merge base, each in its own way.
public struct MergeConflictCandidate: Sendable {
    public var path: String
    /// The file at the merge base (nil content: it did not exist there).
    public var base: MergeSide
    public var ours: MergeSide
    public var theirs: MergeSide
}

/// What a merge of another line of history into the branch has to settle, read before anything
/// is written: the paths both sides changed, and the history of each side for deciding which
/// change came later.
public struct MergePlan {
    let repository: GitRepository
    /// The merge base, nil when the two histories share no commit.
    public let base: ObjectID?
    public let ours: ObjectID
    public let theirs: ObjectID
    /// Paths both sides changed to different results, sorted by path.
    public let candidates: [MergeConflictCandidate]

    /// The versions of `path` on one side since the merge base, newest first, each with the
    /// committer time of the commit that made it (nil content where that commit deleted it).
    public func revisions(of path: String, onOurSide: Bool) throws -> [PathVersion] {
        try repository.revisions(of: path, from: onOurSide ? ours : theirs, hiding: base)
    }

    /// The content `path` has in the merge result when it is not a candidate: the side that
    /// changed it since the base, or ours when neither did (nil when absent).
    public func settledContent(of path: String) throws -> Data? {
        func content(_ commit: ObjectID?) throws -> Data? {
            guard let commit else { return nil }
            return try repository.side(path, in: GitCommit.lookup(commit.oid, in: repository.handle).tree()).content
        }
        let mine = try content(ours)
        return try mine == content(base) ? content(theirs) : mine
    }
}

/// How the branch took in the other side.
public enum MergeOutcome: Sendable, Equatable {
    /// The branch already held every commit of the other side.
    case upToDate
    /// The branch moved forward to the other side's commit; no commit was made.
    case fastForwarded(ObjectID)
    /// A merge commit with both sides as parents.
    case merged(ObjectID)
}

/// A line-based three-way merge of one text file, as `git merge-file` makes it.
public struct MergedText: Sendable, Equatable {
    public var content: Data
    /// True when some lines did not merge and both versions are in `content` between markers.
    public var hasConflicts: Bool
}

extension GitRepository {
    /// Takes `theirs` into the current branch: nothing when the branch already contains it,
    /// a fast-forward when the branch is behind, otherwise a merge commit whose tree is our tree
    /// plus the paths only they changed plus what `resolve` returns for the paths both changed
    /// (by path: content, or nil content to delete; a path left out keeps our version).
    /// `resolve` may throw to stop: then nothing was written.
    /// As for every ops write: one lock per clone, the branch moved by compare-and-swap, the work
    /// tree and index updated afterwards only for the changed paths, never over uncommitted edits.
    public func merge(
        _ theirs: ObjectID,
        author: Signature,
        message: (MergePlan) -> CommitMessage,
        resolve: (MergePlan) throws -> [String: MergeSide]
    ) throws -> MergeOutcome {
        try writeOnBranch { branch, head in
            let theirCommit = try GitCommit.lookup(theirs.oid, in: handle)
            let theirTree = try theirCommit.tree()

            guard let ours = head else {
                // Nothing here yet: take their history as it is.
                let changes = try fileChanges(from: nil, to: theirTree)
                if let moved = try land(
                    changes, on: branch, from: nil, baseTree: nil, log: reflogMessage("sync: fast-forward"), makeCommit: { _ in theirs.oid })
                {
                    return .done(.fastForwarded(ObjectID(moved)))
                }
                return .branchMoved
            }
            if try ours == theirs || isDescendant(ours, of: theirs) { return .done(.upToDate) }
            let ourCommit = try GitCommit.lookup(ours.oid, in: handle)
            let ourTree = try ourCommit.tree()

            if try isDescendant(theirs, of: ours) {
                let changes = try fileChanges(from: ourTree, to: theirTree)
                if let moved = try land(
                    changes, on: branch, from: ourCommit, baseTree: ourTree, log: reflogMessage("sync: fast-forward"),
                    makeCommit: { _ in theirs.oid })
                {
                    return .done(.fastForwarded(ObjectID(moved)))
                }
                return .branchMoved
            }

            var baseOid = git_oid()
            var oursOid = ours.oid, theirsOid = theirs.oid
            // No merge base: the two histories share no commit.
            let base = try found(git_merge_base(&baseOid, handle.pointer, &oursOid, &theirsOid)) ? ObjectID(baseOid) : nil
            let baseTree = try base.map { try GitCommit.lookup($0.oid, in: handle).tree() }

            let ourPaths = Set(try pathsChanged(from: baseTree, to: ourTree))
            let theirPaths = try pathsChanged(from: baseTree, to: theirTree)
            var changes: [FileChange] = []
            var candidates: [MergeConflictCandidate] = []
            for path in theirPaths {
                let theirSide = try side(path, in: theirTree)
                if !ourPaths.contains(path) {
                    changes.append(FileChange(path: path, content: theirSide.content, isExecutable: theirSide.isExecutable))
                    continue
                }
                let ourSide = try side(path, in: ourTree)
                if ourSide == theirSide { continue }
                candidates.append(MergeConflictCandidate(path: path, base: try side(path, in: baseTree), ours: ourSide, theirs: theirSide))
            }
            let plan = MergePlan(repository: self, base: base, ours: ours, theirs: theirs, candidates: candidates)
            let resolved = try resolve(plan)
            for candidate in candidates {
                guard let side = resolved[candidate.path] else { continue }
                changes.append(FileChange(path: candidate.path, content: side.content, isExecutable: side.isExecutable))
            }
            let effective = try effectiveChanges(changes, against: ourTree)
            let merged = try land(effective, on: branch, from: ourCommit, baseTree: ourTree, log: reflogMessage("sync: merge")) { treeID in
                try writeCommit(message(plan), author: author, tree: treeID, parents: [ourCommit, theirCommit])
            }
            if let merged { return .done(.merged(ObjectID(merged))) }
            return .branchMoved
        }
    }

    /// A line-based three-way merge of text, as Git merges files; conflicting lines are kept
    /// from both sides between `<<<<<<< ourLabel`, `=======` and `>>>>>>> theirLabel` lines
    /// (with `showBase`, the base's lines too, after a `||||||| base` line, as diff3 shows them).
    /// `markerSize` is the length of those markers: longer than any marker-like line in the
    /// text, the blocks can be read back unambiguously.
    public static func mergeText(
        base: Data?, ours: Data, theirs: Data, ourLabel: String, theirLabel: String,
        showBase: Bool = false, markerSize: Int = 7
    ) throws -> MergedText {
        ensureLibraryInitialized()
        var options = git_merge_file_options()
        try check(git_merge_file_options_init(&options, UInt32(GIT_MERGE_FILE_OPTIONS_VERSION)))
        let version = UInt32(GIT_MERGE_FILE_INPUT_VERSION)
        var ancestor = git_merge_file_input(), our = git_merge_file_input(), their = git_merge_file_input()
        try check(git_merge_file_input_init(&ancestor, version))
        try check(git_merge_file_input_init(&our, version))
        try check(git_merge_file_input_init(&their, version))
        var result = MergeFileResult()
        let base = base ?? Data()
        let code: Int32 = base.withUnsafeBytes { baseBytes in
            ours.withUnsafeBytes { ourBytes in
                theirs.withUnsafeBytes { theirBytes in
                    ourLabel.withCString { ourName in
                        theirLabel.withCString { theirName in
                            func point(_ input: inout git_merge_file_input, at bytes: UnsafeRawBufferPointer) {
                                input.ptr = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                                input.size = bytes.count
                            }
                            point(&ancestor, at: baseBytes)
                            point(&our, at: ourBytes)
                            point(&their, at: theirBytes)
                            options.our_label = ourName
                            options.their_label = theirName
                            if showBase { options.flags = GIT_MERGE_FILE_STYLE_DIFF3.rawValue }
                            options.marker_size = UInt16(markerSize)
                            return git_merge_file(&result.raw, &ancestor, &our, &their, &options)
                        }
                    }
                }
            }
        }
        try check(code)
        let content = result.raw.ptr.map { Data(bytes: $0, count: result.raw.len) } ?? Data()
        return MergedText(content: content, hasConflicts: result.raw.automergeable == 0)
    }

    // MARK: Reading both sides

    /// True when the object store has commit `id`. Ask before `isDescendant` when the id may be
    /// gone: libgit2's ancestry check fails on a missing commit with GIT_ERROR, not GIT_ENOTFOUND.
    func hasCommit(_ id: ObjectID) throws(GitError) -> Bool {
        var oid = id.oid
        return try ownedIfFound(by: { GitCommit($0, owner: handle) }) { git_commit_lookup(&$0, handle.pointer, &oid) } != nil
    }

    func isDescendant(_ commit: ObjectID, of ancestor: ObjectID) throws(GitError) -> Bool {
        var a = commit.oid, b = ancestor.oid
        return try check(git_graph_descendant_of(handle.pointer, &a, &b)) == 1
    }

    /// File paths that differ between two trees (nil: the empty tree).
    func pathsChanged(from old: GitTree?, to new: GitTree?) throws -> [String] {
        var paths: [String] = []
        try changedPaths(from: old, to: new, prefix: "", into: &paths)
        return paths
    }

    /// The changes that turn `old` into `new`, with content read from `new`.
    private func fileChanges(from old: GitTree?, to new: GitTree) throws -> [FileChange] {
        try pathsChanged(from: old, to: new).map { path in
            let side = try side(path, in: new)
            return FileChange(path: path, content: side.content, isExecutable: side.isExecutable)
        }.sorted { $0.path < $1.path }
    }

    /// `path` as `tree` has it. Symbolic links and submodules are refused: sync writes plain files only.
    func side(_ path: String, in tree: GitTree?) throws -> MergeSide {
        guard let tree, let mode = try tree.entryMode(at: path), let id = try tree.entryID(at: path) else {
            return MergeSide(content: nil, isExecutable: false)
        }
        guard mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE else {
            throw GitStoreError.unsupportedEntry(path: path)
        }
        return MergeSide(content: try blobContent(id), isExecutable: mode == GIT_FILEMODE_BLOB_EXECUTABLE)
    }

    /// Versions of `path` reachable from `tip` but not from `hidden`, newest first, where the file
    /// differs from every parent of the commit, with that commit's committer time.
    func revisions(of path: String, from tip: ObjectID, hiding hidden: ObjectID?) throws -> [PathVersion] {
        try validate(path)
        var result: [PathVersion] = []
        try forEachCommit(from: tip, hiding: hidden) { commit in
            let current = try commit.tree().entryID(at: path)
            var differs = true
            var parents: [git_oid?] = []
            for parent in 0..<commit.parentCount {
                let before = try GitCommit.lookup(commit.parentID(parent), in: handle).tree().entryID(at: path)
                if git_oid_equal_or_nil(before, current) { differs = false }
                parents.append(before)
            }
            if commit.parentCount == 0 { differs = current != nil }
            guard differs else { return }
            result.append(
                PathVersion(
                    commit: try info(of: commit), content: try current.map { try blobContent($0) },
                    parentContents: try parents.map { try $0.map { try blobContent($0) } }))
        }
        return result
    }
}
