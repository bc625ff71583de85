import Foundation
internal import CGit2

/// An open Git repository: the only door to libgit2 in the project.
public final class GitRepository {
    let handle: RepositoryHandle
    /// The work tree root without a trailing slash, nil for a bare repository.
    public let workTree: String?
    /// The `.git` folder, without a trailing slash.
    public let gitDirectory: String
    /// Names this library's own files: the writer lock `.git/<stateName>.lock`, the folder
    /// `.git/<stateName>/` (intent record of a write in progress) and the work-tree temp files
    /// `.<stateName>-<pid>-<n>.tmp`. The caller names them after itself.
    public var stateName = "gitstore"
    /// Told, one event at a time, what a write did or waits for that a person should hear.
    public var onNotice: (WriteNotice) -> Void = { _ in }
    /// How long a write waits for a lock Git holds (`index.lock`, a ref lock) before it decides.
    public var lockPatience: TimeInterval = 5
    /// How long a write waits for another writer of this library to finish.
    public var writerLockTimeout: TimeInterval = 60

    init(handle: RepositoryHandle) {
        self.handle = handle
        gitDirectory = String(cString: git_repository_path(handle.pointer)).trimmingSlash
        if let workdir = git_repository_workdir(handle.pointer) {
            workTree = String(cString: workdir).trimmingSlash
        } else {
            workTree = nil
        }
    }

    /// Opens the repository whose work tree or `.git` folder is exactly `path` (no search upwards).
    public static func open(_ path: String) throws -> GitRepository {
        ensureLibraryInitialized()
        var out: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        let result = git_repository_open_ext(&out, path, flags, nil)
        if result == GIT_EOWNER.rawValue || (result == GIT_ENOTFOUND.rawValue && isOwnedByAnotherUser(path)) {
            throw GitStoreError.notOwner(path: path)
        }
        if result == GIT_ENOTFOUND.rawValue { throw GitStoreError.notARepository(path: path) }
        try check(result)
        return GitRepository(handle: RepositoryHandle(out!))
    }

    /// libgit2 1.5.1 reports a failed ownership check as "config value 'safe.directory' was not
    /// found" (GIT_ENOTFOUND) when no safe.directory is configured, so the owner is checked here.
    private static func isOwnedByAnotherUser(_ path: String) -> Bool {
        var info = stat()
        for candidate in [path + "/.git", path] where lstat(candidate, &info) == 0 {
            let looksLikeGit = candidate.hasSuffix("/.git") || FileManager.default.fileExists(atPath: path + "/HEAD")
            if looksLikeGit { return info.st_uid != geteuid() }
        }
        return false
    }

    /// True when `path` holds a Git repository (a `.git` folder or file, or is a bare one).
    public static func exists(at path: String) -> Bool {
        ensureLibraryInitialized()
        var out: OpaquePointer?
        let result = git_repository_open_ext(&out, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        if let out { git_repository_free(out) }
        return result == 0 || result == GIT_EOWNER.rawValue
    }

    /// Creates a repository with a work tree at `path` (making folders as needed), HEAD on `branch`.
    public static func create(at path: String, initialBranch: String = "main") throws -> GitRepository {
        ensureLibraryInitialized()
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)))
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
        var out: OpaquePointer?
        let result = initialBranch.withCString { branch -> Int32 in
            options.initial_head = branch
            return git_repository_init_ext(&out, path, &options)
        }
        try check(result)
        return GitRepository(handle: RepositoryHandle(out!))
    }

    /// Where HEAD points now.
    public func head() throws -> HeadState {
        var reference: OpaquePointer?
        try check(git_reference_lookup(&reference, handle.pointer, "HEAD"))
        let head = GitReference(reference!)
        guard git_reference_type(head.pointer) == GIT_REFERENCE_SYMBOLIC else {
            return HeadState(branch: nil, commit: ObjectID(git_reference_target(head.pointer).pointee))
        }
        let branch = String(cString: git_reference_symbolic_target(head.pointer))
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, handle.pointer, branch)
        if result == GIT_ENOTFOUND.rawValue { return HeadState(branch: branch, commit: nil) }
        try check(result)
        return HeadState(branch: branch, commit: ObjectID(oid))
    }

    /// A value from Git's configuration (repository, then global and system), nil when unset.
    public func configValue(_ key: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, handle.pointer) == 0, let config else { return nil }
        let snapshot = GitConfig(config)
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, snapshot.pointer, key) == 0, let value else { return nil }
        return String(cString: value)
    }

    /// A value from the user's global and system Git configuration, for when there is no repository yet.
    public static func globalConfigValue(_ key: String) -> String? {
        ensureLibraryInitialized()
        var config: OpaquePointer?
        guard git_config_open_default(&config) == 0, let config else { return nil }
        let owned = GitConfig(config)
        var snapshot: OpaquePointer?
        guard git_config_snapshot(&snapshot, owned.pointer) == 0, let snapshot else { return nil }
        let frozen = GitConfig(snapshot)
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, frozen.pointer, key) == 0, let value else { return nil }
        return String(cString: value)
    }

    /// Sets a value in the repository's own configuration (`.git/config`).
    public func setConfigValue(_ key: String, _ value: String) throws {
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle.pointer))
        let owned = GitConfig(config!)
        try check(git_config_set_string(owned.pointer, key, value))
    }

    // MARK: Reading

    /// The content of `path` at `commit` (HEAD when nil); nil when the file is not there.
    public func readFile(_ path: String, at commit: ObjectID? = nil) throws -> Data? {
        try validate(path)
        guard let tree = try tree(at: commit) else { return nil }
        guard let id = try tree.entryID(at: path) else { return nil }
        return try blobContent(id)
    }

    /// The content of a blob.
    public func blob(_ id: ObjectID) throws -> Data {
        try blobContent(id.oid)
    }

    /// The id of the blob or tree at `path` in `commit` (HEAD when nil); nil when nothing is there.
    /// Equal ids mean equal content, so this tells in one lookup whether a whole folder changed.
    public func entryID(_ path: String, at commit: ObjectID? = nil) throws -> ObjectID? {
        try validate(path)
        guard let tree = try tree(at: commit) else { return nil }
        return try tree.entryID(at: path).map(ObjectID.init)
    }

    /// The entries directly inside `folder` at `commit` (HEAD when nil): names and ids, no walk
    /// below them. A folder whose id is unchanged holds exactly what it held before.
    public func entries(in folder: String, at commit: ObjectID? = nil) throws -> [(name: String, id: ObjectID)] {
        try validate(folder)
        guard let root = try tree(at: commit) else { return [] }
        return try TreeView(tree: root, repository: self).entries(in: folder)
    }

    /// Every file below `folder` ("" for the whole tree) at `commit` (HEAD when nil), sorted by path.
    /// Only ids are read, no content, so this is cheap even for large trees.
    public func files(under folder: String, at commit: ObjectID? = nil) throws -> [TreeFile] {
        guard let root = try tree(at: commit) else { return [] }
        var start = root
        let prefix = folder.trimmingSlash
        if !prefix.isEmpty {
            try validate(prefix)
            guard let id = try root.entryID(at: prefix) else { return [] }
            var object: OpaquePointer?
            var oid = id
            let result = git_tree_lookup(&object, handle.pointer, &oid)
            if result == GIT_ENOTFOUND.rawValue || result == GIT_EINVALIDSPEC.rawValue { return [] }
            guard result == 0 else { return [] }  // a file where a folder was asked for
            start = GitTree(object!, owner: handle)
        }
        let box = TreeWalkBox(prefix: prefix.isEmpty ? "" : prefix + "/")
        let payload = Unmanaged.passUnretained(box).toOpaque()
        try check(git_tree_walk(start.pointer, GIT_TREEWALK_PRE, { root, entry, payload in
            guard let entry, let payload, git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return 0 }
            let box = Unmanaged<TreeWalkBox>.fromOpaque(payload).takeUnretainedValue()
            let name = String(cString: git_tree_entry_name(entry))
            let folder = root.map { String(cString: $0) } ?? ""
            box.files.append(TreeFile(path: box.prefix + folder + name, blob: ObjectID(git_tree_entry_id(entry).pointee)))
            return 0
        }, payload))
        return box.files.sorted { $0.path < $1.path }
    }

    // MARK: Internals shared by the other files

    func tree(at commit: ObjectID?) throws -> GitTree? {
        let id: ObjectID
        if let commit {
            id = commit
        } else {
            guard let headCommit = try head().commit else { return nil }
            id = headCommit
        }
        return try GitCommit.lookup(id.oid, in: handle).tree()
    }

    func blobContent(_ id: git_oid) throws(GitError) -> Data {
        var object: OpaquePointer?
        var oid = id
        try check(git_blob_lookup(&object, handle.pointer, &oid))
        defer { git_blob_free(object) }
        let size = Int(git_blob_rawsize(object))
        guard size > 0, let raw = git_blob_rawcontent(object) else { return Data() }
        return Data(bytes: raw, count: size)
    }

    /// Rejects paths that could leave the repository or that Git cannot store.
    func validate(_ path: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let bad = path.isEmpty || path.hasPrefix("/") || path.contains("\0") || path.contains("\\")
            || parts.contains { $0.isEmpty || $0 == "." || $0 == ".." || $0.lowercased() == ".git" }
        if bad { throw GitStoreError.invalidPath(path) }
    }
}

private final class TreeWalkBox {
    let prefix: String
    var files: [TreeFile] = []
    init(prefix: String) { self.prefix = prefix }
}

extension String {
    var trimmingSlash: String {
        var text = self
        while text.count > 1, text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
