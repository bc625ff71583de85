import Foundation
import Testing

@Suite struct SLOCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/slo").path
    static let starter = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/OpsKit/Starter").path

    /// `ops init --example`, plus the SLO starter files if init did not install them.
    static func repository(_ cli: CLI) throws -> String {
        let repo = cli.path("ops")
        #expect(try cli.ops("init", repo, "--example").status == 0)
        let files =
            [("slo-catalog.example.yaml", "slo/catalog.yaml")]
            + ["ops_copilot", "fraud_scoring", "search_ranking"].map { ("policy-\($0).example.yaml", "policies/\($0).yaml") }
        var added = false
        for (source, target) in files where !FileManager.default.fileExists(atPath: repo + "/" + target) {
            try FileManager.default.createDirectory(atPath: (repo + "/" + target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: starter + "/" + source, toPath: repo + "/" + target)
            added = true
        }
        if added {
            _ = try cli.git("add", "slo", "policies", in: repo)
            _ = try cli.git("commit", "-qm", "SLO starter files", in: repo)
        }
        return repo
    }

    @Test func importTwiceThenStatusAsJSONReproducesTheFixture() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let commits = try cli.git("rev-list", "--count", "HEAD", in: repo)
        let arguments = [
            "slo", "import", "--prometheus-good", Self.fixtures + "/ops_copilot_good.json",
            "--prometheus-total", Self.fixtures + "/ops_copilot_total.json", "--use-case", "ops_copilot", "--sli", "availability",
        ]
        // The import's time is fixed: it judges the budget as of then (red, past the 50 % that notifies #sre).
        let now = ["OPS_NOW": "2026-11-23T09:00:00Z"]
        let first = try cli.ops(arguments, in: repo, environment: now)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "slo/snapshots/events/ops_copilot/availability/2026-W47.yaml\nslo/announced/budget/ops_copilot/availability.yaml\n")
        // No OPS_SLACK_SRE in this environment: the message waits, and the command still succeeds.
        #expect(first.stderr.contains("\nNot sent to #sre yet (budget_threshold_crossed): "))
        #expect(first.stderr.hasSuffix(". It is kept; ops notify flush retries it.\n"))
        #expect(first.stderr.contains("Skipped 4 of 168 steps of 3600s: 3 missing from both files, 1 NaN or infinite.\n"))
        #expect(try cli.git("rev-list", "--count", "HEAD", in: repo) == "\(Int(commits.trimmingCharacters(in: .newlines))! + 1)\n")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")

        let again = try cli.ops(arguments, in: repo, environment: now)
        #expect(again.status == 0)
        #expect(again.stdout == "")
        #expect(again.stderr.hasSuffix("Every snapshot holds this input already: nothing to commit.\n"))
        #expect(try cli.git("rev-list", "--count", "HEAD", in: repo) == "\(Int(commits.trimmingCharacters(in: .newlines))! + 1)\n")

        let status = try cli.ops("slo", "status", "--use-case", "ops_copilot", "--at", "2026-11-23T00:00:00Z", "--format", "json", in: repo)
        #expect(status.status == 0, "\(status.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        #expect(json["schema_version"] as? Int == 1)
        let slo = (json["slos"] as! [[String: Any]])[0]
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/expected.json"))) as! [String: Any]
        for key in ["good", "total", "bad", "error_ratio", "objective"] {
            #expect(abs((slo[key] as! NSNumber).doubleValue - (expected[key] as! NSNumber).doubleValue) < 1e-9, "\(key)")
        }
        let burn = ((slo["burn_rates"] as! [String: Any])["window"] as! NSNumber).doubleValue
        #expect(abs(burn - (expected["burn_rate"] as! NSNumber).doubleValue) < 1e-9)
        #expect(slo["colour"] as? String == "red")
    }

    @Test func badInputIsOneLineExitTwoAndNothingWritten() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let csv = try String(contentsOfFile: Self.fixtures + "/events_2026-W47.csv", encoding: .utf8)
            .replacingOccurrences(of: "ops_copilot,availability,215028,215069", with: "ops_copilot,availability,215070,215069")
        try csv.write(toFile: cli.path("events.csv"), atomically: true, encoding: .utf8)
        let result = try cli.ops("slo", "import", "--csv", cli.path("events.csv"), in: repo)
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "ops: events.csv:5: good (215070) is more than total (215069)\n")
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        #expect(!FileManager.default.fileExists(atPath: repo + "/slo/snapshots"))
        #expect(try cli.ops("slo", "import", "--csv", cli.path("events.csv"), "--sli", "availability", in: repo).status == 2)
    }
}
