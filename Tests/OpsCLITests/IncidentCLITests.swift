import Foundation
import Testing

@Suite struct IncidentCLITests {
    /// A fresh ops repository with the example team, made by the binary.
    static func repository(_ cli: CLI) throws -> String {
        let repo = cli.path("ops")
        let result = try cli.ops(["init", "--example", repo], environment: ["OPS_USER": "alice"])
        #expect(result.status == 0)
        return repo
    }

    @Test func aWholeLifecycleIsOneCommitPerCommandWithTrailersAndFsckClean() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let env = ["OPS_USER": "alice"]
        let open = try cli.ops(
            [
                "incident", "open", "Checkout p99 latency above 1.2s", "--sev", "sev-2", "--service", "ops_copilot",
                "--detected-at", "-10m", "--tag", "latency",
            ], in: repo, environment: env)
        #expect(open.status == 0)
        let id = open.stdout.trimmingCharacters(in: .newlines)
        #expect(id.range(of: #"^INC-\d{8}-[0-9A-HJKMNP-TV-Z]{8}$"#, options: .regularExpression) != nil)
        let short = String(id.suffix(8).prefix(4)).lowercased()
        let steps: [[String]] = [
            ["incident", "ack", short, "--as", "bob"],
            ["incident", "note", short, "Rolled back model v42"],
            ["incident", "assign", short, "comms", "bob"],
            ["incident", "mitigate", short],
            ["incident", "resolve", short],
            ["incident", "close", id],
        ]
        for step in steps {
            let result = try cli.ops(step, in: repo, environment: env)
            #expect(result.status == 0, "\(step): \(result.stderr)")
            #expect(result.stdout == "")
        }
        let log = try cli.git("log", "--format=%an|%(trailers:key=Ops-Action,valueonly,separator=)|%(trailers:key=Ops-Id,valueonly,separator=)", in: repo)
        #expect(
            log.split(separator: "\n").map(String.init) == [
                "Alice Martin|incident.close|\(id)", "Alice Martin|incident.resolve|\(id)", "Alice Martin|incident.mitigate|\(id)",
                "Alice Martin|incident.assign|\(id)", "Alice Martin|incident.note|\(id)", "Bob Okafor|incident.ack|\(id)",
                "Alice Martin|incident.open|\(id)", "Alice Martin|init|",
            ])
        #expect(try cli.git("fsck", "--strict", in: repo) == "")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")

        let show = try cli.ops(["incident", "show", short, "--json"], in: repo)
        let json = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        #expect(json["status"] as? String == "closed")
        #expect((json["roles"] as? [String: String]) == ["comms": "bob"])
        #expect(
            ((json["timeline"] as? [[String: Any]])?.map { $0["kind"] as! String }) == [
                "opened", "paged", "acknowledged", "note", "assigned", "mitigated", "resolved", "closed",
            ])
        #expect((json["durations"] as? [String: Int])?["time_to_acknowledge"] ?? 0 >= 600)

        let list = try cli.ops(["incident", "list", "--format", "csv"], in: repo)
        #expect(list.stdout.hasPrefix("id,title,severity,status,service,use_case,commander,tags,started_at"))
        #expect(list.stdout.contains("\(id),Checkout p99 latency above 1.2s,SEV2,closed,ops_copilot"))
    }

    @Test func badInputExits2WithTheMessageAndMakesNoCommit() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let env = ["OPS_USER": "alice"]
        let id = try cli.ops(
            ["incident", "open", "Search p95 above 800ms", "--sev", "SEV3", "--service", "search_ranking"],
            in: repo, environment: env
        ).stdout.trimmingCharacters(in: .newlines)
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let cases: [([String], String)] = [
            (["incident", "open", "x", "--sev", "SEV9", "--service", "ops_copilot"], "ops: unknown severity 'SEV9'. Known: SEV1"),
            (["incident", "open", "x", "--sev", "SEV2", "--service", "checkout"], "ops: unknown service 'checkout'. Known: ops_copilot"),
            (["incident", "open", "", "--sev", "SEV2", "--service", "ops_copilot"], "ops: the title is empty."),
            (["incident", "ack", "ZZZZZZ"], "ops: no incident matches 'ZZZZZZ'."),
            (["incident", "ack", "../../etc/passwd"], "ops: '../../etc/passwd' is not an incident ID."),
            (["incident", "ack", id, "--at", "half past two"], "ops: --at 'half past two' is not a time."),
            (["incident", "open", "x", "--sev", "SEV2", "--service", "ops_copilot", "--started-at", "25:99"], "ops: --started-at '25:99' is not a time."),
            (["stats", "--since", "2026-13-01"], "ops: --since '2026-13-01' is not a time."),
            (["incident", "note", id], "ops: no note text. Pass it as an argument, or - to read standard input"),
            (["incident", "ack", id, "--at", "2031-01-01T00:00:00Z"], "ops: --at '2031-01-01T00:00:00Z' is later than now"),
            (["incident", "list", "--service", "nope"], "ops: unknown service 'nope'. Known: ops_copilot"),
            (["incident", "correct", id, "closed", "--at", "-1m"], "ops: \(id) is open, not closed yet. Use: ops incident close \(id) --at TIME"),
            (["incident", "ack", id, "--as", "mallory"], "ops: --as 'mallory' is not a person in ops.yaml"),
            (["incident", "frobnicate"], "ops: Unexpected argument 'frobnicate'."),
            (["log", "--kind", "incidnt"], "ops: unknown kind 'incidnt'. Use one of: incident, decision, backlog"),
            (["backlog", "list", "--status", "closed"], "ops: unknown status 'closed'. Use one of: open, \"in progress\", done, dropped"),
            (["oncall", "schedule", "sre", "--weeks", "-1"], "ops: --weeks -1 is out of range. Give 1 to 104"),
        ]
        for (arguments, message) in cases {
            let result = try cli.ops(arguments, in: repo, environment: env)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stdout == "")
        }
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
    }

    @Test func notesFromStandardInputKeepTheirLinesAndEightParallelWritersAllLand() async throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let id = try cli.ops(
            ["incident", "open", "Fraud scores stale", "--sev", "SEV2", "--service", "fraud_scoring"],
            in: repo, environment: ["OPS_USER": "alice"]
        ).stdout.trimmingCharacters(in: .newlines)
        let piped = try cli.ops(
            ["incident", "note", id, "-"], in: repo, environment: ["OPS_USER": "carol"],
            stdin: "kubectl get pods\nfeature-sync-7d9   CrashLoopBackOff\n")
        #expect(piped.status == 0)
        #expect(
            try String(
                contentsOfFile: repo + "/incidents/" + id.dropFirst(4).prefix(4) + "/" + id.dropFirst(8).prefix(2) + "/\(id)/incident.md", encoding: .utf8
            )
            .contains("carol **note** kubectl get pods\n  feature-sync-7d9   CrashLoopBackOff\n"))

        let before = Int(try cli.git("rev-list", "--count", "HEAD", in: repo).trimmingCharacters(in: .newlines))!
        try await withThrowingTaskGroup(of: CLI.Result.self) { group in
            for writer in 0..<8 {
                group.addTask { try cli.ops(["incident", "note", id, "note from writer \(writer)"], in: repo, environment: ["OPS_USER": "bob"]) }
            }
            for try await result in group { #expect(result.status == 0, "\(result.stderr)") }
        }
        #expect(Int(try cli.git("rev-list", "--count", "HEAD", in: repo).trimmingCharacters(in: .newlines))! == before + 8)
        let show = try cli.ops(["incident", "show", id, "--json"], in: repo)
        let timeline = (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any])["timeline"] as! [[String: Any]]
        #expect(Set(timeline.compactMap { $0["text"] as? String }.filter { $0.hasPrefix("note from writer") }).count == 8)
        #expect(try cli.git("fsck", "--strict", in: repo) == "")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
    }

    /// Alerts committed as Alertmanager itself (`--as`, as the README's ops serve does) open an
    /// incident nobody leads yet; the first person to acknowledge it becomes its commander.
    @Test func anIncidentAnAlertOpensIsLedByWhoeverAcknowledgesIt() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
        let opened = try cli.ops(["alert", "ingest", fixtures + "/alertmanager-firing.json", "--as", "Alertmanager <alertmanager@example.com>"], in: repo)
        #expect(opened.status == 0, "\(opened.stderr)")
        let id = opened.stdout.trimmingCharacters(in: .newlines)
        func commander() throws -> String? {
            let show = try JSONSerialization.jsonObject(with: Data(try cli.ops(["incident", "show", id, "--json"], in: repo).stdout.utf8)) as! [String: Any]
            return show["commander"] as? String
        }
        #expect(try commander() == nil)
        #expect(try cli.ops(["incident", "ack", id], in: repo, environment: ["OPS_USER": "bob"]).status == 0)
        #expect(try commander() == "bob")
    }

    @Test func theSameAlertmanagerPayloadTwiceGivesOneIncidentAndResolvedJoinsItsTimeline() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
        let env = ["OPS_USER": "alice"]
        let first = try cli.ops(["alert", "ingest", fixtures + "/alertmanager-firing.json"], in: repo, environment: env)
        #expect(first.status == 0)
        let id = first.stdout.trimmingCharacters(in: .newlines)
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let again = try cli.ops(["alert", "ingest", fixtures + "/alertmanager-firing.json"], in: repo, environment: env)
        #expect(again.status == 0 && again.stdout == "" && again.stderr == "1 already recorded.\n")
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        let resolved = try cli.ops(["alert", "ingest", fixtures + "/alertmanager-resolved.json"], in: repo, environment: env)
        #expect(resolved.status == 0 && resolved.stderr == "Updated \(id).\n")
        #expect(try cli.ops(["alert", "ingest", fixtures + "/alertmanager-resolved.json"], in: repo, environment: env).stderr == "1 already recorded.\n")

        let show = try JSONSerialization.jsonObject(with: Data(try cli.ops(["incident", "show", id, "--json"], in: repo).stdout.utf8)) as! [String: Any]
        #expect(show["severity"] as? String == "SEV2")  // severity=page is an alias of SEV2 in the example ops.yaml
        #expect(show["status"] as? String == "open")  // people resolve incidents, not alerts
        #expect(show["runbook"] as? String == "model-serving-degradation")
        #expect((show["clock"] as? [String: String])?["detected_at"] == "2026-11-18T14:02:11Z")
        let texts = (show["timeline"] as! [[String: Any]]).map { "\($0["kind"]!) \($0["text"]!)" }
        #expect(texts.filter { $0.hasPrefix("alert firing HighLatencyP95 [c0ffee1234abcd56]") }.count == 1)
        #expect(texts.filter { $0.hasPrefix("alert resolved HighLatencyP95 [c0ffee1234abcd56] at 2026-11-18T15:11:40Z") }.count == 1)
        let list = try cli.ops(["incident", "list", "--json"], in: repo)
        #expect((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [Any]).count == 1)

        let broken = try cli.ops(["alert", "ingest", "-"], in: repo, environment: env, stdin: "{\"version\": \"4\", \"alerts\": [")
        #expect(broken.status == 2 && broken.stderr == "ops: standard input: not valid JSON. ops alert ingest reads an Alertmanager webhook payload\n")
        let old = try cli.ops(["alert", "ingest", "-"], in: repo, environment: env, stdin: "{\"version\": \"3\", \"alerts\": []}")
        #expect(old.status == 2 && old.stderr == "ops: standard input: Alertmanager webhook version 3; ops reads version 4\n")
        #expect(try cli.git("rev-list", "--count", "HEAD", in: repo) == "3\n")
    }

    @Test func statsOnTheDemoWeekReportsSettledIncidentsAndListsOpenOnesApart() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.copyItem(atPath: source.appendingPathComponent("incidents").path, toPath: repo + "/incidents")
        _ = try cli.git("add", "incidents", in: repo)
        _ = try cli.git("commit", "-qm", "Our incident history", in: repo)
        let result = try cli.ops(["stats", "--week", "2026-W47", "--json"], in: repo)
        #expect(result.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["clock_start"] as? String == "detected")
        let all = (json["groups"] as! [[String: Any]])[0]
        // The three open ones count in the figures they reached, and are listed apart.
        #expect(all["key"] as? String == "all" && all["incidents"] as? Int == 6 && all["settled"] as? Int == 3 && all["small_sample"] as? Bool == false)
        #expect(
            Set((json["open"] as! [[String: Any]]).map { $0["id"] as! String }) == ["INC-20261120-F5A77WY2", "INC-20261122-JH353M81", "INC-20261122-8JMFVQ2S"])
        let table = try cli.ops(["stats", "--week", "2026-W47"], in: repo)
        #expect(table.stdout.hasPrefix("Response times, 2026-W47 (clock starts at detection)"))
        #expect(table.stdout.contains("acknowledge_at") == false && table.stdout.contains("Time to detect = detected_at − started_at"))
        let badWeek = try cli.ops(["stats", "--week", "2026-W54"], in: repo)
        #expect(badWeek.status == 2 && badWeek.stderr == "ops: '2026-W54' is not an ISO week. Write it like 2026-W47\n")
    }
}
