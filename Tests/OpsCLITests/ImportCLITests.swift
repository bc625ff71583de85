import Foundation
import Testing

@Suite struct ImportCLITests {
    /// The import samples, shared with the in-process tests.
    static func sample(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("OpsKitTests/Fixtures/imports/\(path)").path
    }

    @Test func anImportIsOneCommitPrintsItsIDsAndTheSecondRunWritesNothing() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let env = ["OPS_USER": "alice"]
        let files = [
            "pagerduty/faros_real_incidents_and_log_entries.jsonl", "pagerduty/faros_trial_incidents.json",
            "pagerduty/faros_trial_incidentLogEntries.json",
        ].map(Self.sample)

        let dry = try cli.ops(["import", "pagerduty"] + files + ["--dry-run"], in: repo, environment: env)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.split(separator: "\n").count == 8 && dry.stdout.contains("create pagerduty:Q0F38LOFAQXIKU  RDS CPU Credit Balance"))
        #expect(dry.stderr.hasPrefix("Dry run, nothing written."))
        #expect(try cli.git("rev-list", "--count", "HEAD", in: repo) == "1\n")

        let run = try cli.ops(["import", "pagerduty"] + files, in: repo, environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let ids = run.stdout.split(separator: "\n").map(String.init)
        #expect(ids.count == 8 && ids.allSatisfy { $0.hasPrefix("INC-20") })
        #expect(run.stderr.hasPrefix("PagerDuty, 3 files, 8 incidents: 8 created, 0 updated, 0 unchanged, 0 skipped.\n"))
        let trailers = try cli.git(
            "log", "-1", "--format=%(trailers:key=Ops-Action,valueonly,separator=)|%(trailers:key=Ops-Id,valueonly,separator=%x2C)", in: repo)
        #expect(trailers == "import.pagerduty|\(ids.joined(separator: ","))\n")
        #expect(try cli.ops(["lint"], in: repo).status == 0)

        // Imported incidents count in stats like any other; #540 was never acknowledged.
        let stats = try cli.ops(["stats", "--format", "json"], in: repo)
        let json = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as! [String: Any]
        let all = (json["groups"] as! [[String: Any]])[0]
        let acknowledge = (all["metrics"] as! [String: [String: Any]])["time_to_acknowledge"]!
        #expect(all["incidents"] as? Int == 8 && all["settled"] as? Int == 5)
        #expect(acknowledge["count"] as? Int == 4 && acknowledge["missing"] as? Int == 1)

        let again = try cli.ops(["import", "pagerduty"] + files, in: repo, environment: env)
        #expect(again.status == 0 && again.stdout == "")
        #expect(again.stderr.hasPrefix("PagerDuty, 3 files, 8 incidents: 0 created, 0 updated, 8 unchanged, 0 skipped."))
        #expect(try cli.git("rev-list", "--count", "HEAD", in: repo) == "2\n")
    }

    @Test func badInputExits2WithOneLineAndWritesNothing() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let fireHydrant = Self.sample("firehydrant/faros_2022_incidents_with_events.jsonl")
        let wrong = try cli.ops(
            ["import", "pagerduty", Self.sample("pagerduty/faros_trial_incidents.json"), fireHydrant], in: repo,
            environment: ["OPS_USER": "alice"])
        #expect(wrong.status == 2 && wrong.stdout == "")
        #expect(wrong.stderr == "ops: \(fireHydrant): this is FireHydrant data, not PagerDuty. Run: ops import firehydrant \(fireHydrant)\n")
        let clock = try cli.ops(
            ["import", "incidentio", Self.sample("incidentio/openapi_GET_v2_incident.json"), "--clock", "Impact began"],
            in: repo, environment: ["OPS_USER": "alice"])
        #expect(clock.status == 2 && clock.stderr.hasPrefix("ops: --clock 'Impact began' is not NAME=POINT"))
        #expect(try cli.git("rev-list", "--count", "HEAD", in: repo) == "1\n")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
    }
}

@Suite struct ImportHelpCLITests {
    /// `ops import`'s abstract is made from OpsKit's list of importers: every tool it names has
    /// its subcommand, and every subcommand is one of them.
    @Test func everyImporterHasItsSubcommandAndNoOther() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let help = try cli.ops(["import", "--help"])
        #expect(help.status == 0)
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The overview may wrap: it runs to the first empty line.
        let overview = lines.prefix { !$0.isEmpty }.joined(separator: " ")
        let prefix = "OVERVIEW: Import incident history from "
        #expect(overview.hasPrefix(prefix) && overview.hasSuffix("."))
        let named = overview.dropFirst(prefix.count).dropLast()
            .replacingOccurrences(of: " or ", with: ", ").components(separatedBy: ", ")
        // `  pagerduty   Import incidents exported from PagerDuty.`
        let fromSubcommands = lines.drop { $0 != "SUBCOMMANDS:" }.dropFirst().prefix { !$0.isEmpty }.map { line in
            line.components(separatedBy: "Import incidents exported from ").last!.dropLast()
        }.map(String.init)
        // The five tools there were when this was written, and any added since.
        #expect(named.count >= 5)
        #expect(fromSubcommands == named)
    }
}
