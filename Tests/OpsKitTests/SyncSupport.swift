import Foundation

@testable import OpsKit

/// A bare repository standing in for the team's remote, and ops clones of it sharing one clock
/// (so "later" means the same on every clone), each with its own ID seed.
struct SyncFixture {
    let bare: String
    let clock = TestClock()
    let clones: [Workspace]
    let folders: [TempFolder]
    let alice = Author(handle: "alice", name: "Alice Martin", email: "alice@example.com")
    let bob = Author(handle: "bob", name: "Bob Okafor", email: "bob@example.com")
    let carol = Author(handle: "carol", name: "Carol Nguyen", email: "carol@example.com")

    init(clones count: Int) throws {
        let bare = FileManager.default.temporaryDirectory.appendingPathComponent("opskit-remote-\(UUID().uuidString).git").path
        _ = try run(["git", "init", "--bare", "-q", "-b", "main", bare])
        let first = try TempFolder()
        _ = try RepositorySetup.run(at: first.path, example: true, author: "alice", environment: [:], currentDirectory: "/")
        _ = try git(first.path, "remote", "add", "origin", bare)
        _ = try run(["git", "-C", first.path, "push", "-q", "origin", "main"])
        var folders = [first]
        for _ in 1..<count {
            let folder = try TempFolder()
            try FileManager.default.removeItem(atPath: folder.path)
            _ = try run(["git", "clone", "-q", bare, folder.path])
            folders.append(folder)
        }
        let clock = self.clock
        self.bare = bare
        self.folders = folders
        clones = try folders.enumerated().map { index, folder in
            try Workspace(root: folder.path, environment: [:], clock: { clock.now }, random: SeededGenerator(seed: UInt64(100 + index)))
        }
    }

    func sync(_ clone: Int, as author: Author? = nil) throws -> SyncService.Report {
        try SyncService(clones[clone]).sync(author: author ?? [alice, bob, carol][clone % 3])
    }

    func head(_ clone: Int) throws -> String {
        try git(folders[clone].path, "rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func tree(_ clone: Int) throws -> String {
        try git(folders[clone].path, "rev-parse", "HEAD^{tree}").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func status(_ clone: Int) throws -> String { try git(folders[clone].path, "status", "--porcelain") }

    func remove() {
        folders.forEach { $0.remove() }
        try? FileManager.default.removeItem(atPath: bare)
    }
}

/// Runs a command; throws with its output when it fails.
@discardableResult
func run(_ arguments: [String], in directory: String? = nil) throws -> String {
    var environment = ProcessInfo.processInfo.environment
    environment["GIT_AUTHOR_NAME"] = "Git Person"
    environment["GIT_AUTHOR_EMAIL"] = "git@example.com"
    environment["GIT_COMMITTER_NAME"] = "Git Person"
    environment["GIT_COMMITTER_EMAIL"] = "git@example.com"
    let (status, text) = try command(arguments, in: directory, environment: environment)
    guard status == 0 else {
        throw OpsError.repository("\(arguments.joined(separator: " ")) failed: \(text)")
    }
    return text
}

/// Starts a server process with posix_spawn, its standard streams on /dev/null. Not Foundation's
/// Process: its child reaper blocks in wait4 on a long-running child and stalls every other
/// Process call in the test run.
func spawnDaemon(_ arguments: [String]) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
    // The test runner's threads block some signals; a child inherits that mask unless told.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
    guard spawned == 0 else { throw OpsError.repository("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))") }
    return pid
}

/// Stops a server `spawnDaemon` started, and reaps it.
func stopDaemon(_ pid: pid_t) {
    guard pid > 0 else { return }
    kill(pid, SIGKILL)  // a throwaway server: nothing to shut down cleanly
    var status: Int32 = 0
    waitpid(pid, &status, 0)
}
