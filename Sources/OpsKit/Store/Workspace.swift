public import Foundation
import GitStore

/// An open ops repository: finds it, reads its configuration, and commits changes through GitStore.
public final class Workspace {
    /// The repository root (the Git work tree holding ops.yaml).
    public let root: String
    public let environment: [String: String]
    /// Now, as the commands see it: injected so tests and outputs are deterministic.
    public let clock: @Sendable () -> Date
    let repository: GitRepository
    private var cachedConfig: OpsConfig?
    /// Who made the last commit through this workspace, nil while it made none (for `sync: auto`).
    public private(set) var lastCommitAuthor: Author?
    /// Randomness for new ids: the system's, or a seeded one in tests.
    var random: any RandomNumberGenerator

    public init(
        root: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: @escaping @Sendable () -> Date = { Date() },
        random: any RandomNumberGenerator = SystemRandomNumberGenerator()
    ) throws {
        self.root = root
        self.environment = environment
        // Times are stored to the second; comparing against fractions would see changes that are not there.
        self.clock = { Date(timeIntervalSince1970: clock().timeIntervalSince1970.rounded(.down)) }
        self.random = random
        repository = try OpsError.wrapping { try GitRepository.open(root) }
        repository.writerName = "ops"
        repository.onNotice = { Self.report($0) }
        // A write killed earlier is finished or undone by the next command, even one that only
        // reads; a lock in the way is for the next write to report.
        try? repository.recoverInterruptedWriteIfAny()
    }

    /// A notice of the store as one line on standard error; waiting only on a terminal.
    static func report(_ notice: WriteNotice) {
        let line: String
        switch notice {
        case .waiting(let lock, let holder):
            guard isatty(STDERR_FILENO) == 1 else { return }
            line = "Waiting for \(holder) to release \(lock)..."
        case .completedInterruptedWrite(let commit, let pid):
            line = "Finished an ops write that was interrupted (pid \(pid)): commit \(commit.short) is now in the work tree and index."
        case .rolledBackInterruptedWrite(let pid):
            line = "Undid an ops write that was interrupted before it committed (pid \(pid)); nothing of it was kept."
        case .removedStaleLock(let path, let reason):
            line = "Removed \(path), \(reason)."
        case .restoredStaleEntry(let path):
            line = "\(path) was staged at an older committed version (a write interrupted by an older ops); replaced it with the new version."
        case .keptEdit(let path):
            line = "Left your edit of \(path) as it is; the last commit has the version ops wrote (git diff HEAD -- \(path))."
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Finds the ops repository like Git finds its own: from `-C DIR`, then `OPS_REPO`, then the
    /// current folder, walking up to the first folder with a `.git`; that folder must hold ops.yaml.
    public static func locate(directory: String?, environment: [String: String], currentDirectory: String) throws -> String {
        let start: String
        if let directory {
            start = absolute(directory, from: currentDirectory)
        } else if let repo = environment["OPS_REPO"], !repo.isEmpty {
            start = absolute(repo, from: currentDirectory)
        } else {
            start = currentDirectory
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: start, isDirectory: &isFolder), isFolder.boolValue else {
            let source = directory != nil ? "-C" : "OPS_REPO"
            throw OpsError.input("\(start) (from \(source)) is not a folder. Give the folder of your ops repository")
        }
        var folder = URL(fileURLWithPath: start).standardizedFileURL.path
        while true {
            if FileManager.default.fileExists(atPath: folder + "/.git") {
                guard FileManager.default.fileExists(atPath: folder + "/" + OpsConfig.path) else {
                    throw OpsError.repository("\(folder) is a Git repository but not an ops repository (no ops.yaml). Run `ops init \(folder)` to set it up")
                }
                return folder
            }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { break }
            folder = parent
        }
        throw OpsError.repository(
            "not inside an ops repository (searched \(start) and its parents). Run `ops init` to create one here, or pass -C DIR or set OPS_REPO")
    }

    /// `path` made absolute against `base`, with `~` expanded and `.`, `..` resolved.
    public static func absolute(_ path: String, from base: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : URL(fileURLWithPath: base).appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }

    /// The `.git` folder, where derived caches live.
    public var gitDirectory: String { repository.gitDirectory }

    // MARK: Configuration

    /// `ops.yaml` as it is in the work tree, read once per command.
    public func config() throws -> OpsConfig {
        if let cachedConfig { return cachedConfig }
        guard let text = try readWorkTreeFile(OpsConfig.path) else {
            throw OpsError.repository("\(root)/\(OpsConfig.path) is missing. Run `ops init` to write one")
        }
        let config = try OpsConfig.load(text)
        cachedConfig = config
        return config
    }

    /// Who is making the change: `--as`, then `OPS_USER`, then Git's identity.
    public func author(_ explicit: String?) throws -> Author {
        try Author.resolve(
            explicit: explicit, environment: environment, people: config().people,
            gitConfig: { try self.repository.configValue($0) })
    }

    // MARK: Files

    /// A work-tree file as text, nil when absent.
    public func readWorkTreeFile(_ path: String) throws -> String? {
        let full = root + "/" + path
        guard FileManager.default.fileExists(atPath: full) else { return nil }
        guard let data = FileManager.default.contents(atPath: full) else {
            throw OpsError.repository("cannot read \(path)")
        }
        return try UTF8Text.decode(data, path: path)
    }

    /// The size in bytes of a work-tree file, nil when it cannot be found.
    func workTreeFileSize(_ path: String) -> Int? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + path)
        return (attributes?[.size] as? NSNumber)?.intValue
    }

    /// Work-tree files below `folder` ending in one of `extensions`, sorted; hidden entries skipped.
    public func workTreeFiles(under folder: String, extensions: Set<String>) -> [String] {
        let base = URL(fileURLWithPath: root).appendingPathComponent(folder)
        guard
            let enumerator = FileManager.default.enumerator(
                at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var paths: [String] = []
        let prefix = root.hasSuffix("/") ? root : root + "/"
        for case let url as URL in enumerator where extensions.contains(url.pathExtension) {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = url.standardizedFileURL.path
            if path.hasPrefix(prefix) { paths.append(String(path.dropFirst(prefix.count))) }
        }
        return paths.sorted()
    }

    /// A new id of `kind` dated `date` (UTC).
    public func makeID(kind: String, at date: Date) -> DocumentID {
        var generator = AnyGenerator(base: random)
        defer { random = generator.base }
        return DocumentID.make(kind: kind, at: date, using: &generator)
    }

    // MARK: Committed documents

    /// Files below `folder` in the last commit, with their blob ids; no content is read.
    func committedFiles(under folder: String) throws -> [TreeFile] {
        try OpsError.wrapping { try repository.files(under: folder) }
    }

    /// The names and ids directly inside a committed folder; empty when absent.
    func committedEntries(in folder: String) throws -> [(name: String, id: ObjectID)] {
        try OpsError.wrapping { try repository.entries(in: folder) }
    }

    /// The id of the committed tree or blob at `path`, nil when absent.
    /// False when HEAD is detached (a pipeline's checkout of one commit): there is no branch to commit to.
    func isOnBranch() throws -> Bool {
        try OpsError.wrapping { try repository.head().branch != nil }
    }

    func committedEntryID(_ path: String, at commit: ObjectID? = nil) throws -> ObjectID? {
        try OpsError.wrapping { try repository.entryID(path, at: commit) }
    }

    /// A unified diff between two committed blobs (nil: nothing), for showing what changed.
    func diff(from old: ObjectID?, to new: ObjectID?, oldPath: String, newPath: String) throws -> String {
        try OpsError.wrapping { try repository.diff(from: old, to: new, oldPath: oldPath, newPath: newPath) }
    }

    /// A committed file's content by blob id, as UTF-8 text.
    func text(of file: TreeFile) throws -> String { try Self.text(of: file, in: repository) }

    /// `text(of:)` from `repository`, a handle of this repository's own (another thread's).
    static func text(of file: TreeFile, in repository: GitRepository) throws -> String {
        let data = try OpsError.wrapping { try repository.blob(file.blob) }
        return try UTF8Text.decode(data, path: file.path)
    }

    /// A committed file as text, nil when absent.
    func committedText(_ path: String) throws -> String? {
        try OpsError.wrapping { try repository.readFile(path).map { try UTF8Text.decode($0, path: path) } }
    }

    /// When the newest change was recorded by `instant`: the latest author date up to it of a
    /// commit reachable from HEAD that is not one of `action`'s own commits (`Ops-Action:
    /// ACTION`). A commit dated later (a clone whose clock runs ahead) is not seen.
    func newestChange(by instant: Date, notMadeBy action: String) throws -> Date? {
        let trailer = "Ops-Action: " + action
        return try OpsError.wrapping {
            try repository.newestChange(notAfter: instant) { !$0.split(separator: "\n").contains { $0 == trailer } }
        }
    }

    // MARK: Writing

    /// Commits the files `build` returns as one commit with `Ops-Action` and `Ops-Id` trailers
    /// (`id`, then `ids`, which, like `subject` and `body`, is read after `build` ran).
    /// The commit carries the team's zone offset (`timeZone`, or ops.yaml's).
    /// `build` may run more than once when another writer commits meanwhile; it must only read
    /// through the snapshot. Returns nil when nothing changed.
    ///
    /// `announcing`, read after `build` like the subject, names the messages the change sends:
    /// they are recorded in the outbox with the commit, and become pending exactly when it lands
    /// (`Outbox.Recording`); sending them is the caller's next step (`NotifyService.deliver`).
    /// `sign` signs the commit (`CommitSigner`): it gets the commit's bytes, returns the signature.
    @discardableResult
    func commit(
        action: String,
        id: String? = nil,
        subject: @autoclosure () -> String,
        body: @autoclosure () -> String = "",
        ids: @autoclosure () -> [String] = [],
        author: Author,
        timeZone: TimeZone? = nil,
        announcing: @autoclosure () -> [Announcement] = [],
        sign: ((Data) throws -> String)? = nil,
        build: (Snapshot) throws -> [FileChange]
    ) throws -> ObjectID? {
        func message() -> CommitMessage {
            let trailers = [Trailer("Ops-Action", action)] + ((id.map { [$0] } ?? []) + ids()).map { Trailer("Ops-Id", $0) }
            return CommitMessage(subject: subject(), body: body(), trailers: trailers)
        }
        let signature = self.signature(author, timeZone: timeZone)
        let recording = Outbox.Recording(outbox)
        do {
            let made = try repository.commit(
                message(), author: signature, sign: sign,
                prepared: { commit in
                    let announcements = announcing()
                    guard !announcements.isEmpty || !recording.names.isEmpty else { return }
                    try recording.hold(announcements, commit: commit.hex)
                }, build: build)
            recording.finish(made?.hex)
            if made != nil { lastCommitAuthor = author }
            return made
        } catch {
            recording.abandon()
            throw OpsError.from(error)
        }
    }

    /// This clone's outbox, `.git/ops/outbox/`: never carried by sync.
    var outbox: Outbox {
        Outbox(folder: gitDirectory + "/" + repository.writerName + "/outbox", clock: clock) { [repository] hex in
            guard let commit = ObjectID(hex: hex) else { return false }
            return try OpsError.wrapping { try repository.isInHistory(commit) }
        }
    }
}

extension Workspace {
    /// `author` as Git records them now, with the team's zone offset (`timeZone`, or ops.yaml's),
    /// so `git log` shows the times people remember.
    func signature(_ author: Author, timeZone: TimeZone? = nil) -> Signature {
        let now = clock()
        let zone = timeZone ?? (try? config().timeZone) ?? TimeZone.current
        return Signature(name: author.name, email: author.email, date: now, offsetMinutes: zone.secondsFromGMT(for: now) / 60)
    }
}

/// Lets a stored `any RandomNumberGenerator` be passed where a concrete generator is needed.
private struct AnyGenerator: RandomNumberGenerator {
    var base: any RandomNumberGenerator
    mutating func next() -> UInt64 { base.next() }
}
