public import Foundation

/// `sync: auto` in ops.yaml: after a command committed a change, `ops sync` runs in a child
/// process of its own session. The command waits for it at most `timeLimit`; a sync that takes
/// longer goes on in the background (its output in `.git/ops/auto-sync.log`), and a sync that
/// fails only says so: the change itself is committed either way.
public enum AutoSync {
    /// How long a write waits for its sync.
    public static let timeLimit: TimeInterval = 3
    /// A background sync that hangs (a remote that accepts and never answers) ends after this.
    public static let backgroundLimit: UInt32 = 120

    public enum Outcome: Equatable, Sendable {
        case synced(String)
        case failed(String)
        case continuing(log: String)
    }

    /// Starts `executable -C root sync --background --as AUTHOR` and waits up to `limit`.
    public static func run(_ workspace: Workspace, executable: String, author: Author, limit: TimeInterval = timeLimit) -> Outcome {
        let log = workspace.gitDirectory + "/ops/auto-sync.log"
        try? FileManager.default.createDirectory(atPath: workspace.gitDirectory + "/ops", withIntermediateDirectories: true)
        let arguments = [executable, "-C", workspace.root, "sync", "--background", "--as", "\(author.name) <\(author.email)>"]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own session: a terminal's Ctrl-C or hang-up after the command returned does not stop it.
        // glibc's POSIX_SPAWN_SETSID (0x80, glibc 2.26+) is declared only under _GNU_SOURCE.
        let setSessionID: Int16 = 0x80
        posix_spawnattr_setflags(&attributes, setSessionID)
        // Descriptors this process inherited (the pipes a script reads our output from) must not
        // stay open in a sync that outlives us, or the script never sees the end of our output.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(name), fd > 2 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard spawned == 0 else { return .failed("cannot start ops sync: \(String(cString: strerror(spawned)))") }

        let deadline = Date().addingTimeInterval(limit)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                let line = said.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? ""
                let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
                return exited && code == 0 ? .synced(line) : .failed(line.hasPrefix("ops: ") ? String(line.dropFirst(5)) : line)
            }
            usleep(10_000)
        }
        return .continuing(log: ".git/ops/auto-sync.log")
    }
}
