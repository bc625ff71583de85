import Foundation
import Testing

/// Writes killed at any instant, a teammate's plain `git commit` in the same clone, and locks
/// left by dead processes: the next command goes on with no one cleaning up, and every change
/// acknowledged with exit 0 is in HEAD.
@Suite(.serialized, .tags(.integration)) struct CrashSafetyTests {
    static let env = ["OPS_USER": "alice"]

    /// Kills in the default run, across open, note, ack, backlog add, decision new, step check,
    /// postmortem new, review pack and alert ingest; `OPS_KILL_RUNS=500 swift test --filter CrashSafetyTests` (or
    /// `make crash-test`) is the long run.
    static var kills: Int { ProcessInfo.processInfo.environment["OPS_KILL_RUNS"].flatMap { Int($0) } ?? 100 }

    enum Kind: CaseIterable { case open, note, ack, backlog, decision, stepCheck, postmortem, reviewPack, alertIngest }

    @Test func writesKilledAtRandomPointsLeaveTheWholeChangeOrNoneAndTheNextCommandGoesOn() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        var generator = SystemRandomNumberGenerator()
        func open(_ title: String) throws -> String {
            let result = try cli.ops(["incident", "open", title, "--sev", "SEV3", "--service", "ops_copilot"], in: repo, environment: Self.env)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let noted = try open("Noted while killed")
        // Incidents to acknowledge: two per ack round (the killed one and the next).
        var unacknowledged = try (0..<(Self.kills / Kind.allCases.count * 2 + 2)).map { try open("To ack \($0)") }

        func setUp(_ arguments: [String]) throws -> String {
            let result = try cli.ops(arguments, in: repo, environment: Self.env)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let payload = try String(contentsOfFile: ServeCLITests.fixtures + "/alertmanager-firing.json", encoding: .utf8)
        var stepIncident = ""
        func arguments(_ kind: Kind, _ marker: String, killed: Bool = false) throws -> [String] {
            switch kind {
            case .open: return ["incident", "open", "Opened \(marker)", "--sev", "SEV3", "--service", "ops_copilot"]
            case .note: return ["incident", "note", noted, "note \(marker)"]
            case .ack: return ["incident", "ack", unacknowledged.removeLast()]
            case .backlog: return ["backlog", "add", "Item \(marker)"]
            case .decision: return ["decision", "new", "Decision \(marker)"]
            case .stepCheck:
                // The killed run ticks the first step of a new checklist, the next run the second.
                if killed {
                    stepIncident = try setUp([
                        "incident", "open", "Steps \(marker)", "--sev", "SEV3", "--service", "ops_copilot",
                        "--runbook", "model-serving-degradation", "--force",
                    ])
                }
                return ["step", "check", stepIncident, killed ? "detection.1" : "detection.2"]
            case .postmortem:
                let id = try setUp(["incident", "open", "Reviewed \(marker)", "--sev", "SEV3", "--service", "ops_copilot", "--force"])
                _ = try setUp(["incident", "resolve", id])
                return ["postmortem", "new", id]
            case .reviewPack: return ["review", "pack", "--week", "2026-W47"]
            case .alertIngest:
                // A new alert each time (its own fingerprint), so each ingest opens an incident.
                let fingerprint = String(format: "%016llx", UInt64.random(in: 1..<UInt64.max, using: &generator))
                let file = cli.home + "/alert-\(marker).json"
                try payload.replacingOccurrences(of: "c0ffee1234abcd56", with: fingerprint)
                    .replacingOccurrences(of: "10.0.0.7:9090", with: "10.0.0.7:\(marker)").write(toFile: file, atomically: true, encoding: .utf8)
                return ["alert", "ingest", file]
            }
        }
        // What an exit 0 promised, checked against HEAD at the end.
        var promised: [(kind: Kind, arguments: [String], stdout: String)] = []
        var durations: [Kind: [Double]] = [:]
        var landedBeforeKill = 0, finished = 0, undone = 0

        for round in 0..<Self.kills {
            let kind = Kind.allCases[round % Kind.allCases.count]
            let killed = try arguments(kind, "killed-\(round)", killed: true)
            // Mostly in the second half of the median time of this command, where it writes
            // (the first half is start-up and reading), sometimes anywhere.
            let typical = durations[kind].map { $0.sorted()[$0.count / 2] } ?? 0.2
            let delay = Double.random(in: (round % 4 == 0 ? 0 : 0.4 * typical)..<(1.05 * typical), using: &generator)
            let outcome = try Self.runKilled(CLI.binary, killed, in: repo, home: cli.home, after: delay)
            if outcome.status == 0 {
                landedBeforeKill += 1
                promised.append((kind, killed, outcome.stdout))
            }
            // The next command of the same kind succeeds with no user action.
            let next = try arguments(kind, "next-\(round)")
            let start = Date()
            let result = try cli.ops(next, in: repo, environment: Self.env)
            durations[kind, default: []].append(Date().timeIntervalSince(start))
            if result.stderr.contains("Finished an ops write that was interrupted") { finished += 1 }
            if result.stderr.contains("Undid an ops write that was interrupted") { undone += 1 }
            #expect(result.status == 0, "after a kill \(delay) s into \(killed): \(next) failed: \(result.stderr)")
            if result.status == 0 { promised.append((kind, next, result.stdout)) }
            #expect(!result.stderr.contains("Commit or stash"), "\(result.stderr)")
        }

        try Self.expectWhole(repo, cli)

        // Every write that exited 0 is in HEAD.
        let files = try cli.git("ls-tree", "-r", "--name-only", "HEAD", in: repo)
        let notedPath = try #require(files.split(separator: "\n").first { $0.contains(noted) })
        let notedFile = try cli.git("show", "HEAD:\(notedPath)", in: repo)
        for (kind, arguments, stdout) in promised {
            switch kind {
            case .open, .backlog, .decision, .alertIngest:
                let id = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(!id.isEmpty && files.contains(id), "\(arguments) printed \(id), which is not in HEAD")
            case .stepCheck:
                let path = try #require(files.split(separator: "\n").first { $0.contains(arguments[2]) && $0.hasSuffix("runbook.md") })
                #expect(try cli.git("show", "HEAD:\(path)", in: repo).contains("- [x] `\(arguments[3])`"), "\(arguments) not in HEAD")
            case .postmortem:
                #expect(files.contains("\(arguments[2])/postmortem.md"), "\(arguments) not in HEAD")
            case .reviewPack:
                #expect(files.contains("reviews/2026-W47/pack.md"), "\(arguments) not in HEAD")
            case .note:
                #expect(notedFile.contains(arguments[3]), "\(arguments[3]) is not in HEAD")
            case .ack:
                let path = try #require(files.split(separator: "\n").first { $0.contains(arguments[2]) && $0.hasSuffix("incident.md") })
                #expect(try cli.git("show", "HEAD:\(path)", in: repo).contains("status: acknowledged"), "\(arguments) not in HEAD")
            }
        }
        print(
            "kill test: \(Self.kills) kills; \(landedBeforeKill) after the command exited 0, \(finished) writes finished and \(undone) undone by the next command"
        )
        // How many kills land inside the few milliseconds of a write depends on the load of
        // the machine; the long run must have some.
        if Self.kills >= 300 { #expect(finished + undone > 0, "no kill landed inside a write") }
    }

    @Test func eightOpsWritersAndAPlainGitCommitLoopLoseNothing() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let writers = 8, notesEach = 4
        let incidents = try (0..<writers).map { index -> String in
            let result = try cli.ops(["incident", "open", "Writer \(index)", "--sev", "SEV3", "--service", "ops_copilot"], in: repo, environment: Self.env)
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let acknowledged = Collected()
        let done = Collected()
        var threads: [Thread] = []
        for (index, incident) in incidents.enumerated() {
            threads.append(
                Thread {
                    for note in 0..<notesEach {
                        let text = "writer \(index) note \(note)"
                        if let result = try? cli.ops(["incident", "note", incident, text], in: repo, environment: Self.env) {
                            if result.status == 0 { acknowledged.add(text) } else { acknowledged.fail("\(text): \(result.stderr)") }
                        }
                    }
                    done.add("\(index)")
                })
        }
        // A teammate committing with plain git meanwhile: `git commit -a` takes whatever the
        // index and work tree hold, so a gap between the branch moving and the index being
        // written would commit the old incident files and silently revert notes.
        let teammate = Thread {
            var round = 0
            while done.count < writers {
                round += 1
                let file = repo + "/scratch.md"
                let line = "teammate \(round)\n"
                if let handle = FileHandle(forWritingAtPath: file) {
                    handle.seekToEndOfFile()
                    handle.write(Data(line.utf8))
                    try? handle.close()
                } else {
                    try? Data(line.utf8).write(to: URL(fileURLWithPath: file))
                }
                _ = try? Self.git(["add", "scratch.md"], in: repo, home: cli.home)
                _ = try? Self.git(["commit", "-q", "-a", "-m", "teammate \(round)"], in: repo, home: cli.home)
            }
            done.add("teammate")
        }
        threads.forEach { $0.start() }
        teammate.start()
        while done.count < writers + 1 { Thread.sleep(forTimeInterval: 0.05) }

        #expect(acknowledged.failures.isEmpty, "\(acknowledged.failures)")
        #expect(acknowledged.count == writers * notesEach)
        let files = try cli.git("ls-tree", "-r", "--name-only", "HEAD", in: repo).split(separator: "\n")
        var head = ""
        for incident in incidents {
            let path = try #require(files.first { $0.contains(incident) && $0.hasSuffix("incident.md") })
            head += try cli.git("show", "HEAD:\(path)", in: repo)
        }
        for text in acknowledged.items { #expect(head.contains(text), "\(text) acknowledged with exit 0 but not in HEAD") }
        let commits = try cli.git("log", "--format=%s", in: repo)
        #expect(commits.contains("teammate"), "the teammate's commits must land too")
        #expect(try Self.git(["fsck", "--strict", "--no-dangling"], in: repo, home: cli.home) == Self.Output(status: 0, text: ""))
        // Only the teammate's file may differ: every incident file is as HEAD has it.
        let status = try cli.git("status", "--porcelain", in: repo)
        #expect(status.split(separator: "\n").allSatisfy { $0.hasSuffix("scratch.md") }, "\(status)")
        #expect(try cli.ops(["lint"], in: repo, environment: Self.env).status == 0)
    }

    // MARK: Locks left by dead processes

    @Test func aStaleBranchLockIsRemovedAndSaid() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let lock = repo + "/.git/refs/heads/main.lock"
        try Data().write(to: URL(fileURLWithPath: lock))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-30)], ofItemAtPath: lock)
        let added = try cli.ops(["backlog", "add", "After a crash"], in: repo, environment: Self.env)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.contains("Removed \(lock)"), "\(added.stderr)")
        #expect(!added.stderr.contains("other writers"))
        #expect(!FileManager.default.fileExists(atPath: lock))
        #expect(try cli.git("ls-tree", "-r", "--name-only", "HEAD", in: repo).contains(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test func anIndexLockADeadOpsWriterLeftIsTakenOver() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let lock = repo + "/.git/index.lock"
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        try "ops-writer pid 999999 host \(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))\n".write(
            toFile: lock, atomically: false, encoding: .utf8)
        let added = try cli.ops(["backlog", "add", "After a crash"], in: repo, environment: Self.env)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.contains("Removed \(lock), left by an interrupted write"), "\(added.stderr)")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
    }

    @Test func gitsOwnIndexLockIsNamedWithTheCommandAndNothingIsWritten() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let lock = repo + "/.git/index.lock"
        try Data().write(to: URL(fileURLWithPath: lock))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-120)], ofItemAtPath: lock)
        let start = Date()
        let refused = try cli.ops(["incident", "open", "Blocked", "--sev", "SEV3", "--service", "ops_copilot"], in: repo, environment: Self.env)
        #expect(Date().timeIntervalSince(start) < 3, "an old lock is not waited for")
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("rm -f '\(lock)'") && refused.stderr.contains("Nothing was written"), "\(refused.stderr)")
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        #expect(FileManager.default.fileExists(atPath: lock), "Git's lock is never removed by ops")
        try FileManager.default.removeItem(atPath: lock)
        #expect(try Self.git(["status", "--porcelain", "--untracked-files=all"], in: repo, home: cli.home).text == "")
        let opened = try cli.ops(["incident", "open", "Unblocked", "--sev", "SEV3", "--service", "ops_copilot"], in: repo, environment: Self.env)
        #expect(opened.status == 0, "\(opened.stderr)")
    }

    @Test func tempFilesAndAnIntentOfADeadWriterAreCleanedByTheNextWrite() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let opened = try cli.ops(["incident", "open", "Leftovers", "--sev", "SEV3", "--service", "ops_copilot"], in: repo, environment: Self.env)
        let id = opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let path = try #require(try cli.git("ls-tree", "-r", "--name-only", "HEAD", in: repo).split(separator: "\n").first { $0.contains(id) })
        let folder = repo + "/" + (String(path) as NSString).deletingLastPathComponent
        // A temp file of a writer killed before its intent record (as older versions left them).
        try Data("half".utf8).write(to: URL(fileURLWithPath: folder + "/.ops-99999-12345.tmp"))
        let noted = try cli.ops(["incident", "note", id, "still works"], in: repo, environment: Self.env)
        #expect(noted.status == 0, "\(noted.stderr)")
        #expect(try Self.git(["status", "--porcelain", "--untracked-files=all"], in: repo, home: cli.home).text == "")
    }

    // MARK: Helpers

    /// What every kill test ends with: a sound repository, nothing left behind (no temp file, lock
    /// or intent), and lint finding nothing but what a fresh postmortem draft lacks.
    static func expectWhole(_ repo: String, _ cli: CLI) throws {
        #expect(try git(["fsck", "--strict", "--no-dangling"], in: repo, home: cli.home) == Output(status: 0, text: ""))
        let status = try git(["status", "--porcelain", "--untracked-files=all", "--ignored"], in: repo, home: cli.home)
        #expect(status == Output(status: 0, text: ""), "temp files or changes left: \(status.text)")
        let lint = try cli.ops(["lint"], in: repo, environment: env)
        let problems = lint.stdout.split(separator: "\n").filter { ["incidents/", "decisions/", "backlog/", "reviews/"].contains(where: $0.hasPrefix) }
        #expect(
            lint.status == 0 || problems.allSatisfy { $0.contains("/postmortem.md:") && $0.hasSuffix(": the root cause is empty") },
            "\(lint.stdout)\(lint.stderr)")
        #expect(!lint.stderr.contains("does not parse") && !lint.stdout.contains("does not parse"))
        for leftover in [".git/index.lock", ".git/refs/heads/main.lock", ".git/ops/intent"] {
            #expect(!FileManager.default.fileExists(atPath: repo + "/" + leftover), "\(leftover) left")
        }
    }

    struct Output: Equatable {
        var status: Int32
        var text: String
    }

    static func git(_ arguments: [String], in folder: String, home: String) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ["HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, text: String(decoding: data, as: UTF8.self))
    }

    /// Runs `ops` and sends it SIGKILL after `delay` seconds, unless it finished first.
    static func runKilled(_ binary: String, _ arguments: [String], in folder: String, home: String, after delay: Double) throws -> (
        status: Int32, stdout: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = [
            "HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "LANG": "C.UTF-8", "OPS_USER": "alice",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(useconds_t(delay * 1_000_000))
        kill(process.processIdentifier, SIGKILL)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let finished = process.terminationReason == .exit
        return (finished ? process.terminationStatus : -1, String(decoding: data, as: UTF8.self))
    }
}

/// Results gathered from several threads. `@unchecked Sendable`: every access holds the lock.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    private var failed: [String] = []

    func add(_ value: String) { lock.withLock { values.append(value) } }
    func fail(_ value: String) { lock.withLock { failed.append(value) } }
    var items: [String] { lock.withLock { values } }
    var failures: [String] { lock.withLock { failed } }
    var count: Int { lock.withLock { values.count } }
}
