import Foundation
import LoopbackHTTP
import Testing

/// `ops notify status` and `ops notify flush` as a user runs them, and the acceptance test of
/// issue 18's outbox: flushes killed at random points never lose a message, and a message
/// delivered twice carries the same idempotency key both times.
@Suite(.serialized) struct NotifyCLITests {
    static let channel = "#sre-oncall"

    /// A pending stakeholder update, as the outbox stores it (README, "The outbox").
    static func pending(_ text: String, channel: String = channel) -> String {
        """
        {
          "attempts" : 0,
          "channel" : "\(channel)",
          "notification" : {
            "at" : "2026-11-18T14:03:00Z",
            "by" : "carol",
            "event" : "stakeholder_update",
            "incident" : {"id" : "2026-11-18-7f3a9c1e", "on_call" : "alice", "service" : "ops_copilot", "severity" : "SEV2", "title" : "Checkout p99 above 1.2s"},
            "text" : "\(text)"
          },
          "recorded" : "2026-11-18T14:03:00Z",
          "state" : "pending",
          "version" : 1
        }
        """
    }

    static func outbox(_ repo: String) -> String { repo + "/.git/ops/outbox" }

    static func enqueue(_ texts: [String], in repo: String, channel: String = channel) throws {
        try FileManager.default.createDirectory(atPath: outbox(repo), withIntermediateDirectories: true)
        for text in texts {
            try pending(text, channel: channel).write(toFile: outbox(repo) + "/test-\(text).json", atomically: true, encoding: .utf8)
        }
    }

    /// Makes `channel` a webhook whose URL and secret are in OPS_TEST_HOOK and
    /// OPS_TEST_HOOK_SECRET: its line in the example's `delivery:` is replaced.
    static func deliver(_ repo: String, _ channel: String = channel) throws {
        let config = repo + "/ops.yaml"
        let lines = try String(contentsOfFile: config, encoding: .utf8).components(separatedBy: "\n")
        let entry = "  \"\(channel)\": {type: webhook, url_env: OPS_TEST_HOOK, secret_env: OPS_TEST_HOOK_SECRET}"
        let index = try #require(lines.firstIndex { $0.hasPrefix("  \"\(channel)\":") }, "the example's delivery: has no \(channel)")
        try (lines[..<index] + [entry] + lines[(index + 1)...]).joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
    }

    static func status(_ cli: CLI, _ repo: String) throws -> [String: Any] {
        let result = try cli.ops(["notify", "status", "--format", "json"], in: repo)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func statusAndFlushSayWhatWaitsAndWhy() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let empty = try cli.ops(["notify", "status"], in: repo)
        #expect(empty.status == 0 && empty.stdout == "0 pending, 0 failed, 0 held; 0 sent (kept 14 days)\n")
        try Self.enqueue(["first"], in: repo, channel: "#nowhere")

        let waiting = try Self.status(cli, repo)
        #expect((waiting["counts"] as? [String: Int]) == ["pending": 1, "failed": 0, "held": 0, "sent": 0])
        let row = try #require((waiting["messages"] as? [[String: Any]])?.first)
        #expect(row["channel"] as? String == "#nowhere" && row["event"] as? String == "stakeholder_update")
        #expect(row["incident"] as? String == "2026-11-18-7f3a9c1e" && row["state"] as? String == "pending")

        // A channel that cannot be reached: exit 0, and the reason said plainly.
        let flushed = try cli.ops(["notify", "flush", "--wait", "5"], in: repo)
        #expect(flushed.status == 0, "\(flushed.stderr)")
        #expect(flushed.stdout.hasPrefix("failed   #nowhere stakeholder_update 7f3a: "))
        #expect(flushed.stdout.contains("Sent 0. 1 failed and will not be retried on their own"))
        let table = try cli.ops(["notify", "status"], in: repo)
        #expect(
            table.stdout.hasPrefix(
                "STATE   CHANNEL   EVENT               INCIDENT  TRIES  NEXT TRY          LAST ERROR\nfailed  #nowhere  stakeholder_update  7f3a          0  ops notify flush  "
            ))
        #expect(table.stdout.hasSuffix("0 pending, 1 failed, 0 held; 0 sent (kept 14 days)\n"))

        let bad = try cli.ops(["notify", "flush", "--wait", "100000"], in: repo)
        #expect(bad.status == 2 && bad.stderr.contains("--wait takes 0 to 86400 seconds"))
    }

    /// A message file cut short (a disk that filled, a hand edit) is never dropped in silence:
    /// the flush names the file, says where it breaks and what to do, leaves it in place, and
    /// exits 1; the message beside it is sent as usual.
    @Test func aDamagedMessageFileIsNamedKeptAndFailsTheFlush() throws {
        let receiver = try LoopbackReceiver { _, _ in .init(200, "ok") }
        defer { receiver.stop() }
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        try Self.deliver(repo)
        try Self.enqueue(["whole", "cut"], in: repo)
        let cut = Self.outbox(repo) + "/test-cut.json"
        let text = try String(contentsOfFile: cut, encoding: .utf8)
        try String(text.prefix(text.count / 2)).write(toFile: cut, atomically: true, encoding: .utf8)
        let env = ["OPS_TEST_HOOK": receiver.url("/hook").absoluteString, "OPS_TEST_HOOK_SECRET": "s3cret"]

        let flushed = try cli.ops(["notify", "flush", "--wait", "5"], in: repo, environment: env)
        #expect(flushed.status == 1, "\(flushed.stderr)")
        #expect(receiver.requests.count == 1 && receiver.requests.first?.text.contains("whole") == true)
        let problem = try #require(flushed.stdout.split(separator: "\n").first { $0.hasPrefix("problem  ") })
        #expect(
            problem.hasSuffix(
                "/.git/ops/outbox/test-cut.json: cut off at line 8: ops cannot send it and leaves it as it is. Read it, pass on what it says by hand, then move it out of the outbox"
            ))
        #expect(!flushed.stdout.contains("DecodingError") && !flushed.stdout.contains("Nothing waits"))
        #expect(flushed.stdout.contains("Sent 1. 1 could not be read or claimed and was not sent: see each problem above."))
        #expect(try String(contentsOfFile: cut, encoding: .utf8) == String(text.prefix(text.count / 2)))

        let status = try cli.ops(["notify", "status"], in: repo)
        #expect(status.status == 0 && status.stdout.contains("problem: \(cut): cut off at line 8"), "\(status.stdout)")
    }

    /// The person at the keyboard learns who was paged and whether the channel was told; a
    /// channel that cannot be reached yet costs the command nothing, and a flush sends it later.
    @Test func incidentCommandsSayWhetherTheChannelWasTold() throws {
        let receiver = try LoopbackReceiver { _, _ in .init(200, "ok") }
        defer { receiver.stop() }
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let alone = ["OPS_USER": "alice"]
        let open = try cli.ops(["incident", "open", "Checkout p99 above 1.2s", "--sev", "SEV2", "--service", "ops_copilot"], in: repo, environment: alone)
        #expect(open.status == 0, "\(open.stderr)")
        #expect(open.stderr.contains("Paged ") && open.stderr.contains(" (sre).\n"))
        #expect(open.stderr.contains("Not sent to #sre-oncall yet (incident_opened): ") && open.stderr.contains("OPS_SLACK_SRE_ONCALL"))
        #expect(open.stderr.contains("It is kept; ops notify flush retries it.\nNext: ops incident ack "))
        let id = open.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let reached = ["OPS_USER": "bob", "OPS_SLACK_SRE_ONCALL": receiver.url("/slack").absoluteString]
        let ack = try cli.ops(["incident", "ack", id], in: repo, environment: reached)
        #expect(ack.status == 0 && ack.stderr.hasSuffix("Told #sre-oncall (incident_acknowledged).\n"), "\(ack.stderr)")
        #expect(receiver.requests.map(\.text).first?.contains("Acknowledged by bob") == true && receiver.requests.count == 1)
        // The open message failed for want of a URL; it is kept, and a flush sends it now there is one.
        let flush = try cli.ops(["notify", "flush"], in: repo, environment: reached)
        #expect(flush.status == 0 && receiver.requests.count == 2 && receiver.requests[1].text.contains("incident opened"), "\(flush.stderr)")
        let note = try cli.ops(["incident", "note", id, "Gateway restarted"], in: repo, environment: reached)
        #expect(note.status == 0 && !note.stderr.contains("#sre-oncall") && receiver.requests.count == 2)
    }

    /// Issue 18's acceptance: messages pending, two `ops notify flush` at once, one or both
    /// killed at a random point, many times; then a flush to the end. Every message reaches the
    /// receiver at least once, none is left anything but sent, and a message received twice
    /// (killed between the answer and the record of it) carries the same idempotency key.
    /// `OPS_NOTIFY_KILL_RUNS=500 swift test --filter NotifyCLITests` is the long run.
    @Test(.tags(.integration)) func flushesKilledAtRandomPointsLoseNothingAndRepeatOnlyWithTheSameKey() throws {
        let runs = ProcessInfo.processInfo.environment["OPS_NOTIFY_KILL_RUNS"].flatMap { Int($0) } ?? 100
        let receiver = try LoopbackReceiver { _, _ in .init(200, "", delay: Double.random(in: 0..<0.03)) }
        defer { receiver.stop() }
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        try Self.deliver(repo)
        let environment = [
            "HOME": cli.home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8",
            "OPS_TEST_HOOK": receiver.url("/hook").absoluteString, "OPS_TEST_HOOK_SECRET": "s3cret",
        ]
        var generator = SystemRandomNumberGenerator()
        var texts: [String] = []
        var durations: [Double] = []
        var killedBoth = 0

        for run in 0..<runs {
            let batch = (0..<3).map { "r\(run)-m\($0)" }
            texts += batch
            try Self.enqueue(batch, in: repo)
            let typical = durations.isEmpty ? 0.3 : durations.sorted()[durations.count / 2]
            let flushes = try (0..<2).map { _ in try Self.start(["notify", "flush", "--wait", "5"], in: repo, environment: environment) }
            let started = Date()
            let victims = run % 3 == 0 ? [0, 1] : [Int.random(in: 0..<2, using: &generator)]
            if victims.count == 2 { killedBoth += 1 }
            for victim in victims {
                usleep(useconds_t(Double.random(in: 0..<(1.2 * typical), using: &generator) * 1_000_000))
                kill(flushes[victim].processIdentifier, SIGKILL)
            }
            for (index, flush) in flushes.enumerated() {
                flush.waitUntilExit()
                if !victims.contains(index), flush.terminationReason == .exit {
                    #expect(flush.terminationStatus == 0, "run \(run): a flush that was not killed failed")
                    durations.append(Date().timeIntervalSince(started))
                }
            }
        }

        let last = try cli.ops(["notify", "flush", "--wait", "60"], in: repo, environment: environment)
        #expect(last.status == 0, "\(last.stderr)")
        #expect(last.stdout.hasSuffix("Nothing waits.\n"), "\(last.stdout)")
        let status = try Self.status(cli, repo)
        #expect((status["counts"] as? [String: Int]) == ["pending": 0, "failed": 0, "held": 0, "sent": texts.count])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: Self.outbox(repo)).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "temp files left: \(leftovers)")

        // What the receiver got, by message: every one at least once, repeats with one key.
        var keys: [String: [String]] = [:]
        for request in receiver.requests {
            let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            let text = try #require(body["text"] as? String)
            let key = try #require(request.headers["x-ops-idempotency-key"])
            #expect(body["idempotency_key"] as? String == key)
            #expect(request.headers["x-ops-signature-256"] != nil)
            keys[text, default: []].append(key)
        }
        let missing = texts.filter { keys[$0] == nil }
        #expect(missing.isEmpty, "never received: \(missing)")
        let repeated = keys.filter { $0.value.count > 1 }
        #expect(repeated.allSatisfy { Set($0.value).count == 1 }, "a message was sent twice with different keys")
        #expect(Set(keys.values.compactMap(\.first)).count == texts.count, "two messages share a key")
        let duplicates = repeated.values.reduce(0) { $0 + $1.count - 1 }
        print(
            "notify kill test: \(runs) runs (\(killedBoth) with both flushes killed), \(texts.count) messages, "
                + "\(receiver.requests.count) requests, \(duplicates) duplicate deliveries (same key) of \(repeated.count) messages")
    }

    static func start(_ arguments: [String], in folder: String, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
