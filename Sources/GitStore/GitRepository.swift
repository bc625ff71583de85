internal import CGit2
public import Foundation

/// An open Git repository: the only door to libgit2 in the project.
public final class GitRepository {
    let handle: RepositoryHandle
    /// The work tree root without a trailing slash, nil for a bare repository.
    public let workTree: String?
    /// The `.git` folder, without a trailing slash.
    public let gitDirectory: String
    /// The name of the program writing through this library, which names every trace a write
    /// leaves: the writer lock `.git/<writerName>.lock`, the folder `.git/<writerName>/` (intent
    /// record of a write in progress), the work-tree temp files `.<writerName>-<pid>-<n>.tmp`,
    /// the marker `<writerName>-writer pid ...` in Git lock files it holds, and the suffix
    /// `(<writerName>)` of its reflog messages. The caller names them after itself.
    public var writerName = "gitstore"
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
        do throws(GitError) {
            return GitRepository(handle: try openHandle(path))
        } catch {
            if error.isNotOwner || (error.isNotFound && isOwnedByAnotherUser(path)) {
                throw GitStoreError.notOwner(path: path)
            }
            if error.isNotFound { throw GitStoreError.notARepository(path: path) }
            throw error
        }
    }

    static func openHandle(_ path: String) throws(GitError) -> RepositoryHandle {
        try owned(by: RepositoryHandle.init) {
            git_repository_open_ext(&$0, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        }
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

    /// True when `path` holds a Git repository (a `.git` folder or file, or is a bare one), even
    /// one owned by another user; throws when libgit2 cannot tell.
    public static func exists(at path: String) throws -> Bool {
        ensureLibraryInitialized()
        do throws(GitError) {
            _ = try openHandle(path)
            return true
        } catch {
            if error.isNotOwner { return true }
            if error.isNotFound { return false }
            throw error
        }
    }

    /// Creates a repository with a work tree at `path` (making folders as needed), HEAD on `branch`.
    public static func create(at path: String, initialBranch: String = "main") throws -> GitRepository {
        ensureLibraryInitialized()
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)))
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
        let handle = try initialBranch.withCString { branch throws(GitError) -> RepositoryHandle in
            options.initial_head = branch
            return try owned(by: RepositoryHandle.init) { git_repository_init_ext(&$0, path, &options) }
        }
        return GitRepository(handle: handle)
    }

    /// Where HEAD points now.
    public func head() throws -> HeadState {
        let head = try owned(by: GitReference.init) { git_reference_lookup(&$0, handle.pointer, "HEAD") }
        guard git_reference_type(head.pointer) == GIT_REFERENCE_SYMBOLIC else {
            return HeadState(branch: nil, commit: ObjectID(git_reference_target(head.pointer).pointee))
        }
        let branch = String(cString: git_reference_symbolic_target(head.pointer))
        var oid = git_oid()
        guard try found(git_reference_name_to_id(&oid, handle.pointer, branch)) else { return HeadState(branch: branch, commit: nil) }
        return HeadState(branch: branch, commit: ObjectID(oid))
    }

    /// A value from Git's configuration (repository, then global and system), nil when unset.
    public func configValue(_ key: String) throws -> String? {
        try owned(by: GitConfig.init) { git_repository_config_snapshot(&$0, handle.pointer) }.string(key)
    }

    /// A value from the user's global and system Git configuration, for when there is no repository yet.
    public static func globalConfigValue(_ key: String) throws -> String? {
        ensureLibraryInitialized()
        let config = try owned(by: GitConfig.init) { git_config_open_default(&$0) }
        return try owned(by: GitConfig.init) { git_config_snapshot(&$0, config.pointer) }.string(key)
    }

    /// Sets a value in the repository's own configuration (`.git/config`).
    public func setConfigValue(_ key: String, _ value: String) throws {
        let config = try owned(by: GitConfig.init) { git_repository_config(&$0, handle.pointer) }
        try check(git_config_set_string(config.pointer, key, value))
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
            // Nothing there, or a file where a folder was asked for: no files below it.
            guard let entry = try root.entry(at: prefix), entry.isTree else { return [] }
            start = try GitTree.lookup(entry.id, in: handle)
        }
        // The walk reads every folder's tree through handles of its own, each replaced after
        // 4,096 trees: libgit2's object cache keeps every tree a handle read until the handle
        // goes, which at 100k incidents held 94 MB until the walk was over.
        var walker = try Self.openHandle(gitDirectory)
        var read = 0
        var files: [TreeFile] = []
        func walk(_ tree: GitTree, _ folder: String) throws {
            for index in 0..<git_tree_entrycount(tree.pointer) {
                let entry = git_tree_entry_byindex(tree.pointer, index)!
                let id = git_tree_entry_id(entry).pointee
                switch git_tree_entry_type(entry) {
                case GIT_OBJECT_BLOB:
                    files.append(TreeFile(path: Self.path(folder, git_tree_entry_name(entry)), blob: ObjectID(id)))
                case GIT_OBJECT_TREE:
                    read += 1
                    if read.isMultiple(of: 4096) { walker = try Self.openHandle(gitDirectory) }
                    try walk(GitTree.lookup(id, in: walker), Self.path(folder, git_tree_entry_name(entry), slash: true))
                default:
                    continue  // a submodule's commit
                }
            }
        }
        try walk(start, prefix.isEmpty ? "" : prefix + "/")
        files.sort { $0.path < $1.path }
        return files
    }

    /// `folder` then `name` (then a slash), made at its exact size: a listing of 100k incidents
    /// holds all their paths at once, and `folder + name` left room to grow in each (14 MB, not 8).
    private static func path(_ folder: String, _ name: UnsafePointer<CChar>, slash: Bool = false) -> String {
        var folder = folder
        let nameCount = strlen(name)
        return folder.withUTF8 { head in
            String(unsafeUninitializedCapacity: head.count + nameCount + (slash ? 1 : 0)) { buffer in
                let base = UnsafeMutableRawPointer(buffer.baseAddress!)
                if let start = head.baseAddress { base.copyMemory(from: start, byteCount: head.count) }
                (base + head.count).copyMemory(from: name, byteCount: nameCount)
                if slash { buffer[head.count + nameCount] = 0x2F }
                return buffer.count
            }
        }
    }

    // MARK: Internals shared by the other files

    /// A reflog message for `action`, marked as this writer's: `commit (<writerName>)`.
    func reflogMessage(_ action: String) -> String { "\(action) (\(writerName))" }

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
        try GitBlob.lookup(id, in: handle).content
    }

    /// Rejects paths that could leave the repository or that Git cannot store.
    func validate(_ path: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let bad =
            path.isEmpty || path.hasPrefix("/") || path.contains("\0") || path.contains("\\")
            || parts.contains { $0.isEmpty || $0 == "." || $0 == ".." || $0.lowercased() == ".git" }
        if bad { throw GitStoreError.invalidPath(path) }
    }
}

extension String {
    var trimmingSlash: String {
        var text = self
        while text.count > 1, text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
