import Foundation
import GitStore

// ops-bench: measures committing one new incident file through GitStore against the git CLI
// doing the same (`git add` + `git commit`) in the same repository, in the same run.
//
//   ops-bench commit REPO [--runs N]     both, interleaved; prints medians and ratios as JSON
//   ops-bench commit-one REPO PATH       one GitStore commit in a fresh process (for process timing)

let arguments = Array(CommandLine.arguments.dropFirst())
let author = Signature(name: "Bench Person", email: "bench@example.com", date: Date())

func incident(_ id: String) -> String {
    """
    ---
    id: \(id)
    title: Bench incident
    severity: SEV3
    status: open
    service: checkout
    opened_at: 2026-11-23T09:00:00Z
    ---
    # Bench incident

    ## Timeline
    - 2026-11-23T09:00:00Z bench **opened** SEV3 on checkout

    """
}

func commitThroughGitStore(repo: String, path: String) throws {
    let repository = try GitRepository.open(repo)
    try repository.commit(
        CommitMessage(subject: "incident: open", trailers: [Trailer("Ops-Action", "incident.open")]),
        author: author
    ) { _ in [.write(path, incident(path))] }
}

/// The largest resident set of any program `run` started, in kilobytes (getrusage of that child).
nonisolated(unsafe) var peakKilobytes = 0

/// A program the bench ran did not succeed: its figure would measure a refusal, not the work.
struct Failed: Error, CustomStringConvertible {
    let command: [String], status: Int32
    var description: String { "ops-bench: \(command.joined(separator: " ")) exited with wait status \(status)" }
}

/// Runs a program, waits for it and throws unless it exits 0. posix_spawn directly: Foundation's
/// Process costs tens of milliseconds per launch on Linux, which would swamp what is measured.
func run(_ executable: String, _ args: [String], in folder: String) throws {
    let previous = FileManager.default.currentDirectoryPath
    _ = FileManager.default.changeCurrentDirectoryPath(folder)
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw NSError(domain: "spawn", code: Int(spawned)) }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    peakKilobytes = max(peakKilobytes, usage.ru_maxrss)
    guard status == 0 else { throw Failed(command: [executable] + args, status: status) }
}

/// Wall time of `work`, started with nothing waiting to be written: on ext4 an fsync also writes
/// out what other programs left unwritten (git writes its index and loose objects without
/// fsync), so without the sync ops's fsyncs would pay for git's writes of the run before.
func seconds(_ work: () throws -> Void) rethrows -> Double {
    sync()
    let start = DispatchTime.now().uptimeNanoseconds
    try work()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

switch arguments.first {
case "commit-one":
    try commitThroughGitStore(repo: arguments[1], path: arguments[2])
case "commit":
    let repo = arguments[1]
    let runs = arguments.firstIndex(of: "--runs").map { Int(arguments[$0 + 1])! } ?? 15
    let git = "/usr/bin/git"
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    var inProcess: [Double] = [], ownProcess: [Double] = [], gitCLI: [Double] = []
    let stamp = Int(Date().timeIntervalSince1970)
    // Warm the page cache and libgit2 once, unmeasured.
    try commitThroughGitStore(repo: repo, path: "incidents/bench/WARM-\(stamp)/incident.md")
    for i in 0..<runs {
        let base = "incidents/bench/\(stamp)-\(i)"
        inProcess.append(try seconds { try commitThroughGitStore(repo: repo, path: "\(base)-a/incident.md") })
        ownProcess.append(try seconds { try run(me, ["commit-one", repo, "\(base)-b/incident.md"], in: repo) })
        let gitPath = "\(base)-c/incident.md"
        try FileManager.default.createDirectory(
            atPath: repo + "/" + (gitPath as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        gitCLI.append(
            try seconds {
                try incident(gitPath).write(toFile: repo + "/" + gitPath, atomically: true, encoding: .utf8)
                try run(git, ["add", gitPath], in: repo)
                try run(git, ["-c", "user.name=Bench", "-c", "user.email=b@example.com", "commit", "-q", "-m", "incident: open"], in: repo)
            })
    }
    let result: [String: Double] = [
        "gitstore_in_process_ms": median(inProcess) * 1000,
        "gitstore_process_ms": median(ownProcess) * 1000,
        "git_cli_ms": median(gitCLI) * 1000,
    ]
    let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
case "open":
    // `ops incident open` as a user runs it, against git add + git commit of a file of the same size.
    // ops_peak_mb: the largest resident set of the ops runs.
    let repo = arguments[1], ops = arguments[2]
    let runs = arguments.firstIndex(of: "--runs").map { Int(arguments[$0 + 1])! } ?? 15
    setenv("OPS_USER", "alice", 1)
    var opsTimes: [Double] = [], gitTimes: [Double] = [], opsPeak = 0
    let stamp = Int(Date().timeIntervalSince1970)
    try run(ops, ["incident", "open", "Warm-up \(stamp)", "--sev", "SEV3", "--service", "checkout"], in: repo)
    for i in 0..<runs {
        peakKilobytes = 0
        opsTimes.append(
            try seconds {
                // A title of its own: one near-identical to an incident opened within the hour is refused.
                try run(ops, ["incident", "open", "Bench incident \(stamp)-\(i)", "--sev", "SEV3", "--service", "checkout"], in: repo)
            })
        opsPeak = max(opsPeak, peakKilobytes)
        let gitPath = "incidents/bench/\(stamp)-\(i)-git/incident.md"
        try FileManager.default.createDirectory(
            atPath: repo + "/" + (gitPath as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        gitTimes.append(
            try seconds {
                try incident(gitPath).write(toFile: repo + "/" + gitPath, atomically: true, encoding: .utf8)
                try run("/usr/bin/git", ["add", gitPath], in: repo)
                try run("/usr/bin/git", ["-c", "user.name=Bench", "-c", "user.email=b@example.com", "commit", "-q", "-m", "incident: open"], in: repo)
            })
    }
    let result = [
        "ops_incident_open_ms": median(opsTimes) * 1000, "git_cli_ms": median(gitTimes) * 1000,
        "ops_peak_mb": Double(opsPeak) / 1024,
    ]
    print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
case "time":
    // Median wall time of a command and the largest resident set of its runs:
    // ops-bench time REPO RUNS -- COMMAND ARGS...   prints "MILLISECONDS PEAK_MB"
    let repo = arguments[1], runs = Int(arguments[2])!
    let command = Array(arguments[(arguments.firstIndex(of: "--")! + 1)...])
    var times: [Double] = []
    for _ in 0..<runs { times.append(try seconds { try run(command[0], Array(command.dropFirst()), in: repo) }) }
    print(String(format: "%.1f %.0f", median(times) * 1000, Double(peakKilobytes) / 1024))
default:
    FileHandle.standardError.write(
        Data("usage: ops-bench commit REPO [--runs N] | commit-one REPO PATH | open REPO OPS [--runs N] | time REPO RUNS -- CMD...\n".utf8))
    exit(2)
}
