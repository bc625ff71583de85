import Foundation
import Testing

/// `ops slo rules` as a user runs it: stdout or `--out`, nothing committed, and a catalog it
/// cannot use refused in one line with its file:line, writing nothing.
@Suite struct SLORulesCLITests {
    /// The repository's catalog with `edit` applied, committed.
    static func editCatalog(_ cli: CLI, _ repo: String, _ edit: (String) -> String) throws -> String {
        let path = repo + "/slo/catalog.yaml"
        let text = edit(try String(contentsOfFile: path, encoding: .utf8))
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        _ = try cli.git("commit", "-qam", "edit the catalog", in: repo)
        return text
    }

    /// The line of the catalog the use case's availability indicator is on.
    static func availabilityLine(_ text: String, _ useCase: String) throws -> Int {
        let lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "  \(useCase):"))
        return try #require(lines[start...].firstIndex { $0.hasPrefix("    availability:") }) + 1
    }

    @Test func theRulesGoToStdoutOrToTheOutFileAndNothingIsCommitted() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try SLOCLITests.repository(cli)
        let commits = try cli.git("rev-list", "--count", "HEAD", in: repo)

        let printed = try cli.ops("slo", "rules", in: repo)
        #expect(printed.status == 0 && printed.stderr.isEmpty, "\(printed.stderr)")
        #expect(printed.stdout.hasPrefix("# Prometheus rules made by `ops slo rules`"))
        #expect(printed.stdout.contains("- alert: ErrorBudgetBurn1h"))

        let written = try cli.ops("slo", "rules", "--out", "slo.rules.yml", in: repo)
        #expect(written.status == 0 && written.stdout.isEmpty)
        #expect(written.stderr == "Wrote rules for ops_copilot availability, fraud_scoring availability, search_ranking availability to slo.rules.yml.\n")
        #expect(try String(contentsOfFile: repo + "/slo.rules.yml", encoding: .utf8) == printed.stdout)
        #expect(try cli.git("rev-list", "--count", "HEAD", in: repo) == commits)

        let one = try cli.ops("slo", "rules", "--use-case", "fraud_scoring", in: repo)
        #expect(one.status == 0 && one.stdout.contains("- name: slo-fraud_scoring-availability") && !one.stdout.contains("ops_copilot"))
        let unknown = try cli.ops("slo", "rules", "--use-case", "checkout", in: repo)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("use case `checkout` is not in slo/catalog.yaml (known: ops_copilot, fraud_scoring, search_ranking)"))
    }

    @Test func anIndicatorWithoutQueriesIsANoteAndAQueryWithoutARangeIsExit2WithItsLine() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try SLOCLITests.repository(cli)
        // fraud_scoring availability loses its queries: noted, the others still get rules.
        var text = try Self.editCatalog(cli, repo) { text in
            text.components(separatedBy: "\n").map { line in
                guard line.hasPrefix("    availability:"), line.contains("fraud_scoring") else { return line }
                return "    availability: {objective: 99.9%, window: rolling_30d}"
            }.joined(separator: "\n")
        }
        let fraudLine = try Self.availabilityLine(text, "fraud_scoring")
        let noted = try cli.ops("slo", "rules", in: repo)
        #expect(noted.status == 0)
        #expect(noted.stderr.contains("note: fraud_scoring availability has no good_query and total_query (slo/catalog.yaml:\(fraudLine)): no rules"))
        #expect(noted.stdout.contains("slo-ops_copilot-availability") && !noted.stdout.contains("slo-fraud_scoring-availability"))

        // A total query with no range to set: refused, one line, and --out writes nothing.
        text = try Self.editCatalog(cli, repo) {
            $0.replacingOccurrences(
                of: #"total_query: 'sum(increase(http_requests_total{use_case="ops_copilot"}[1h]))'"#,
                with: #"total_query: 'sum(http_requests_total{use_case="ops_copilot"})'"#)
        }
        let line = try Self.availabilityLine(text, "ops_copilot")
        let refused = try cli.ops("slo", "rules", "--out", "slo.rules.yml", in: repo)
        #expect(refused.status == 2)
        #expect(
            refused.stderr.hasSuffix(
                "slo/catalog.yaml:\(line): total_query of ops_copilot.availability has no range like [1h] to set to each window. ops slo rules sets the query's range to each window (5m to 3d): write it like 'sum(increase(x[1h]))'\n"
            ), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repo + "/slo.rules.yml"))
    }
}
