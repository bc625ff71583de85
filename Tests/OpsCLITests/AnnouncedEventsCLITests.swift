import Foundation
import LoopbackHTTP
import Testing

/// Issue 18's budget, signal and pack messages as a team meets them: two clones sharing a
/// remote through `ops sync`. Each event reaches the receiver once, signed, from the clone that
/// recorded it; the other clone, having received the record, sends nothing for it.
@Suite struct AnnouncedEventsCLITests {
    static func day(_ date: String, bad: Int) -> String {
        "window_start,window_end,use_case,sli,good,total\n\(date)T00:00:00Z,\(date)T23:59:59Z,ops_copilot,availability,\(1_000_000 - bad),1000000\n"
    }

    @Test func eachEventIsSentOnceByTheCloneThatRecordedItAndNeverAfterSync() throws {
        let receiver = try LoopbackReceiver { _, _ in .init(200, "ok") }
        defer { receiver.stop() }
        let cli = try CLI()
        defer { cli.remove() }
        let laptop = try SLOCLITests.repository(cli)
        for channel in ["#sre", "#data-oncall", "#ops-weekly"] { try NotifyCLITests.deliver(laptop, channel) }
        _ = try cli.git("commit", "-qam", "deliver to the test receiver", in: laptop)
        let bare = cli.path("remote.git")
        _ = try cli.git("init", "--bare", "-q", "-b", "main", bare, in: cli.home)
        _ = try cli.git("remote", "add", "origin", bare, in: laptop)
        let env = [
            "OPS_USER": "alice", "OPS_NOW": "2026-11-23T09:00:00Z", "OPS_TEST_HOOK": receiver.url("/hook").absoluteString,
            "OPS_TEST_HOOK_SECRET": "s3cret",
        ]
        try Self.day("2026-11-22", bad: 520).write(toFile: cli.path("day1.csv"), atomically: true, encoding: .utf8)
        try Self.day("2026-11-21", bad: 600).write(toFile: cli.path("day2.csv"), atomically: true, encoding: .utf8)
        try "timestamp,use_case,metric,value,unit\n2026-11-20T12:00:00Z,ops_copilot,psi,0.34,index\n"
            .write(toFile: cli.path("psi.csv"), atomically: true, encoding: .utf8)

        let imported = try cli.ops(["slo", "import", "--csv", cli.path("day1.csv")], in: laptop, environment: env)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasSuffix("slo/announced/budget/ops_copilot/availability.yaml\n"))
        #expect(imported.stderr.hasSuffix("Told #sre (budget_threshold_crossed).\n"))
        let signals = try cli.ops(["slo", "import", "--csv", cli.path("psi.csv")], in: laptop, environment: env)
        #expect(signals.stderr.hasSuffix("Told #data-oncall (signal_breached).\n"), "\(signals.stderr)")
        let pack = try cli.ops(["review", "pack", "--week", "2026-W47"], in: laptop, environment: env)
        #expect(pack.status == 0 && pack.stderr.hasSuffix("Told #ops-weekly (weekly_pack_committed).\n"), "\(pack.stderr)")
        // Reading the budget sends nothing.
        #expect(try cli.ops(["slo", "status"], in: laptop, environment: env).status == 0)
        let events = try receiver.requests.map { request -> String in
            #expect(request.headers["x-ops-signature-256"]?.hasPrefix("sha256=") == true)
            let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            return try #require(body["event"] as? String)
        }
        #expect(events == ["budget_threshold_crossed", "signal_breached", "weekly_pack_committed"])
        #expect(try cli.ops(["sync"], in: laptop, environment: env).status == 0)

        // The second laptop gets the records through sync. Its own imports and pack of the same
        // window and week change figures and commit, and send nothing.
        let other = cli.path("other")
        _ = try cli.git("clone", "-q", bare, other, in: cli.home)
        let more = try cli.ops(["slo", "import", "--csv", cli.path("day2.csv")], in: other, environment: env)
        #expect(more.status == 0 && !more.stderr.contains("Told") && !more.stderr.contains("Not sent"), "\(more.stderr)")
        let rebuilt = try cli.ops(["review", "pack", "--week", "2026-W47"], in: other, environment: env)
        #expect(rebuilt.status == 0 && rebuilt.stderr.contains("Review pack 2026-W47 committed") && !rebuilt.stderr.contains("Told"))
        #expect(try cli.ops(["sync"], in: other, environment: env).status == 0)
        // And the first laptop, after syncing the second's work, sends nothing for it either.
        #expect(try cli.ops(["sync"], in: laptop, environment: env).status == 0)
        let flushed = try cli.ops(["notify", "flush"], in: laptop, environment: env)
        #expect(flushed.status == 0)
        #expect(receiver.requests.count == 3)
    }
}
