internal import CGit2
public import Foundation

/// A read view of one commit's tree, for finding a document in it.
public final class TreeView {
    let tree: GitTree
    let repository: GitRepository

    init(tree: GitTree, repository: GitRepository) {
        self.tree = tree
        self.repository = repository
    }

    /// The blob or tree id at `path`, nil when absent.
    public func id(of path: String) throws -> ObjectID? {
        try tree.entryID(at: path).map(ObjectID.init)
    }

    /// The entries directly inside `folder`: names and ids.
    public func entries(in folder: String) throws -> [(name: String, id: ObjectID)] {
        // Nothing there, or a file where a folder was asked for: no entries inside it.
        guard let entry = try tree.entry(at: folder), entry.isTree else { return [] }
        let subtree = try GitTree.lookup(entry.id, in: repository.handle)
        let count = git_tree_entrycount(subtree.pointer)
        return (0..<count).map { index in
            let entry = git_tree_entry_byindex(subtree.pointer, index)
            return (String(cString: git_tree_entry_name(entry)), ObjectID(git_tree_entry_id(entry).pointee))
        }
    }
}

/// One change to a document: the commit, where the document was after it (nil: deleted), and
/// where it was in each of the commit's parents, in parent order (none for a root commit).
public struct DocumentRevision: Sendable {
    public var commit: CommitInfo
    /// Committer time, as `git log` sorts by: when the commit was made on this line of history.
    public var committed: Date
    public var located: TreeFile?
    public var parents: [TreeFile?]
}

extension GitRepository {
    /// Commits reachable from HEAD, newest first, with the top-level entries each changed
    /// against its first parent. Stops after `limit` commits or at the first older than `since`.
    public func log(limit: Int, since: Date? = nil) throws -> [(commit: CommitInfo, changed: [String])] {
        guard try head().commit != nil else { return [] }
        let walk = try GitRevwalk.make(in: handle)
        try check(git_revwalk_sorting(walk.pointer, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue))
        try check(git_revwalk_push_head(walk.pointer))
        var result: [(CommitInfo, [String])] = []
        while result.count < limit, let oid = try walk.next() {
            let commit = try GitCommit.lookup(oid, in: handle)
            let info = try info(of: commit)
            // Committer time, as `git log --since`: a rebase keeps old author dates on new commits.
            if let since, Date(timeIntervalSince1970: TimeInterval(git_commit_time(commit.pointer))) < since { break }
            let tree = try commit.tree()
            let parentTree = commit.parentCount > 0 ? try GitCommit.lookup(commit.parentID(0), in: handle).tree() : nil
            var changed: [String] = []
            let count = git_tree_entrycount(tree.pointer)
            var names = Set<String>()
            for index in 0..<count {
                let entry = git_tree_entry_byindex(tree.pointer, index)
                let name = String(cString: git_tree_entry_name(entry))
                names.insert(name)
                let before = try parentTree?.entryID(at: name)
                if !git_oid_equal_or_nil(before, git_tree_entry_id(entry).pointee) { changed.append(name) }
            }
            if let parentTree {
                for index in 0..<git_tree_entrycount(parentTree.pointer) {
                    let name = String(cString: git_tree_entry_name(git_tree_entry_byindex(parentTree.pointer, index)))
                    if !names.contains(name) { changed.append(name) }
                }
            }
            result.append((info, changed.sorted()))
        }
        return result
    }
}

/// A commit and the paths it changed against its first parent (every path for a root commit).
public struct CommitChanges: Sendable {
    public var commit: ObjectID
    public var time: Int64
    public var paths: [String]
}

extension GitRepository {
    /// Commits reachable from `head` but not from `known` (all when nil), newest first, with the
    /// paths each changed. Returns nil when `known` is no longer in `head`'s history (rewritten).
    public func pathChanges(from headCommit: ObjectID, since known: ObjectID?) throws -> [CommitChanges]? {
        var result: [CommitChanges] = []
        return try forEachPathChange(from: headCommit, since: known) { result.append($0) } ? result : nil
    }

    /// `pathChanges` a commit at a time, so a caller keeps what it needs of each and no more.
    /// Returns false, having visited none, when `known` is no longer in `head`'s history.
    public func forEachPathChange(from headCommit: ObjectID, since known: ObjectID?, _ visit: (CommitChanges) throws -> Void) throws
        -> Bool
    {
        if let known {
            // A commit the store no longer has (a history rewritten and collected) is not in it either.
            guard try hasCommit(known) else { return false }
            if try known != headCommit && !isDescendant(headCommit, of: known) { return false }
        }
        // The walk sorts, so it reads every commit before it gives the first; it runs on a handle
        // of its own, let go before any tree is read: its list and libgit2's cache of the commits
        // it read came to 42 MB at 100k commits, where their ids are 2 MB.
        var commits: [git_oid] = []
        try forEachCommitID(from: headCommit, hiding: known, in: Self.openHandle(gitDirectory)) { commits.append($0) }
        // Commits and trees are read through a handle of their own, replaced every 1,000 commits:
        // libgit2's object cache (global, 256 MB) would otherwise keep every tree the walk read
        // (810 MB at 100k commits). It drops entries only by scanning its table, so a smaller
        // limit made the walk slower.
        let trees = TreeMemo(try Self.openHandle(gitDirectory))
        for (read, oid) in commits.enumerated() {
            if read > 0 && read.isMultiple(of: 1000) { trees.handle = try Self.openHandle(gitDirectory) }
            let commit = try GitCommit.lookup(oid, in: trees.handle)
            let tree = try trees.tree(commit.treeID)
            let parentTree =
                commit.parentCount > 0 ? try trees.tree(GitCommit.lookup(commit.parentID(0), in: trees.handle).treeID) : nil
            var paths: [String] = []
            try changedPaths(from: parentTree, to: tree, prefix: "", into: &paths, trees: trees)
            try visit(CommitChanges(commit: ObjectID(commit.id), time: git_commit_time(commit.pointer), paths: paths))
            trees.nextCommit()
        }
        return true
    }

    /// Visits the commits reachable from `tip` but not from `hidden`, newest first (topological
    /// order, then by time).
    func forEachCommit(from tip: ObjectID, hiding hidden: ObjectID?, _ visit: (GitCommit) throws -> Void) throws {
        try forEachCommitID(from: tip, hiding: hidden) { try visit(try GitCommit.lookup($0, in: handle)) }
    }

    /// The ids of the commits `forEachCommit` visits, in the same order; the walk runs on
    /// `walker` when given.
    func forEachCommitID(
        from tip: ObjectID, hiding hidden: ObjectID?, in walker: RepositoryHandle? = nil, _ visit: (git_oid) throws -> Void
    ) throws {
        let walk = try GitRevwalk.make(in: walker ?? handle)
        try check(git_revwalk_sorting(walk.pointer, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue))
        var start = tip.oid
        try check(git_revwalk_push(walk.pointer, &start))
        if let hidden {
            var oid = hidden.oid
            try check(git_revwalk_hide(walk.pointer, &oid))
        }
        while let oid = try walk.next() { try visit(oid) }
    }

    /// Paths that differ between two trees. Equal subtrees are skipped by id, so a commit that
    /// changed one file costs a few tree reads, whatever the size of the repository (libgit2's
    /// own tree diff walks every entry of both trees).
    func changedPaths(from old: GitTree?, to new: GitTree?, prefix: String, into paths: inout [String], trees: TreeMemo? = nil) throws {
        // Both trees are sorted the way Git sorts entries: walk them side by side, comparing ids,
        // and make Swift strings only for what changed.
        let oldCount = old.map { git_tree_entrycount($0.pointer) } ?? 0
        let newCount = new.map { git_tree_entrycount($0.pointer) } ?? 0
        var i = 0, j = 0
        while i < oldCount || j < newCount {
            let before = i < oldCount ? git_tree_entry_byindex(old!.pointer, i) : nil
            let after = j < newCount ? git_tree_entry_byindex(new!.pointer, j) : nil
            let order: Int32
            if let before, let after { order = git_tree_entry_cmp(before, after) } else { order = before == nil ? 1 : -1 }
            if order == 0 {
                i += 1
                j += 1
                if git_oid_equal(git_tree_entry_id(before), git_tree_entry_id(after)) != 0 { continue }
                try changed(before, after, prefix: prefix, into: &paths, trees: trees)
            } else if order < 0 {
                i += 1
                try changed(before, nil, prefix: prefix, into: &paths, trees: trees)
            } else {
                j += 1
                try changed(nil, after, prefix: prefix, into: &paths, trees: trees)
            }
        }
    }

    /// Records one entry that differs: a file's path, or the files below a folder.
    private func changed(
        _ before: OpaquePointer?, _ after: OpaquePointer?, prefix: String, into paths: inout [String], trees: TreeMemo?
    ) throws {
        let entry = after ?? before!
        let name = prefix + String(cString: git_tree_entry_name(entry))
        func subtree(_ entry: OpaquePointer?) throws -> GitTree? {
            guard let entry, git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return nil }
            let id = git_tree_entry_id(entry).pointee
            return try trees?.tree(id) ?? GitTree.lookup(id, in: handle)
        }
        let oldTree = try subtree(before), newTree = try subtree(after)
        if oldTree != nil || newTree != nil { try changedPaths(from: oldTree, to: newTree, prefix: name + "/", into: &paths, trees: trees) }
        let fileBefore = before.map { git_tree_entry_type($0) != GIT_OBJECT_TREE } ?? false
        let fileAfter = after.map { git_tree_entry_type($0) != GIT_OBJECT_TREE } ?? false
        if fileBefore || fileAfter { paths.append(name) }
    }

    /// The changes of `commits` to one document, looking only at the commits given (from an index
    /// of changed paths) and their parents. A merge counts only where the document differs from
    /// every parent, as `git log -- path` does. Newest first, in an order that does not depend on
    /// the order given: by commit time, then (among commits of the same second) descendants before
    /// their ancestors, then by id.
    public func documentHistory(candidates commits: [ObjectID], locate: (TreeView) throws -> TreeFile?) throws -> [DocumentRevision] {
        var revisions: [DocumentRevision] = []
        var cache: [ObjectID: TreeFile?] = [:]
        func located(_ id: ObjectID) throws -> TreeFile? {
            if let known = cache[id] { return known }
            let found = try locate(TreeView(tree: try GitCommit.lookup(id.oid, in: handle).tree(), repository: self))
            cache[id] = found
            return found
        }
        for id in Set(commits) {
            let commit = try GitCommit.lookup(id.oid, in: handle)
            let now = try located(id)
            let parents = try (0..<commit.parentCount).map { try located(ObjectID(commit.parentID($0))) }
            let changed = parents.isEmpty ? now != nil : parents.allSatisfy { $0 != now }
            guard changed else { continue }
            revisions.append(
                DocumentRevision(
                    commit: try info(of: commit), committed: Date(timeIntervalSince1970: TimeInterval(git_commit_time(commit.pointer))),
                    located: now, parents: parents))
        }
        revisions.sort { ($0.committed, $0.commit.id.hex) < ($1.committed, $1.commit.id.hex) }
        // Commits of the same second (a script, a merge made right after a commit) keep the order
        // they were made in; the id decides only between unrelated ones.
        var start = 0
        while start < revisions.count {
            var end = start + 1
            while end < revisions.count && revisions[end].committed == revisions[start].committed { end += 1 }
            if end - start > 1 { revisions.replaceSubrange(start..<end, with: try ancestorsFirst(Array(revisions[start..<end]))) }
            start = end
        }
        return revisions.reversed()
    }

    /// `revisions` (sorted by id) reordered so that none comes before one of its ancestors; among
    /// those free to go next, the first by id. Each pair is asked about once: a script can make
    /// many commits in one second.
    private func ancestorsFirst(_ revisions: [DocumentRevision]) throws -> [DocumentRevision] {
        let ids = revisions.map(\.commit.id)
        let ancestors = try ids.indices.map { i in try Set(ids.indices.filter { j in try j != i && isDescendant(ids[i], of: ids[j]) }) }
        var placed = Set<Int>()
        var ordered: [DocumentRevision] = []
        while ordered.count < revisions.count {
            let free = ids.indices.filter { !placed.contains($0) }
            // Git's history has no cycles; the fallback only keeps a broken repository from looping.
            let next = free.first { ancestors[$0].isSubset(of: placed) } ?? free[0]
            placed.insert(next)
            ordered.append(revisions[next])
        }
        return ordered
    }
}

/// The trees a walk read for the commit it visited last, kept for the next one. A walk goes
/// newest first, so a commit's parent is mostly the next commit visited: each tree is read once,
/// whatever libgit2's object cache kept (it is bounded, and drops what it likes when full).
final class TreeMemo {
    /// Where trees not kept are read; a tree keeps the handle it came from alive.
    var handle: RepositoryHandle
    private var previous: [Key: GitTree] = [:]
    private var current: [Key: GitTree] = [:]

    init(_ handle: RepositoryHandle) { self.handle = handle }

    func tree(_ id: git_oid) throws -> GitTree {
        let key = Key(id)
        if let known = current[key] { return known }
        let tree = try previous[key] ?? GitTree.lookup(id, in: handle)
        current[key] = tree
        return tree
    }

    /// The walk moves on: what this commit read is kept for the next, the rest let go.
    func nextCommit() {
        previous = current
        current.removeAll(keepingCapacity: true)
    }

    /// An object id as 20 bytes, hashed without making its hex text.
    private struct Key: Hashable {
        let head: UInt64, middle: UInt64, tail: UInt32
        init(_ id: git_oid) {
            (head, middle, tail) = withUnsafeBytes(of: id.id) { bytes in
                (
                    bytes.loadUnaligned(as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                    bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
                )
            }
        }
    }
}
