import Foundation

/// A throwaway PostgreSQL server on a free loopback port, from Debian's `postgresql` package
/// (`/usr/lib/postgresql/<version>/bin`): a fresh cluster in a temp folder, one user with a
/// password (SCRAM-SHA-256, as production servers ask), one database, no fsync. For the tests of
/// PostgreSQL datasets (OpsKitTests) and of `ops checks run` (OpsCLITests).
///
/// `initdb` and `postgres` refuse to run as root, so as root they run as the `postgres` user,
/// owning the folder. Call `stop()` when done (a `defer` right after `start()`); it is also
/// called at `deinit`.
public final class LoopbackPostgres: @unchecked Sendable {  // mutable only in stop(), called once from the test's thread
    public let port: Int
    public let user = "ops_checker"
    public let password: String
    public let database = "checks"
    /// The temp folder holding the cluster (`data/`), its log and the Unix socket.
    public let directory: URL
    private let bin: URL
    /// The server itself, a child of the test (through runuser as root), never a daemon: Foundation
    /// learns that a child ended when every holder of a socket it shares with the child closes it,
    /// so a daemon started by `pg_ctl start` would keep that socket and hang the wait for pg_ctl.
    private var server: Process?

    /// `postgres://ops_checker:…@127.0.0.1:PORT/checks?sslmode=disable`, for the variable a check names.
    public var url: String { url(password: password) }

    /// The same URL with another password (for a test of a wrong one) or database.
    public func url(password: String, database: String? = nil) -> String {
        "postgres://\(user):\(password)@127.0.0.1:\(port)/\(database ?? self.database)?sslmode=disable"
    }

    /// The highest installed version's binaries folder, or nil when `postgresql` is not installed.
    public static func binaries() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.compactMap { version in Int(version).map { ($0, root.appendingPathComponent(version).appendingPathComponent("bin")) } }
            .filter { FileManager.default.isExecutableFile(atPath: $0.1.appendingPathComponent("initdb").path) }
            .max { $0.0 < $1.0 }?.1
    }

    /// Makes a cluster and starts it; throws with initdb's or the server's log when either fails.
    public static func start() throws -> LoopbackPostgres {
        guard let bin = binaries() else {
            throw Failure("no PostgreSQL server under /usr/lib/postgresql/*/bin; install Debian's postgresql package (make deps)")
        }
        var lastError: (any Error)?
        // A free port can be taken between the probe and the bind: try another one.
        for _ in 0..<3 {
            do { return try LoopbackPostgres(bin: bin, port: try freePort()) } catch { lastError = error }
        }
        throw lastError ?? Failure("PostgreSQL did not start")
    }

    private init(bin: URL, port: Int) throws {
        self.bin = bin
        self.port = port
        password = "pw-" + UUID().uuidString.prefix(12)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ops-postgres-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let passwordFile = directory.appendingPathComponent("password")
        try Data(password.utf8).write(to: passwordFile)
        if getuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres:postgres", directory.path]) }
        do {
            try runAsOwner(
                "initdb",
                ["-D", data, "-U", user, "--auth=scram-sha-256", "--pwfile=\(passwordFile.path)", "-E", "UTF8", "--no-locale", "--no-sync"])
            let server = try launchAsOwner(
                "postgres",
                [
                    "-D", data, "-F", "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=\(directory.path)", "-c",
                    "max_connections=20",
                ])
            self.server = server
            try waitUntilReady(server)
            try psql("CREATE DATABASE \(database)", database: "postgres")
        } catch {
            let log = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            stop()
            throw Failure("\(error)\n\(log)")
        }
    }

    deinit { stop() }

    /// Stops the server at once (SIGQUIT: no checkpoint, the cluster is thrown away), waits for
    /// it to end, and removes its folder.
    public func stop() {
        if let server {
            self.server = nil
            if let pid = try? String(contentsOfFile: directory.appendingPathComponent("data/postmaster.pid").path, encoding: .utf8)
                .split(separator: "\n").first.flatMap({ pid_t($0) })
            {
                kill(pid, SIGQUIT)
            }
            server.terminate()
            server.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits (up to 30 s) until the server takes connections; fails at once if it ended.
    private func waitUntilReady(_ server: Process) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard server.isRunning else { throw Failure("postgres ended as it started") }
            if (try? Self.run(bin.appendingPathComponent("pg_isready").path, ["-q", "-h", "127.0.0.1", "-p", String(port)])) != nil { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure("postgres did not take connections within 30 s")
    }

    /// Runs SQL (any number of statements) through psql as the cluster's user, stopping at the
    /// first error; returns the rows unaligned, `|` between fields.
    @discardableResult
    public func psql(_ sql: String, database: String? = nil) throws -> String {
        try Self.run(
            bin.appendingPathComponent("psql").path,
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database ?? self.database, "-f", "-"],
            input: sql, environment: ["PGPASSWORD": password])
    }

    private var data: String { directory.appendingPathComponent("data").path }
    private var log: String { directory.appendingPathComponent("server.log").path }

    private func runAsOwner(_ tool: String, _ arguments: [String]) throws {
        let (path, arguments) = asOwner(tool, arguments)
        try Self.run(path, arguments)
    }

    /// Starts `tool` as the cluster's owner and returns at once; its output goes to the log.
    private func launchAsOwner(_ tool: String, _ arguments: [String]) throws -> Process {
        let (path, arguments) = asOwner(tool, arguments)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        return process
    }

    /// `initdb` and `postgres` refuse to run as root: as root, they run as `postgres`.
    private func asOwner(_ tool: String, _ arguments: [String]) -> (String, [String]) {
        let path = bin.appendingPathComponent(tool).path
        return getuid() == 0 ? ("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments) : (path, arguments)
    }

    @discardableResult
    private static func run(_ path: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Output to a file, read once the tool has ended: a pipe could fill and block it.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ops-postgres-out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        try handle.close()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failure("\(URL(fileURLWithPath: path).lastPathComponent) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
        }
        return text
    }

    /// A port nothing listens on now: bound to port 0 and released.
    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure("no socket for a port probe") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw Failure("cannot probe a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Why the server could not be made or used, with the tool's output.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
