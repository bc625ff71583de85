internal import CGit2
import Foundation

// One owner per libgit2 handle, freeing it in deinit, so no handle is freed twice or left
// behind on an error path (git2-rs `src/repo.rs`, `src/blob.rs`). A handle is given to its
// owner the moment libgit2 returns it (`owned(by:_:)`), before the result is checked.
//
// A handle that is kept or shared (a repository, a tree a snapshot holds, a remote across a
// fetch) has a final class as owner; a child keeps its repository alive through a stored
// reference, so no handle outlives the repository it came from. What libgit2 fills in and a
// function frees before it returns (a tree entry, a text buffer, a merge result, a trailer
// list) has a `~Copyable` struct as owner: it cannot be copied, so it is freed exactly once,
// and it costs no allocation on paths as hot as a tree lookup.

final class RepositoryHandle {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_repository_free(pointer) }
}

/// A handle a repository hands out: it keeps the repository alive as long as it lives. Each
/// subclass frees its own kind of pointer in its deinit.
class RepositoryChild {
    let pointer: OpaquePointer
    let owner: RepositoryHandle
    required init(_ pointer: OpaquePointer, owner: RepositoryHandle) {
        self.pointer = pointer
        self.owner = owner
    }
}

/// A commit, tree or blob, looked up by id. `git_commit_lookup` and its siblings are
/// `git_object_lookup` with the type filled in (libgit2 `src/libgit2/object_api.c`).
protocol GitObject: RepositoryChild {
    static var objectType: git_object_t { get }
}

extension GitObject {
    static func lookup(_ id: git_oid, in repo: RepositoryHandle) throws(GitError) -> Self {
        var oid = id
        return try owned(by: { Self($0, owner: repo) }) { git_object_lookup(&$0, repo.pointer, &oid, objectType) }
    }
}

final class GitTree: RepositoryChild, GitObject {
    static let objectType = GIT_OBJECT_TREE
    deinit { git_tree_free(pointer) }

    /// What is at a path inside a tree: its id and file mode.
    struct Entry {
        var id: git_oid
        var mode: git_filemode_t
        var isTree: Bool { mode == GIT_FILEMODE_TREE }
    }

    /// The entry at `path` inside this tree, or nil when nothing is there.
    func entry(at path: String) throws(GitError) -> Entry? {
        guard let entry = try ownedIfFound(by: GitTreeEntry.init, { git_tree_entry_bypath(&$0, pointer, path) }) else {
            return nil
        }
        return Entry(id: entry.id, mode: entry.mode)
    }

    /// The blob or tree id at `path` inside this tree, or nil when nothing is there.
    func entryID(at path: String) throws(GitError) -> git_oid? {
        try entry(at: path)?.id
    }

    /// The file mode of the entry at `path`, nil when nothing is there.
    func entryMode(at path: String) throws(GitError) -> git_filemode_t? {
        try entry(at: path)?.mode
    }
}

/// A tree entry looked up by path: libgit2 hands over a copy the caller frees.
struct GitTreeEntry: ~Copyable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_tree_entry_free(pointer) }

    var id: git_oid { git_tree_entry_id(pointer).pointee }
    var mode: git_filemode_t { git_tree_entry_filemode(pointer) }
}

extension FileChange {
    var fileMode: git_filemode_t { isExecutable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB }
}

final class GitCommit: RepositoryChild, GitObject {
    static let objectType = GIT_OBJECT_COMMIT
    deinit { git_commit_free(pointer) }

    var id: git_oid { git_commit_id(pointer).pointee }
    var treeID: git_oid { git_commit_tree_id(pointer).pointee }
    var parentCount: Int { Int(git_commit_parentcount(pointer)) }

    func parentID(_ index: Int) -> git_oid { git_commit_parent_id(pointer, UInt32(index)).pointee }

    func tree() throws(GitError) -> GitTree {
        try owned(by: { GitTree($0, owner: owner) }) { git_commit_tree(&$0, pointer) }
    }
}

/// An object of any kind, as a revision names it (`git_revparse_single`).
final class GitAnyObject: RepositoryChild {
    deinit { git_object_free(pointer) }
}

final class GitBlob: RepositoryChild, GitObject {
    static let objectType = GIT_OBJECT_BLOB
    deinit { git_blob_free(pointer) }

    /// The blob's bytes, copied out of libgit2's object cache.
    var content: Data {
        let size = Int(git_blob_rawsize(pointer))
        guard size > 0, let raw = git_blob_rawcontent(pointer) else { return Data() }
        return Data(bytes: raw, count: size)
    }
}

final class GitIndex: RepositoryChild {
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

    /// The value of `key`, nil when it is not set. libgit2 reads strings only from a snapshot.
    func string(_ key: String) throws(GitError) -> String? {
        var value: UnsafePointer<CChar>?
        guard try found(git_config_get_string(&value, pointer, key)), let value else { return nil }
        return String(cString: value)
    }
}

final class GitSignatureHandle {
    let pointer: UnsafeMutablePointer<git_signature>
    init(_ pointer: UnsafeMutablePointer<git_signature>) { self.pointer = pointer }
    deinit { git_signature_free(pointer) }
}

final class GitRevwalk: RepositoryChild {
    deinit { git_revwalk_free(pointer) }

    static func make(in repo: RepositoryHandle) throws(GitError) -> GitRevwalk {
        try owned(by: { GitRevwalk($0, owner: repo) }) { git_revwalk_new(&$0, repo.pointer) }
    }

    /// The next commit id, nil when the walk is over.
    func next() throws(GitError) -> git_oid? {
        var oid = git_oid()
        do throws(GitError) {
            try check(git_revwalk_next(&oid, pointer))
            return oid
        } catch  where error.code == GIT_ITEROVER.rawValue {
            return nil
        }
    }
}

final class GitRemote: RepositoryChild {
    deinit { git_remote_free(pointer) }

    var url: String? { git_remote_url(pointer).map { String(cString: $0) } }
}

final class GitPatch {
    let pointer: OpaquePointer
    /// The blobs it was made from: its lines point into their content.
    let blobs: [GitBlob]
    init(_ pointer: OpaquePointer, blobs: [GitBlob]) {
        self.pointer = pointer
        self.blobs = blobs
    }
    deinit { git_patch_free(pointer) }

    /// The patch as `git diff` prints it.
    func text() throws(GitError) -> String {
        var buffer = GitBuffer()
        try check(git_patch_to_buf(&buffer.raw, pointer))
        return buffer.text
    }
}

/// A `git_buf` that libgit2 filled in; its memory is libgit2's until disposed.
struct GitBuffer: ~Copyable {
    var raw = git_buf()
    deinit {
        var buffer = raw
        git_buf_dispose(&buffer)
    }

    var data: Data {
        guard let pointer = raw.ptr else { return Data() }
        return Data(bytes: pointer, count: raw.size)
    }

    var text: String {
        guard let pointer = raw.ptr else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: raw.size), as: UTF8.self)
    }
}

/// The result of `git_merge_file`, whose merged text libgit2 allocated.
struct MergeFileResult: ~Copyable {
    var raw = git_merge_file_result()
    deinit {
        var result = raw
        git_merge_file_result_free(&result)
    }
}

/// The trailers `git_message_trailers` parsed out of a message, in memory libgit2 allocated.
struct TrailerArray: ~Copyable {
    var raw = git_message_trailer_array()
    deinit {
        var array = raw
        git_message_trailer_array_free(&array)
    }
}

func git_oid_equal_or_nil(_ a: git_oid?, _ b: git_oid?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (var x?, var y?): return git_oid_equal(&x, &y) != 0
    default: return false
    }
}
