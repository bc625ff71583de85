internal import CGit2
public import Foundation

extension GitRepository {
    /// Every commit reachable from HEAD that changed `path`, newest first, with the blob it left
    /// (nil where the commit deleted the file). A merge counts only when the file differs from
    /// every parent, as `git log -- path` does.
    public func history(of path: String) throws -> [PathRevision] {
        try validate(path)
        guard let head = try head().commit else { return [] }
        var revisions: [PathRevision] = []
        try forEachCommit(from: head, hiding: nil) { commit in
            let current = try commit.tree().entryID(at: path)
            var parentsDiffer = true
            for parent in 0..<commit.parentCount {
                let before = try GitCommit.lookup(commit.parentID(parent), in: handle).tree().entryID(at: path)
                if git_oid_equal_or_nil(before, current) {
                    parentsDiffer = false
                    break
                }
            }
            if commit.parentCount == 0 { parentsDiffer = current != nil }
            guard parentsDiffer else { return }
            revisions.append(PathRevision(commit: try info(of: commit), blob: current.map(ObjectID.init)))
        }
        return revisions
    }

    /// True when `commit` is HEAD or one of its ancestors: a write that made it landed (and was
    /// not undone by a reset). False for a commit the object store does not have, or one that only
    /// a rolled-back or retried write made.
    public func isInHistory(_ commit: ObjectID) throws -> Bool {
        guard let head = try head().commit else { return false }
        if head == commit { return true }
        // libgit2's ancestry check fails on a missing commit with GIT_ERROR, so ask first.
        guard try hasCommit(commit) else { return false }
        return try isDescendant(head, of: commit)
    }

    /// When the newest change reachable from HEAD was recorded, up to `notAfter`: the latest
    /// author date no later than it among the commits whose message `counts` and that record a
    /// tree of their own (a merge whose tree is one of its parents' records nothing new; one that
    /// combined changes to a file does). Commits are visited newest first by commit date, each
    /// once; the walk stops at the first commit dated before the latest author date found (an
    /// author date is not later than its commit's date), or after `limit` commits. Nil when no
    /// commit counts. (libgit2's own walk, once sorted, reads the whole history before its first
    /// commit: 400 ms at 30k commits, where this reads a few.)
    public func newestChange(notAfter: Date, limit: Int = 10_000, counts: (_ message: String) -> Bool) throws -> Date? {
        guard let head = try head().commit else { return nil }
        let cap = git_time_t(notAfter.timeIntervalSince1970.rounded(.down))
        var frontier = [try GitCommit.lookup(head.oid, in: handle)]  // commits to visit; few, one per line of history
        var queued: Set<ObjectID> = [head]
        var newest: git_time_t?
        var walked = 0
        while walked < limit, let next = frontier.indices.max(by: { git_commit_time(frontier[$0].pointer) < git_commit_time(frontier[$1].pointer) }) {
            let commit = frontier.remove(at: next)
            walked += 1
            if let newest, git_commit_time(commit.pointer) < newest { break }
            let authored = git_commit_author(commit.pointer)!.pointee.when.time
            let parents = try (0..<commit.parentCount).map { try GitCommit.lookup(commit.parentID($0), in: handle) }
            var tree = commit.treeID
            let ownTree =
                parents.count < 2
                || !parents.contains {
                    var parentTree = $0.treeID; return git_oid_equal(&tree, &parentTree) != 0
                }
            if authored <= cap, ownTree, counts(String(cString: git_commit_message(commit.pointer))) { newest = max(newest ?? authored, authored) }
            for parent in parents where queued.insert(ObjectID(parent.id)).inserted { frontier.append(parent) }
        }
        return newest.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The commit with this id, as history shows it.
    public func commitInfo(_ id: ObjectID) throws -> CommitInfo {
        try info(of: GitCommit.lookup(id.oid, in: handle))
    }

    func info(of commit: GitCommit) throws -> CommitInfo {
        let author = git_commit_author(commit.pointer)!.pointee
        let message = String(cString: git_commit_message(commit.pointer))
        var info = CommitInfo(
            id: ObjectID(commit.id),
            parents: (0..<commit.parentCount).map { ObjectID(commit.parentID($0)) },
            author: Signature(
                name: String(cString: author.name),
                email: String(cString: author.email),
                date: Date(timeIntervalSince1970: TimeInterval(author.when.time)),
                offsetMinutes: Int(author.when.offset)
            ),
            message: message,
            trailers: try trailers(of: message)
        )
        info.committed = Date(timeIntervalSince1970: TimeInterval(git_commit_committer(commit.pointer)!.pointee.when.time))
        return info
    }

    private func trailers(of message: String) throws -> [Trailer] {
        var array = TrailerArray()
        try check(git_message_trailers(&array.raw, message))
        return (0..<array.raw.count).map { i in
            let trailer = array.raw.trailers[i]
            return Trailer(String(cString: trailer.key), String(cString: trailer.value))
        }
    }
}
