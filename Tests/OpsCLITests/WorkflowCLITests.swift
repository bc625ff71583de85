import Foundation
import Testing

/// Issue 15's findings from a team's first trial, as a user meets them on the command line.
@Suite struct WorkflowCLITests {
    @Test func listStatusTakesActiveAndSeveralValuesAndTheHelpSaysSo() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let env = ["OPS_USER": "alice"]
        var ids: [String] = []
        for (title, verb) in [("Checkout p99 above 1.2s", "ack"), ("Checkout errors above 2%", "mitigate"), ("Copilot answers empty", "resolve")] {
            let id = try cli.ops(
                ["incident", "open", title, "--sev", "SEV2", "--service", "ops_copilot"],
                in: repo, environment: env
            ).stdout.trimmingCharacters(in: .newlines)
            #expect(try cli.ops(["incident", verb, id], in: repo, environment: env).status == 0)
            ids.append(id)
        }
        func listed(_ arguments: [String]) throws -> Set<String> {
            let result = try cli.ops(["incident", "list", "--json"] + arguments, in: repo)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return Set((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [[String: Any]]).map { $0["id"] as! String })
        }
        #expect(try listed(["--status", "active"]) == [ids[0], ids[1]])
        #expect(try listed(["--status", "acknowledged,mitigated"]) == [ids[0], ids[1]])
        #expect(try listed(["--status", "open", "--status", "resolved"]) == [ids[2]])
        let bad = try cli.ops(["incident", "list", "--status", "pending"], in: repo)
        #expect(bad.status == 2 && bad.stderr.hasPrefix("ops: unknown status 'pending'. Known: open, acknowledged, mitigated, resolved, closed, active"))
        let help = try cli.ops(["incident", "list", "--help"], in: repo).stdout
        #expect(help.contains("active") && help.contains("comma"))
    }

    @Test func supersedingByAProposedDecisionExits2AndWritesNothingUnlessAccepted() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let env = ["OPS_USER": "alice"]
        let old = try cli.ops(["decision", "new", "Serve from one region", "--status", "accepted"], in: repo, environment: env)
            .stdout.trimmingCharacters(in: .newlines)
        let new = try cli.ops(["decision", "new", "Serve from two regions"], in: repo, environment: env).stdout.trimmingCharacters(in: .newlines)
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let refused = try cli.ops(["decision", "supersede", old, "--by", new], in: repo, environment: env)
        #expect(refused.status == 2)
        #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains("--accept"))
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        let accepted = try cli.ops(["decision", "supersede", old, "--by", new, "--accept"], in: repo, environment: env)
        #expect(accepted.status == 0 && accepted.stderr == "\(old) is superseded by \(new) (accepted).\n")
        #expect(try cli.git("rev-list", "--count", "\(head.trimmingCharacters(in: .newlines))..HEAD", in: repo) == "1\n")
    }

    /// Issue 15: a new example repository warned in its own lint (the starter policy's bare `error_budget: 0.1`).
    @Test func aFreshExampleRepositoryLintsCleanAndKeepsTheSeedsWordingAsAComment() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let lint = try cli.ops(["lint"], in: repo)
        #expect(lint.status == 0 && lint.stdout == "")
        #expect(lint.stderr.hasPrefix("Clean: ") && !lint.stderr.contains("warning"), "\(lint.stderr)")
        let policy = try String(contentsOfFile: repo + "/policies/ops_copilot.yaml", encoding: .utf8)
        #expect(policy.contains("\nerror_budget: 0.1%\n"))
        #expect(policy.contains("#   error_budget: 0.1        # 0.1 = 0.1 days of downtime in 30 days (~2.4h)\n"))
        let status = try cli.ops(["slo", "status", "--use-case", "ops_copilot", "--json"], in: repo)
        #expect(status.status == 0 && status.stdout.contains("0.999"), "\(status.stderr)")
    }

    @Test func aSecondOpenOfTheSameTroubleExits2AndClosingASEV2WithoutAPostmortemWarns() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let env = ["OPS_USER": "alice"]
        let open = ["incident", "open", "Checkout p99 above 1.2s", "--sev", "SEV2", "--service", "ops_copilot"]
        let id = try cli.ops(open, in: repo, environment: env).stdout.trimmingCharacters(in: .newlines)
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let twice = try cli.ops(open, in: repo, environment: ["OPS_USER": "bob"])
        #expect(twice.status == 2 && twice.stdout == "")
        #expect(twice.stderr.hasPrefix("ops: \(id) is already open on ops_copilot: ") && twice.stderr.contains("--force"))
        #expect(twice.stderr.split(separator: "\n").count == 1)
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        let forced = try cli.ops(open + ["--force"], in: repo, environment: env)
        #expect(forced.status == 0 && forced.stdout.hasPrefix("INC-") && !forced.stdout.contains(id))

        #expect(try cli.ops(["incident", "resolve", id], in: repo, environment: env).status == 0)
        let closed = try cli.ops(["incident", "close", id], in: repo, environment: env)
        #expect(closed.status == 0 && closed.stdout == "")
        #expect(closed.stderr.contains("\(id) closed.\nwarning: \(id) is SEV2 and has no postmortem; "), "\(closed.stderr)")
    }

    /// Issue 15: shell completions offered no incident IDs, services, runbooks or people.
    @Test func completionsOfferIDsServicesRunbooksAndPeopleQuietlyAndFast() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let id = try cli.ops(
            ["incident", "open", "Checkout p99 above 1.2s", "--sev", "SEV2", "--service", "ops_copilot"],
            in: repo, environment: ["OPS_USER": "alice"]
        ).stdout.trimmingCharacters(in: .newlines)
        let part = id.suffix(8).lowercased()
        // What the generated scripts run at each Tab: ops ---completion SUBCOMMANDS -- ARGUMENT INDEX CURSOR WORDS...
        func complete(_ command: [String], _ argument: String, _ words: [String] = [""], in folder: String? = nil) throws -> CLI.Result {
            try cli.ops(["---completion"] + command + ["--", argument, String(words.count - 1), String(words.last!.count)] + words, in: folder ?? repo)
        }
        let ids = try complete(["incident", "ack"], "positional@0")
        #expect(ids.status == 0 && ids.stdout == id + "\n" && ids.stderr == "")
        #expect(try complete(["step", "check"], "positional@0", [String(part.prefix(2))]).stdout == part + "\n")
        #expect(try complete(["incident", "open"], "--service").stdout.split(separator: "\n").contains("ops_copilot"))
        #expect(try complete(["incident", "open"], "--runbook").stdout.split(separator: "\n").contains("model-serving-degradation"))
        #expect(try complete(["runbook", "attach"], "positional@1").stdout.split(separator: "\n").count == 5)
        #expect(try complete(["incident", "assign"], "positional@2").stdout.split(separator: "\n").contains("bob"))
        #expect(try complete(["incident", "note"], "--as").stdout.split(separator: "\n").contains("carol"))
        // -C on the line being typed names the repository.
        #expect(try complete(["incident", "ack"], "positional@0", ["-C", repo, ""], in: cli.home).stdout == id + "\n")
        // Outside a repository, or with a broken ops.yaml: nothing offered, nothing said.
        let outside = try complete(["incident", "ack"], "positional@0", in: cli.home)
        #expect(outside.status == 0 && outside.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "" && outside.stderr == "")
        try "team: [broken\n".write(toFile: repo + "/ops.yaml", atomically: true, encoding: .utf8)
        _ = try cli.git("commit", "-qam", "break ops.yaml", in: repo)
        let broken = try complete(["incident", "open"], "--service")
        #expect(broken.status == 0 && broken.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "" && broken.stderr == "")
        #expect(try cli.ops(["--generate-completion-script", "bash"]).stdout.contains("---completion incident ack"))
    }
}
