internal import CGit2

// One final class per libgit2 handle, freeing it in deinit. A child keeps its repository
// alive through a stored reference, so no handle outlives the repository it came from.

final class RepositoryHandle {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_repository_free(pointer) }
}

final class GitTree {
    let pointer: OpaquePointer
    let owner: RepositoryHandle
    init(_ pointer: OpaquePointer, owner: RepositoryHandle) {
        self.pointer = pointer
        self.owner = owner
    }
    deinit { git_tree_free(pointer) }

    static func lookup(_ id: git_oid, in repo: RepositoryHandle) throws(GitError) -> GitTree {
        var out: OpaquePointer?
        var oid = id
        try check(git_tree_lookup(&out, repo.pointer, &oid))
        return GitTree(out!, owner: repo)
    }

    /// The blob or tree id at `path` inside this tree, or nil when nothing is there.
    func entryID(at path: String) throws(GitError) -> git_oid? {
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, pointer, path)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result)
        defer { git_tree_entry_free(entry) }
        return git_tree_entry_id(entry).pointee
    }

    /// The file mode of the entry at `path`, nil when nothing is there.
    func entryMode(at path: String) throws(GitError) -> git_filemode_t? {
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, pointer, path)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result)
        defer { git_tree_entry_free(entry) }
        return git_tree_entry_filemode(entry)
    }
}

extension FileChange {
    var fileMode: git_filemode_t { isExecutable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB }
}

final class GitCommit {
    let pointer: OpaquePointer
    let owner: RepositoryHandle
    init(_ pointer: OpaquePointer, owner: RepositoryHandle) {
        self.pointer = pointer
        self.owner = owner
    }
    deinit { git_commit_free(pointer) }

    static func lookup(_ id: git_oid, in repo: RepositoryHandle) throws(GitError) -> GitCommit {
        var out: OpaquePointer?
        var oid = id
        try check(git_commit_lookup(&out, repo.pointer, &oid))
        return GitCommit(out!, owner: repo)
    }

    var id: git_oid { git_commit_id(pointer).pointee }
    var treeID: git_oid { git_commit_tree_id(pointer).pointee }
    var parentCount: Int { Int(git_commit_parentcount(pointer)) }

    func parentID(_ index: Int) -> git_oid { git_commit_parent_id(pointer, UInt32(index)).pointee }

    func tree() throws(GitError) -> GitTree {
        var out: OpaquePointer?
        try check(git_commit_tree(&out, pointer))
        return GitTree(out!, owner: owner)
    }
}

final class GitIndex {
    let pointer: OpaquePointer
    let owner: RepositoryHandle
    init(_ pointer: OpaquePointer, owner: RepositoryHandle) {
        self.pointer = pointer
        self.owner = owner
    }
    deinit { git_index_free(pointer) }

    /// The staged blob id of `path` at stage 0, nil when the path is not in the index.
    func stagedID(of path: String) -> git_oid? {
        guard let entry = git_index_get_bypath(pointer, path, 0) else { return nil }
        return entry.pointee.id
    }

    /// True when `path` has conflict stages (an unfinished merge).
    func isConflicted(_ path: String) -> Bool {
        git_index_get_bypath(pointer, path, 1) != nil
            || git_index_get_bypath(pointer, path, 2) != nil
            || git_index_get_bypath(pointer, path, 3) != nil
    }
}

final class GitReference {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_reference_free(pointer) }
}

final class GitConfig {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_config_free(pointer) }
}

final class GitSignatureHandle {
    let pointer: UnsafeMutablePointer<git_signature>
    init(_ pointer: UnsafeMutablePointer<git_signature>) { self.pointer = pointer }
    deinit { git_signature_free(pointer) }
}

final class GitRevwalk {
    let pointer: OpaquePointer
    let owner: RepositoryHandle
    init(_ pointer: OpaquePointer, owner: RepositoryHandle) {
        self.pointer = pointer
        self.owner = owner
    }
    deinit { git_revwalk_free(pointer) }
}

func git_oid_equal_or_nil(_ a: git_oid?, _ b: git_oid?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (var x?, var y?): return git_oid_equal(&x, &y) != 0
    default: return false
    }
}
