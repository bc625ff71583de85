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
    /// content to a parent that holds it too, until none does. Nil when `start` does not hold it.
    public func commitIntroducing(_ path: String, blob: ObjectID, from start: ObjectID) throws -> ObjectID? {
        try validate(path)
        var commit = try GitCommit.lookup(start.oid, in: handle)
        guard let first = try commit.tree().entryID(at: path), git_oid_equal_or_nil(first, blob.oid) else { return nil }
        parents: while true {
            for index in 0..<commit.parentCount {
                let parent = try GitCommit.lookup(commit.parentID(index), in: handle)
                if let entry = try parent.tree().entryID(at: path), git_oid_equal_or_nil(entry, blob.oid) {
                    commit = parent
                    continue parents
                }
            }
            return ObjectID(commit.id)
        }
    }

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
