internal import CGit2
public import Foundation

/// A signed commit's signature (its `gpgsig` header) and the bytes it signs: the commit object
/// without that header, which is what `ssh-keygen -Y verify` and `gpg --verify` check.
public struct CommitSignature: Sendable, Equatable {
    public var signature: Data
    public var signedData: Data

    public init(signature: Data, signedData: Data) {
        self.signature = signature
        self.signedData = signedData
    }
}

extension GitRepository {
    /// The signature of `commit`, nil when it is not signed.
    public func signature(of commit: ObjectID) throws -> CommitSignature? {
        var signature = GitBuffer(), signed = GitBuffer()
        var oid = commit.oid
        guard try found(git_commit_extract_signature(&signature.raw, &signed.raw, handle.pointer, &oid, nil)) else { return nil }
        return CommitSignature(signature: signature.data, signedData: signed.data)
    }

    /// The commit that brought `path` with content `blob` into the history of `start`, following
    /// the file back as `git log -- path` simplifies history: from a commit that holds that
    /// content to a parent that holds it too, until none does. A merge that brought the content
    /// back after a side had deleted it (a parent without it that descends from where it came
    /// from) is that change itself. Nil when `start` does not hold it. Throws `shallowHistory`
    /// when the clone's history ends before the answer.
    public func commitIntroducing(_ path: String, blob: ObjectID, from start: ObjectID) throws -> ObjectID? {
        try validate(path)
        var commit = try GitCommit.lookup(start.oid, in: handle)
        guard let first = try commit.tree().entryID(at: path), git_oid_equal_or_nil(first, blob.oid) else { return nil }
        // Merges passed on the way, with their parents that do not hold the content.
        var merges: [(merge: git_oid, without: [git_oid])] = []
        parents: while true {
            var without: [git_oid] = []
            var holding: GitCommit?
            for index in 0..<commit.parentCount {
                let id = commit.parentID(index)
                guard try hasCommit(ObjectID(id)) else { throw GitStoreError.shallowHistory(commit: ObjectID(commit.id)) }
                let parent = try GitCommit.lookup(id, in: handle)
                if holding == nil, let entry = try parent.tree().entryID(at: path), git_oid_equal_or_nil(entry, blob.oid) {
                    holding = parent
                } else {
                    without.append(id)
                }
            }
            guard let holding else { break }
            if !without.isEmpty { merges.append((commit.id, without)) }
            commit = holding
        }
        let origin = ObjectID(commit.id)
        // The newest merge whose other side had the content and dropped it resurrected it.
        for (merge, without) in merges where try without.contains(where: { try isDescendant(ObjectID($0), of: origin) }) {
            return ObjectID(merge)
        }
        return origin
    }

    /// The paths `commit` changes against its first parent (every path, for a root commit).
    public func pathsChanged(by commit: ObjectID) throws -> [String] {
        let object = try GitCommit.lookup(commit.oid, in: handle)
        let parent = object.parentCount > 0 ? try GitCommit.lookup(object.parentID(0), in: handle).tree() : nil
        return try pathsChanged(from: parent, to: try object.tree())
    }

    /// True in a shallow clone (`git clone --depth N`): history stops before the first commit.
    public var isShallow: Bool { git_repository_is_shallow(handle.pointer) == 1 }

    /// The commit a revision names (`HEAD`, `main`, `origin/main`, `HEAD~3`, an id), nil when it
    /// names nothing or something that is not a commit.
    public func resolveCommit(_ revision: String) throws -> ObjectID? {
        guard !revision.isEmpty, !revision.contains("\0") else { return nil }
        var object: OpaquePointer?
        guard try named(git_revparse_single(&object, handle.pointer, revision)), let object else { return nil }
        let named = GitAnyObject(object, owner: handle)
        var peeled: OpaquePointer?
        guard try self.named(git_object_peel(&peeled, named.pointer, GIT_OBJECT_COMMIT)), let peeled else { return nil }
        let commit = GitAnyObject(peeled, owner: handle)
        return ObjectID(git_object_id(commit.pointer).pointee)
    }

    /// False when libgit2 says a revision names nothing usable: not found, not a revision,
    /// ambiguous, or not a commit.
    private func named(_ result: Int32) throws(GitError) -> Bool {
        let unnamed = [GIT_ENOTFOUND, GIT_EINVALIDSPEC, GIT_EAMBIGUOUS, GIT_EPEEL].map(\.rawValue)
        if unnamed.contains(result) {
            git_error_clear()
            return false
        }
        _ = try check(result)
        return true
    }

    /// The commits reachable from `tip` and not from `hidden`, newest first, as `git log hidden..tip`.
    public func commits(from tip: ObjectID, hiding hidden: ObjectID?) throws -> [CommitInfo] {
        var result: [CommitInfo] = []
        try forEachCommit(from: tip, hiding: hidden) { result.append(try info(of: $0)) }
        return result
    }
}
