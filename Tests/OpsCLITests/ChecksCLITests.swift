import Foundation
import Testing

/// `ops checks run` on the example's file dataset: what it prints, commits and opens.
@Suite struct ChecksCLITests {
    /// Monday after 2026-W47, the week the example's data drifts in.
    static let now = ["OPS_NOW": "2026-11-23T09:00:00Z"]

    static func repository(_ cli: CLI) throws -> String {
        let repo = cli.path("ops")
        #expect(try cli.ops("init", repo, "--example").status == 0)
        return repo
    }

    static func commits(_ cli: CLI, _ repo: String) throws -> Int {
        Int(try cli.git("rev-list", "--count", "HEAD", in: repo).trimmingCharacters(in: .newlines))!
    }

    @Test func aRunPrintsEachCheckCommitsItsReadingsOnceAndPagesOnce() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let before = try Self.commits(cli, repo)

        let first = try cli.ops("checks", "run", "--use-case", "ops_copilot", "--week", "2026-W47", in: repo, environment: Self.now)
        // A level reached is a check that said no.
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stdout.contains("Checks for 2026-W47 (readings filed at 2026-11-22T00:00:00Z)"))
        #expect(first.stdout.contains("PSI of answers.prompt_tokens: 0.2369 — ALERT (alert: ≥ 0.2)"))
        #expect(first.stdout.contains("PSI over 10 bins of the reference's range"))
        #expect(first.stdout.contains("on 420 reference and 420 current values of data/ops_copilot/answers.csv"))
        #expect(first.stdout.contains("KS p-value of answers.prompt_tokens: 6.55894e-07 — ALERT (alert: < 0.05)"))
        #expect(first.stdout.contains("top-k shift of answers.language: 10.24 % — REVIEW (review: ≥ 10 %)"))
        #expect(first.stdout.contains("mean drop of answers.groundedness: 0.379 — PAGE (page: ≥ 0.3)"))
        // One commit of the readings, one of the incident the page opened.
        #expect(try Self.commits(cli, repo) == before + 2)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
        let snapshot = try String(contentsOfFile: repo + "/slo/snapshots/signals/ops_copilot/2026-W47.yaml", encoding: .utf8)
        #expect(
            snapshot.contains(
                "  - {at: 2026-11-22T00:00:00Z, metric: psi, subject: answers.prompt_tokens, value: 0.236934, unit: index}"))
        #expect(first.stderr.contains("Opened "))
        let incidents = try cli.ops("incident", "list", "--format", "json", in: repo, environment: Self.now)
        let list = try JSONSerialization.jsonObject(with: Data(incidents.stdout.utf8)) as! [[String: Any]]
        let paged = list.filter { ($0["title"] as? String)?.contains("mean drop") == true }
        #expect(paged.count == 1)
        // Drift goes to the platform rotation (oncall.yaml's area: drift route).
        #expect(paged.first?["rotation"] as? String == "platform")

        // The same data again: nothing new to record, and the open incident is not paged again.
        let again = try cli.ops("checks", "run", "--use-case", "ops_copilot", "--week", "2026-W47", in: repo, environment: Self.now)
        #expect(again.status == 1)
        #expect(again.stderr.contains("Every reading is already recorded: nothing to commit."))
        #expect(!again.stderr.contains("Opened "))
        #expect(try Self.commits(cli, repo) == before + 2)

        // Resolved by people, the breach does not page again that week.
        let id = try #require(paged.first?["id"] as? String)
        #expect(try cli.ops("incident", "resolve", id, in: repo, environment: Self.now).status == 0)
        let resolved = try cli.ops("checks", "run", "--use-case", "ops_copilot", "--week", "2026-W47", in: repo, environment: Self.now)
        #expect(!resolved.stderr.contains("Opened "))

        // A week long past checked again (in another clone, say) pages no one.
        let other = cli.path("other")
        #expect(try cli.ops("init", other, "--example").status == 0)
        let late = try cli.ops(
            "checks", "run", "--use-case", "ops_copilot", "--week", "2026-W47", in: other, environment: ["OPS_NOW": "2026-12-20T09:00:00Z"])
        #expect(late.status == 1 && !late.stderr.contains("Opened "))

        // The readings are judged in ops signals status by the checks' own levels.
        let status = try cli.ops("signals", "status", "--week", "2026-W47", "--use-case", "ops_copilot", in: repo, environment: Self.now)
        #expect(status.stdout.contains("psi of answers.prompt_tokens"))
        #expect(status.stdout.contains("mean_drop of answers.groundedness"))
    }

    @Test func aValueThatIsNotANumberIsAnErrorAtItsLineAndNothingIsWritten() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let path = repo + "/data/ops_copilot/answers.csv"
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        // Line 501 (a row of W47): its prompt_tokens field becomes a word.
        var fields = lines[500].components(separatedBy: ",")
        fields[1] = "lots"
        lines[500] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        _ = try cli.git("commit", "-qam", "a bad row", in: repo)
        let before = try Self.commits(cli, repo)

        let run = try cli.ops("checks", "run", "--use-case", "ops_copilot", "--week", "2026-W47", in: repo, environment: Self.now)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("ops: data/ops_copilot/answers.csv:501: prompt_tokens is 'lots', not a number."), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(try Self.commits(cli, repo) == before)
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
    }

    @Test func aDatasetLinkedToAFileOutsideTheRepositoryIsNotRead() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let path = repo + "/data/ops_copilot/answers.csv"
        try FileManager.default.moveItem(atPath: path, toPath: cli.path("outside.csv"))
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: cli.path("outside.csv"))
        _ = try cli.git("commit", "-qam", "the answers now live elsewhere", in: repo)
        let before = try Self.commits(cli, repo)
        let run = try cli.ops("checks", "run", "--use-case", "ops_copilot", "--week", "2026-W47", in: repo, environment: Self.now)
        #expect(run.status == 2)
        #expect(run.stderr.contains("data/ops_copilot/answers.csv leads outside the repository"), "\(run.stderr)")
        #expect(try Self.commits(cli, repo) == before)
    }

    @Test func aDatasetWithTooFewRowsSaysSoInsteadOfJudging() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        // 2026-W49 has no rows in the example file; W48 (its reference) neither.
        let run = try cli.ops("checks", "run", "--use-case", "ops_copilot", in: repo, environment: ["OPS_NOW": "2026-12-06T12:00:00Z"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("PSI of answers.prompt_tokens: – — not judged: too few"))
        #expect(!run.stderr.contains("Committed"))
    }

    @Test func aDatabaseWhoseVariableIsNotSetIsNamedAndNothingIsWritten() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        let before = try Self.commits(cli, repo)
        let run = try cli.ops("checks", "run", in: repo, environment: Self.now)
        #expect(run.status == 2)
        #expect(run.stderr.contains("PAYMENTS_DB_URL"), "\(run.stderr)")
        #expect(try Self.commits(cli, repo) == before)
    }

    @Test func lintNamesAProblemInChecksYamlWithItsLine() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        #expect(try cli.ops("lint", in: repo).status == 0)
        let path = repo + "/checks.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "{test: ks, feature: prompt_tokens}", with: "{test: ks, feature: language}")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let lint = try cli.ops("lint", in: repo)
        #expect(lint.status == 1)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("{test: ks, feature: language}") }! + 1
        #expect(lint.stdout.contains("checks.yaml:\(line): ks reads a continuous feature; language is categorical"), "\(lint.stdout)")
    }
}
