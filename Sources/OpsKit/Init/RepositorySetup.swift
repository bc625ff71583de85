public import Foundation
import GitStore
import Yams

/// `ops init`: creates an ops repository, or adopts an existing Git repository, in one commit.
public enum RepositorySetup {
    /// What `ops init` did.
    public struct Result: Sendable, Equatable {
        public var root: String
        /// True when there was no Git repository and one was created.
        public var createdRepository: Bool
        /// The commit made, nil when everything was already there.
        public var commit: String?
        /// Files added, by path.
        public var added: [String]
        /// Starter files left alone because the repository already has them.
        public var kept: [String]
    }

    /// Sets up `path` as an ops repository. Starter files the repository already has (committed
    /// or in the work tree) are kept as they are; the rest are added in one commit. Running it
    /// again adds nothing and makes no commit. On failure, a folder it created is removed.
    public static func run(
        at path: String,
        example: Bool,
        author explicit: String?,
        environment: [String: String],
        currentDirectory: String,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> Result {
        let root = Workspace.absolute(path, from: currentDirectory)
        var isFolder: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: root, isDirectory: &isFolder)
        if existed && !isFolder.boolValue {
            throw OpsError.input("\(root) is a file. Give ops init a folder")
        }
        let hasRepository = try existed && GitRepository.exists(at: root)
        if !hasRepository, let outer = enclosingOpsRepository(of: root) {
            throw OpsError.input("\(root) is inside the ops repository \(outer). Run ops commands there, or choose a folder outside it")
        }
        let team = (root as NSString).lastPathComponent
        let files = StarterKit.files(example: example, team: team.isEmpty ? "ops" : team, timeZone: localTimeZone())

        // The author comes from the configuration being installed (or kept), so `--as alice`
        // works with `--example`; resolve it before anything is written.
        // An ops.yaml the repository already has must load: init does not commit next to a broken one.
        let existingConfig = try? String(contentsOfFile: root + "/" + OpsConfig.path, encoding: .utf8)
        let configText = existingConfig ?? files.first { $0.path == OpsConfig.path }!.content
        let config = try OpsConfig.load(configText)
        let people = config.people
        let gitConfig: (String) throws -> String? = { key in
            guard hasRepository else { return try GitRepository.globalConfigValue(key) }
            return try (try? GitRepository.open(root))?.configValue(key)
        }
        let author: Author
        do {
            author = try Author.resolve(explicit: explicit, environment: environment, people: people, gitConfig: gitConfig)
        } catch  where people.isEmpty && explicit == nil {
            // OPS_USER names a handle, but a new ops.yaml lists nobody yet: sign as Git's user instead.
            author = try Author.resolve(explicit: nil, environment: [:], people: people, gitConfig: gitConfig)
        }

        let createdFolder = !existed
        do {
            if !hasRepository { _ = try GitRepository.create(at: root) }
            let workspace = try Workspace(root: root, environment: environment, clock: clock)
            var added: [String] = []
            var kept: [String] = []
            let commit = try workspace.commit(
                action: "init", subject: "ops: set up the ops repository",
                author: author, timeZone: config.timeZone
            ) { snapshot in
                added = []
                kept = []
                var changes: [FileChange] = []
                for file in files {
                    let inWorkTree = FileManager.default.fileExists(atPath: root + "/" + file.path)
                    if try snapshot.read(file.path) != nil || inWorkTree {
                        kept.append(file.path)
                    } else {
                        added.append(file.path)
                        changes.append(.write(file.path, file.content))
                    }
                }
                return changes
            }
            return Result(root: root, createdRepository: !hasRepository, commit: commit?.hex, added: added, kept: kept)
        } catch {
            if createdFolder {
                try? FileManager.default.removeItem(atPath: root)
            } else if !hasRepository {
                try? FileManager.default.removeItem(atPath: root + "/.git")
            }
            throw OpsError.from(error)
        }
    }

    /// The ops repository a folder would be nested in, if any (an ancestor with .git and ops.yaml).
    static func enclosingOpsRepository(of folder: String) -> String? {
        var current = (folder as NSString).deletingLastPathComponent
        while !current.isEmpty && current != "/" {
            if FileManager.default.fileExists(atPath: current + "/.git"), FileManager.default.fileExists(atPath: current + "/" + OpsConfig.path) {
                return current
            }
            current = (current as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// The machine's IANA zone, or UTC when it has none.
    static func localTimeZone() -> String {
        let name = TimeZone.current.identifier
        return name.contains("/") && TimeZone(identifier: name) != nil ? name : "UTC"
    }
}
