import Foundation
import LoopbackPostgres
import Testing

/// `ops checks run` against a real PostgreSQL server on loopback: the counts of tables with
/// known faults, and what a wrong password or a missing table does.
@Suite(.serialized, .tags(.integration)) struct ChecksPostgresCLITests {
    static let checks = """
        version: 1
        use_cases:
          fraud_scoring:
            owner: carol
            datasets:
              transactions:
                postgres: {url_env: PAYMENTS_DB_URL, table: payments}
                reference: {postgres: {table: payments_baseline}}
                features: {amount_usd: continuous, merchant_category: categorical}
                checks:
                  - {test: psi, feature: amount_usd}
                  - {test: topk, feature: merchant_category}
                  - {test: freshness, column: event_ts, page: 20m}
                  - {test: completeness, expected_rows: 100}
                  - {test: not_null, column: user_id}
                  - {test: unique, column: id}
                  - {test: valid, rule: "amount_usd >= 0"}

        """

    /// 97 rows (of 100 expected; no time_column, so the whole table is checked), the latest 25 minutes ago; 3 negative amounts, 2
    /// empty user_ids, one id on 2 rows. The baseline has 60 rows of the same shape.
    static let tables = """
        CREATE TABLE payments (id int, user_id text, amount_usd numeric(12,2), merchant_category text, event_ts timestamptz);
        INSERT INTO payments
          SELECT g, 'u' || g, 10 + (g % 40), (ARRAY['grocery','travel','fuel','games'])[1 + g % 4], now() - interval '25 minutes' - (g || ' minutes')::interval
          FROM generate_series(1, 97) g;
        UPDATE payments SET amount_usd = -5 WHERE id IN (3, 30, 60);
        UPDATE payments SET user_id = NULL WHERE id IN (7, 70);
        UPDATE payments SET id = 11 WHERE id = 12;
        CREATE TABLE payments_baseline AS SELECT * FROM payments WHERE id <= 60;
        """

    static func repository(_ cli: CLI) throws -> String {
        let repo = cli.path("ops")
        #expect(try cli.ops("init", repo, "--example").status == 0)
        try checks.write(toFile: repo + "/checks.yaml", atomically: true, encoding: .utf8)
        _ = try cli.git("commit", "-qam", "Check the payments table", in: repo)
        return repo
    }

    /// A server with the tables, and a repository checking them; both removed after `body`.
    static func withServer(_ body: (LoopbackPostgres, CLI, String) throws -> Void) throws {
        let server = try LoopbackPostgres.start()
        defer { server.stop() }
        _ = try server.psql(Self.tables)
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try Self.repository(cli)
        try body(server, cli, repo)
    }

    @Test func freshnessCompletenessAndRulesGiveTheKnownCountsAndAPage() throws {
        try Self.withServer { server, cli, repo in
            let run = try cli.ops(["checks", "run", "--format", "json"], in: repo, environment: ["PAYMENTS_DB_URL": server.url])
            #expect(run.status == 1, "\(run.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
            let checks = Dictionary(uniqueKeysWithValues: (json["checks"] as! [[String: Any]]).map { ($0["test"] as! String, $0) })
            #expect((checks["completeness"]?["value"] as? NSNumber)?.doubleValue == 0.97)
            #expect(checks["completeness"]?["level"] as? String == "ticket")
            #expect((checks["not_null"]?["value"] as? NSNumber)?.intValue == 2)
            #expect((checks["unique"]?["value"] as? NSNumber)?.intValue == 2)
            #expect((checks["valid"]?["value"] as? NSNumber)?.intValue == 3)
            #expect((checks["valid"]?["examples"] as? [String])?.count == 3)
            #expect(checks["valid"]?["computed"] as? String == "amount_usd >= 0: 3 of 97 rows break it")
            let freshness = try #require((checks["freshness"]?["value"] as? NSNumber)?.doubleValue)
            #expect(freshness > 25.5 && freshness < 28, "\(freshness) minutes")
            #expect(checks["freshness"]?["level"] as? String == "page")
            // The page opened one incident on the data rotation (area: data_quality).
            #expect((json["opened"] as? [String])?.count == 1)
            let incidents = try cli.ops("incident", "list", "--format", "json", in: repo)
            let list = try JSONSerialization.jsonObject(with: Data(incidents.stdout.utf8)) as! [[String: Any]]
            #expect(list.first { ($0["title"] as? String)?.hasPrefix("freshness") == true }?["rotation"] as? String == "data")
            let snapshot = try String(contentsOfFile: repo + "/slo/snapshots/signals/fraud_scoring/" + (json["week"] as! String) + ".yaml", encoding: .utf8)
            #expect(snapshot.contains("metric: invalid_rows, subject: 'transactions: amount_usd >= 0', value: 3, unit: count}"))
            #expect(snapshot.contains("{name: payments on $PAYMENTS_DB_URL"))
        }
    }

    @Test func aWrongPasswordOrAMissingTableIsOneLineAndNothingIsWritten() throws {
        try Self.withServer { server, cli, repo in
            let head = try cli.git("rev-parse", "HEAD", in: repo)

            let wrong = try cli.ops(["checks", "run"], in: repo, environment: ["PAYMENTS_DB_URL": server.url(password: "not-the-password")])
            #expect(wrong.status == 3, "\(wrong.stderr)")
            #expect(wrong.stderr.contains("PAYMENTS_DB_URL") && !wrong.stderr.contains("not-the-password"))
            #expect(wrong.stderr.split(separator: "\n").count == 1)

            let text = try String(contentsOfFile: repo + "/checks.yaml", encoding: .utf8).replacingOccurrences(of: "table: payments}", with: "table: payment}")
            try text.write(toFile: repo + "/checks.yaml", atomically: true, encoding: .utf8)
            let missing = try cli.ops(["checks", "run"], in: repo, environment: ["PAYMENTS_DB_URL": server.url])
            #expect(missing.status == 2, "\(missing.stderr)")
            #expect(missing.stderr.contains("payment"))
            #expect(missing.stderr.split(separator: "\n").count == 1)

            #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
            #expect(try cli.git("status", "--porcelain", in: repo) == " M checks.yaml\n")
        }
    }
}
