import Foundation
import Testing

@Suite struct PolicyReplayCLITests {
    /// The demo's SLO data: the week's daily events, then ops_copilot by the hour (which replaces
    /// its daily steps), as scripts/demo.sh imports them.
    static func demoRepository(_ cli: CLI) throws -> String {
        let repo = try SLOCLITests.repository(cli)
        let fixtures = SLOCLITests.fixtures
        let csv = try cli.ops(["slo", "import", "--csv", fixtures + "/events_2026-W47.csv"], in: repo, environment: ["OPS_NOW": "2026-11-23T11:00:00Z"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let hourly = try cli.ops(
            [
                "slo", "import", "--prometheus-good", fixtures + "/ops_copilot_good.json", "--prometheus-total", fixtures + "/ops_copilot_total.json",
                "--use-case", "ops_copilot", "--sli", "availability",
            ], in: repo, environment: ["OPS_NOW": "2026-11-23T11:00:20Z"])
        #expect(hourly.status == 0, "\(hourly.stderr)")
        return repo
    }

    static func json(_ text: String) throws -> [[String: Any]] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["schema_version"] as? Int == 1)
        return try #require(document["replays"] as? [[String: Any]])
    }

    static func hours(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

    /// ops_copilot's policy (rolling_30d, budget 0.1 %: 50 % notifies, 75 % freezes non-critical
    /// releases, 100 % freezes all) over the 164 hourly steps of 2026-W47, judged every hour from
    /// Monday 00:00 to the next Monday 00:00 UTC (168 moments). The window holds every step so far, so
    /// consumed = Σbad / (0.001 × Σtotal), from ops_copilot_good.json and ops_copilot_total.json:
    ///   Mon 01:00   first hour: 8 bad of 10 326 → 8 / 10.326 = 77.5 %: 50 % and 75 % reached
    ///   Mon 02:00   the second hour is clean enough to bring it under 75 %: the freeze ends (1 h)
    ///   Wed 14:00   (below 75 %)
    ///   Wed 15:00   578 bad of 631 604 → 578 / 631.604 = 91.5 %: 75 % reached, non-critical freeze
    ///   Wed 16:00   869 bad of 643 301 → 869 / 643.301 = 135.1 %: 100 % reached, full freeze
    ///   to the last moment, Mon 23 Nov 00:00, nothing falls back: 105 h and 104 h, still frozen.
    /// Frozen in all 1 + 105 = 106 h, every release 104 h.
    @Test func theDemoDataFreezesAsItsBudgetsImply() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.demoRepository(cli)

        // The table shows the team's zone (Europe/Berlin, UTC+1 in November); JSON is UTC.
        let table = try cli.ops("policy", "replay", "--use-case", "ops_copilot", in: repo)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("ops_copilot availability: policies/ops_copilot.yaml (rolling_30d, budget 0.1%)\n"))
        #expect(table.stdout.contains("  judged every 1h from 2026-11-16 01:00 to 2026-11-23 01:00 (168 moments)\n"))
        #expect(
            table.stdout.contains(
                """
                  freezes    freeze_noncritical_releases (at 75%): 2026-11-16 02:00 to 2026-11-16 03:00, 1 h
                             freeze_noncritical_releases (at 75%): 2026-11-18 16:00 on, still frozen, 105 h so far
                             feature_freeze_all (at 100%): 2026-11-18 17:00 on, still frozen, 104 h so far
                  frozen     106 h in all (104 h of them every release frozen)

                """))
        #expect(table.stdout.contains("  gap        no events 2026-11-17 07:00 to 2026-11-17 09:00 (2h): counted as none\n"))

        let json = try cli.ops("policy", "replay", "--use-case", "ops_copilot", "--format", "json", in: repo)
        #expect(json.status == 0, "\(json.stderr)")
        let replay = try #require(try Self.json(json.stdout).first)
        #expect(replay["moments"] as? Int == 168)
        let crossings = try #require(replay["crossings"] as? [[String: Any]])
        #expect(crossings.map { $0["at"] as? String } == ["2026-11-16T01:00:00Z", "2026-11-16T01:00:00Z", "2026-11-18T15:00:00Z", "2026-11-18T16:00:00Z"])
        #expect(abs(((crossings[3]["consumed"] as? NSNumber)?.doubleValue ?? 0) - 869.0 / 643.301) < 1e-9)
        let freezes = try #require(replay["freezes"] as? [[String: Any]])
        #expect(freezes.map { Self.hours($0["hours"]) } == [1, 105, 104])
        #expect(freezes.map { $0["still_frozen"] as? Bool } == [false, true, true])
        #expect(freezes[1]["end"] is NSNull)
        #expect(Self.hours(replay["frozen_hours"]) == 106)
        #expect(Self.hours(replay["fully_frozen_hours"]) == 104)

        // Every use case with a policy, in name order; the same question gives the same bytes.
        let all = try cli.ops("policy", "replay", "--format", "json", in: repo)
        #expect(try Self.json(all.stdout).map { $0["use_case"] as? String } == ["fraud_scoring", "ops_copilot", "search_ranking"])
        #expect(try cli.ops("policy", "replay", "--format", "json", in: repo).stdout == all.stdout)
    }

    /// The same history under a proposed policy that freezes non-critical releases from 50 %:
    /// consumption never falls under 50 % after Monday 01:00, so that freeze lasts from then to the
    /// last moment, 167 h, where the committed policy froze 106 h. The full freeze is unchanged.
    @Test func aStricterProposedPolicyFreezesEarlierAndLonger() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.demoRepository(cli)
        try """
        use_case: ops_copilot
        window: rolling_30d
        error_budget: 0.1%
        burn_alerts:
          - at: 50%
            actions: ["notify:#sre", "freeze_noncritical_releases"]
          - at: 100%
            actions: ["feature_freeze_all"]
        """.write(toFile: cli.path("proposed.yaml"), atomically: true, encoding: .utf8)
        let committed = try Self.json(try cli.ops("policy", "replay", "--use-case", "ops_copilot", "--format", "json", in: repo).stdout)[0]
        let result = try cli.ops("policy", "replay", "--policy", cli.path("proposed.yaml"), "--format", "json", in: repo)
        #expect(result.status == 0, "\(result.stderr)")
        let proposed = try Self.json(result.stdout)[0]
        #expect(proposed["policy"] as? String == cli.path("proposed.yaml"))
        let freezes = try #require(proposed["freezes"] as? [[String: Any]])
        #expect(freezes.map { $0["start"] as? String } == ["2026-11-16T01:00:00Z", "2026-11-18T16:00:00Z"])
        #expect(freezes.map { Self.hours($0["hours"]) } == [167, 104])
        #expect(Self.hours(proposed["frozen_hours"]) == 167 && Self.hours(committed["frozen_hours"]) == 106)
        #expect(Self.hours(proposed["fully_frozen_hours"]) == Self.hours(committed["fully_frozen_hours"]))

        // A window of its own, by the day: judged at each midnight from Tuesday, the first freeze
        // starts at Tuesday 00:00.
        let daily = try cli.ops(
            "policy", "replay", "--policy", cli.path("proposed.yaml"), "--since", "2026-11-16T00:00:00Z", "--until", "2026-11-20T00:00:00Z", "--step", "1d",
            "--format", "json", in: repo)
        let dailyReplay = try Self.json(daily.stdout)[0]
        #expect(dailyReplay["moments"] as? Int == 4)
        #expect((dailyReplay["freezes"] as? [[String: Any]])?.map { $0["start"] as? String } == ["2026-11-17T00:00:00Z", "2026-11-19T00:00:00Z"])
    }

    @Test func aBadProposedPolicyIsExitTwoWithItsLine() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.demoRepository(cli)
        let file = cli.path("bad.yaml")
        try """
        use_case: ops_copilot
        window: rolling_30d
        error_budget: 0.1%
        burn_alerts:
          - at: 75%
            actions: ["freeze_noncritical_releases"]
          - at: 50%
            actions: ["notify:#sre"]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try cli.ops("policy", "replay", "--policy", file, in: repo)
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("ops: \(file):7: burn alert at 50% comes after 75%"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)

        let step = try cli.ops("policy", "replay", "--step", "0h", in: repo)
        #expect(step.status == 2 && step.stderr.contains("--step 0h is not a duration"))
        let missing = try cli.ops("policy", "replay", "--policy", cli.path("nowhere.yaml"), in: repo)
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
    }
}
