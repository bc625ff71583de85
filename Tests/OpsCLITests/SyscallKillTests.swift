import Foundation
import Testing

/// Writes killed at every file system call that changes something (strace counts them, then
/// kills the command at the first, the second, ... of each): whatever call a laptop dies in,
/// the next command finds the whole change or no trace of it and goes on by itself.
/// `OPS_KILL_SYSCALLS=all` adds every `openat` and `close` too (a longer run).
@Suite(.serialized, .tags(.integration)) struct SyscallKillTests {
    static let env = CrashSafetyTests.env
    static var syscalls: [String] {
        let changing = [
            "write", "pwrite64", "fsync", "fdatasync", "ftruncate", "rename", "renameat", "renameat2",
            "unlink", "unlinkat", "mkdir", "mkdirat", "link", "linkat",
        ]
        return ProcessInfo.processInfo.environment["OPS_KILL_SYSCALLS"] == "all" ? changing + ["openat", "close"] : changing
    }

    enum Kind: CaseIterable { case note, ack, backlog }

    @Test func writesKilledAtEveryFileSyscallOfThreeCommandsLeaveAllOrNothing() throws {
        let strace = ["/usr/bin/strace", "/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let tracer = try #require(strace, "strace is missing: make test and .ci/run install it")
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        func open(_ title: String) throws -> String {
            // --force: titles this alike would otherwise be taken for one incident opened twice.
            let result = try cli.ops(["incident", "open", title, "--sev", "SEV3", "--service", "ops_copilot", "--force"], in: repo, environment: Self.env)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let noted = try open("Noted while killed")
        var acked: [String] = []
        func arguments(_ kind: Kind, _ marker: String) throws -> [String] {
            switch kind {
            case .note: return ["incident", "note", noted, "note \(marker)"]
            case .ack:
                acked.append(try open("To ack \(marker)"))
                return ["incident", "ack", acked.last!]
            case .backlog: return ["backlog", "add", "Item \(marker)"]
            }
        }
        var promised: [(kind: Kind, arguments: [String], stdout: String)] = []
        var kills = 0

        for kind in Kind.allCases {
            // One traced run that is let finish counts the calls of each kind.
            let counted = try arguments(kind, "counted")
            let log = cli.home + "/strace.log"
            let dry = try Self.run(
                [tracer, "-f", "-qq", "-o", log, "-e", "trace=" + Self.syscalls.joined(separator: ","), CLI.binary] + counted,
                in: repo, home: cli.home)
            #expect(dry.status == 0)
            promised.append((kind, counted, dry.stdout))
            var counts: [String: Int] = [:]
            for line in try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 2)
                guard fields.count > 1, let name = fields[1].split(separator: "(").first else { continue }
                counts[String(name), default: 0] += 1
            }
            for (name, count) in counts.sorted(by: { $0.key < $1.key }) where Self.syscalls.contains(name) {
                for n in 1...count {
                    let killed = try arguments(kind, "\(name)-\(n)")
                    let outcome = try Self.run(
                        [
                            tracer, "-f", "-qq", "-o", "/dev/null", "-e", "trace=\(name)",
                            "-e", "inject=\(name):signal=KILL:when=\(n)", CLI.binary,
                        ] + killed, in: repo, home: cli.home)
                    kills += 1
                    if outcome.status == 0 { promised.append((kind, killed, outcome.stdout)) }
                    let next = try arguments(kind, "after-\(name)-\(n)")
                    let result = try cli.ops(next, in: repo, environment: Self.env)
                    #expect(result.status == 0, "after a kill at \(name) #\(n) of \(killed): \(next) failed: \(result.stderr)")
                    #expect(!result.stderr.contains("Commit or stash"), "\(result.stderr)")
                    if result.status == 0 { promised.append((kind, next, result.stdout)) }
                }
            }
        }
        #expect(kills > 30, "strace found too few calls to kill at")

        try CrashSafetyTests.expectWhole(repo, cli)
        let files = try cli.git("ls-tree", "-r", "--name-only", "HEAD", in: repo)
        let notedPath = try #require(files.split(separator: "\n").first { $0.contains(noted) })
        let notedFile = try cli.git("show", "HEAD:\(notedPath)", in: repo)
        for (kind, arguments, stdout) in promised {
            switch kind {
            case .note:
                #expect(notedFile.contains(arguments[3]), "\(arguments[3]) exited 0 but is not in HEAD")
            case .ack:
                let path = try #require(files.split(separator: "\n").first { $0.contains(arguments[2]) && $0.hasSuffix("incident.md") })
                #expect(try cli.git("show", "HEAD:\(path)", in: repo).contains("status: acknowledged"), "\(arguments) not in HEAD")
            case .backlog:
                let id = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(!id.isEmpty && files.contains(id), "\(arguments) printed \(id), which is not in HEAD")
            }
        }
        print("syscall kill test: \(kills) kills at file system calls of incident note, incident ack and backlog add")
    }

    /// Runs a command in `folder` as the tests' user; the exit status, -1 when a signal ended it.
    static func run(_ arguments: [String], in folder: String, home: String) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = [
            "HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "LANG": "C.UTF-8", "OPS_USER": "alice",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationReason == .exit ? process.terminationStatus : -1, String(decoding: data, as: UTF8.self))
    }
}
