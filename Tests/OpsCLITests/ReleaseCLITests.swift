import Foundation
import SigningKeys
import Testing

/// `ops release check` and `ops signals status` as a user runs them, on the imported fixtures.
@Suite struct ReleaseCLITests {
    static let fixtures = SLOCLITests.fixtures
    static let monday = ["OPS_NOW": "2026-11-23T09:00:00Z"]

    @Test func aFrozenReleaseExitsOneAndAnApprovedExceptionIsOneCommittedDecision() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try SLOCLITests.repository(cli)
        let imported = try cli.ops(
            [
                "slo", "import", "--prometheus-good", Self.fixtures + "/ops_copilot_good.json",
                "--prometheus-total", Self.fixtures + "/ops_copilot_total.json",
                "--use-case", "ops_copilot", "--sli", "availability",
            ], in: repo, environment: Self.monday)
        #expect(imported.status == 0, "\(imported.stderr)")
        func commits() throws -> Int { Int(try cli.git("rev-list", "--count", "HEAD", in: repo).trimmingCharacters(in: .newlines))! }
        let before = try commits()

        let frozen = try cli.ops(["release", "check", "--use-case", "ops_copilot"], in: repo, environment: Self.monday)
        #expect(frozen.status == 1)
        #expect(
            frozen.stdout
                == "FROZEN: ops_copilot availability has used 103.8 % of its error budget; feature_freeze_all (at 100%) lets through only security_fix or sev-1 remediation with a signed approval by VP Platform (--change; ops release approve)\n"
        )

        let wrong = try cli.ops(
            ["release", "check", "--use-case", "ops_copilot", "--change", "security_fix", "--approved-by", "bob"],
            in: repo, environment: Self.monday)
        #expect(wrong.status == 2 && wrong.stdout == "")
        #expect(wrong.stderr == "ops: 'bob' is not the approver of release exceptions in policies/ops_copilot.yaml: VP Platform is\n")
        #expect(try commits() == before)

        // The approver signs an approval (ApprovalCLITests has the refusals); then the check passes.
        try Self.approve(cli, repo)
        let approved = try cli.ops(
            ["release", "check", "--use-case", "ops_copilot", "--change", "security_fix", "--as", "bob", "--format", "json"],
            in: repo, environment: Self.monday)
        #expect(approved.status == 0, "\(approved.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(approved.stdout.utf8)) as! [String: Any]
        #expect(json["schema_version"] as? Int == 1 && json["verdict"] as? String == "allowed" && json["exception"] as? Bool == true)
        let decision = try #require(json["decision"] as? [String: Any])
        #expect(decision["new"] as? Bool == true)
        #expect(try commits() == before + 3)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
        #expect(try cli.git("log", "-1", "--format=%an%n%(trailers:key=Ops-Action,valueonly)", in: repo) == "Bob Okafor\ndecision.new\n\n")
        let listed = try cli.ops("decision", "list", "--status", "accepted", "--format", "json", in: repo)
        let decisions = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as! [[String: Any]]
        #expect(decisions.map { $0["id"] as? String } == [decision["id"] as? String])
        #expect(decisions.first?["reviews"] as? [String] == ["2026-W48"])
    }

    /// The approver's key committed in policies/allowed_signers, and `ops release approve` signed with it.
    static func approve(_ cli: CLI, _ repo: String) throws {
        let key = try SigningKey(in: cli.path(""), name: "vp_key", email: "vp@example.com")
        try SigningKey.commitApprovers([key], in: repo)
        try key.use(in: repo, name: "Vera Platt")
        let run = try cli.ops(["release", "approve", "ops_copilot", "--change", "security_fix"], in: repo, environment: Self.monday)
        #expect(run.status == 0, "\(run.stderr)")
    }

    /// Several approved checks at once (a retried pipeline, parallel deploy jobs) record the
    /// exception once: one decision, one commit; every other run answers that it is on record.
    @Test func concurrentApprovedChecksRecordOneException() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try SLOCLITests.repository(cli)
        let imported = try cli.ops(
            [
                "slo", "import", "--prometheus-good", Self.fixtures + "/ops_copilot_good.json",
                "--prometheus-total", Self.fixtures + "/ops_copilot_total.json",
                "--use-case", "ops_copilot", "--sli", "availability",
            ], in: repo, environment: Self.monday)
        #expect(imported.status == 0, "\(imported.stderr)")
        try Self.approve(cli, repo)
        func commits() throws -> Int { Int(try cli.git("rev-list", "--count", "HEAD", in: repo).trimmingCharacters(in: .newlines))! }
        let before = try commits()

        let runs = 10
        let results = ResultsBox(count: runs)
        let group = DispatchGroup()
        for index in 0..<runs {
            group.enter()
            // A thread per run, so all ten processes start together rather than as a pool allows.
            Thread {
                // Spellings differ; the change, approval and week are the same.
                let change = index % 3 == 0 ? "Security fix" : "security_fix"
                results.set(
                    index,
                    Result {
                        try cli.ops(
                            [
                                "release", "check", "--use-case", "ops_copilot", "--change", change, "--as", index % 2 == 0 ? "bob" : "alice",
                                "--format", "json",
                            ], in: repo, environment: Self.monday)
                    })
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success)

        var ids = Set<String>()
        var created = 0
        for result in results.values {
            let run = try #require(try result?.get())
            #expect(run.status == 0, "\(run.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
            let decision = try #require(json["decision"] as? [String: Any])
            ids.insert(try #require(decision["id"] as? String))
            if decision["new"] as? Bool == true {
                created += 1
                #expect(run.stderr.contains("Recorded the exception as decisions/"))
            } else {
                #expect(run.stderr.contains("The exception is on record already this week"), "\(run.stderr)")
            }
        }
        #expect(created == 1)
        #expect(ids.count == 1)
        #expect(try commits() == before + 1)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
        let listed = try cli.ops("decision", "list", "--status", "accepted", "--format", "json", in: repo)
        let decisions = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as! [[String: Any]]
        #expect(decisions.map { $0["id"] as? String } == [ids.first])

        // Later, while the approval lasts, a check finds it too.
        let wednesday = try cli.ops(
            ["release", "check", "--use-case", "ops_copilot", "--change", "security_fix"],
            in: repo, environment: ["OPS_NOW": "2026-11-24T08:00:00Z", "OPS_USER": "bob"])
        #expect(wednesday.status == 0 && wednesday.stdout.hasSuffix("; recorded already as \(ids.first ?? "?")\n"), "\(wednesday.stdout)")
        #expect(try commits() == before + 1)
    }

    /// Issue 20's gate over every SLI, as a pipeline sees it: exit codes, the line on standard
    /// output, the warning on standard error.
    @Test func theWorstSLIGovernsAndNinetyFivePercentOrAnAlertOnlyPolicyWarnsButAllows() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try SLOCLITests.repository(cli)
        func importing(availabilityBad bad: Int, latencies: [Int]) throws {
            let events =
                "window_start,window_end,use_case,sli,good,total\n2026-11-22T00:00:00Z,2026-11-23T00:00:00Z,ops_copilot,availability,\(1_000_000 - bad),1000000\n"
            var signals = "timestamp,use_case,metric,value,unit\n"
            for (index, value) in latencies.enumerated() {
                signals += String(format: "2026-11-%02dT12:00:00Z,ops_copilot,latency_p95_ms,\(value),ms\n", 22 - latencies.count + 1 + index)
            }
            try events.write(toFile: cli.path("events.csv"), atomically: true, encoding: .utf8)
            try signals.write(toFile: cli.path("signals.csv"), atomically: true, encoding: .utf8)
            for file in ["events.csv", "signals.csv"] {
                let run = try cli.ops(["slo", "import", "--csv", cli.path(file)], in: repo, environment: Self.monday)
                #expect(run.status == 0, "\(run.stderr)")
            }
        }
        let check = ["release", "check", "--use-case", "ops_copilot"]

        // Availability at 10 % of its budget, latency at 150 % (3 of 20 days over 1200 ms, 10 % allowed).
        try importing(availabilityBad: 100, latencies: Array(repeating: 1000, count: 17) + [1300, 1250, 1401])
        let frozen = try cli.ops(check, in: repo, environment: Self.monday)
        #expect(frozen.status == 1)
        #expect(
            frozen.stdout
                == "FROZEN: ops_copilot latency_p95_ms has used 150 % of its error budget; feature_freeze_all (at 100%) lets through only security_fix or sev-1 remediation with a signed approval by VP Platform (--change; ops release approve)\n"
        )
        let status = try cli.ops(["slo", "status", "--use-case", "ops_copilot"], in: repo, environment: Self.monday)
        #expect(status.status == 0 && status.stdout.contains("\nops_copilot  governed by latency_p95_ms (150 % of its budget used; the worst of 2 SLIs)\n"))

        // 95 % of availability's budget, latency healthy, no freeze before 100 %: allowed, warned.
        try importing(availabilityBad: 950, latencies: Array(repeating: 1000, count: 20))
        let policy = try String(contentsOfFile: repo + "/policies/ops_copilot.yaml", encoding: .utf8)
        try policy.replacingOccurrences(
            of: "  - at: 75%\n    actions: [\"freeze_noncritical_releases\", \"route_to_smaller_model\", \"raise_exec_flag\"]\n", with: ""
        )
        .write(toFile: repo + "/policies/ops_copilot.yaml", atomically: true, encoding: .utf8)
        let caution = try cli.ops(check, in: repo, environment: Self.monday)
        #expect(caution.status == 0, "\(caution.stderr)")
        #expect(
            caution.stdout
                == "ALLOWED: ops_copilot availability has used 95 % of its error budget; due from 50%: notify:#sre, enable_aggressive_cache, reduce_depth_k; no release freeze before 100%\n"
        )
        #expect(
            caution.stderr.contains("warning: only 5 % of ops_copilot availability's error budget is left (95 % used): proceed with caution\n"),
            "\(caution.stderr)")

        // 130 % under an alert-only policy: allowed, warned, and the JSON says why.
        try importing(availabilityBad: 1300, latencies: Array(repeating: 1000, count: 20))
        try policy.replacingOccurrences(of: "error_budget_policy: freeze", with: "error_budget_policy: alert")
            .write(toFile: repo + "/policies/ops_copilot.yaml", atomically: true, encoding: .utf8)
        let alerted = try cli.ops(check + ["--format", "json"], in: repo, environment: Self.monday)
        #expect(alerted.status == 0, "\(alerted.stderr)")
        #expect(
            alerted.stderr.contains("warning: ops_copilot availability has spent its error budget (130 % used): proceed with caution\n"), "\(alerted.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(alerted.stdout.utf8)) as! [String: Any]
        #expect(json["verdict"] as? String == "allowed" && json["error_budget_policy"] as? String == "alert" && json["sli"] as? String == "availability")
        #expect(json["warning"] as? String == "ops_copilot availability has spent its error budget (130 % used): proceed with caution")
        #expect((json["freeze"] as! [String: Any])["enforced"] as? Bool == false)
        #expect(try cli.git("status", "--porcelain", "decisions", in: repo) == "")
    }

    @Test func signalsStatusAsJSONAndABadWeek() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try SLOCLITests.repository(cli)
        #expect(try cli.ops(["slo", "import", "--csv", Self.fixtures + "/signals_2026-W47.csv"], in: repo, environment: Self.monday).status == 0)
        let status = try cli.ops(["signals", "status", "--week", "2026-W47", "--use-case", "search_ranking", "--format", "json"], in: repo)
        #expect(status.status == 0, "\(status.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        let checks = ((json["use_cases"] as! [[String: Any]])[0]["checks"] as! [[String: Any]]).filter { $0["breached"] as? Bool == true }
        #expect(
            checks.map { "\($0["metric"]!) \($0["level"]!) \($0["channel"]!)" }
                == [
                    "psi page #data-oncall", "ks_pvalue alert #data-oncall", "guardrail_hit_rate target #safety",
                    "ucr_usd target #finops", "cache_hit_rate target #finops",
                ])

        let bad = try cli.ops("signals", "status", "--week", "W47", in: repo)
        #expect(bad.status == 2 && bad.stdout == "")
        #expect(bad.stderr == "ops: 'W47' is not an ISO week. Write it like 2026-W47\n")
    }
}

/// Results of processes run on several threads. `@unchecked Sendable`: guarded by the lock.
final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Result<CLI.Result, Error>?]
    init(count: Int) { stored = Array(repeating: nil, count: count) }
    var values: [Result<CLI.Result, Error>?] { lock.withLock { stored } }
    func set(_ index: Int, _ value: Result<CLI.Result, Error>) { lock.withLock { stored[index] = value } }
}
