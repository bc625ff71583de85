import Foundation
import LoopbackPostgres
import Testing

@testable import OpsKit

/// PostgreSQL datasets against a real server on loopback (LoopbackPostgres): tables with known
/// violations give the known counts and examples, and each way a connection or a query fails
/// is one line of the right kind. One server for the whole suite, stopped even when a check fails.
@Suite(.tags(.integration)) struct PostgresSourceTests {
    /// 95 payments, ids 1 to 95, one a minute, the newest 25 minutes old; then the known faults:
    /// ids 10, 20, 30 negative, ids 40 and 41 without a user, ids 50 and 60 twice (97 rows).
    static let schema = """
        CREATE TABLE payments (id int, user_id int, amount_usd numeric(12, 2), event_ts timestamptz);
        INSERT INTO payments
          SELECT g, 1000 + g, g * 1.25, now() - interval '25 minutes' - (95 - g) * interval '1 minute' FROM generate_series(1, 95) g;
        UPDATE payments SET amount_usd = -3.5 WHERE id = 10;
        UPDATE payments SET amount_usd = -0.01 WHERE id = 20;
        UPDATE payments SET amount_usd = -120 WHERE id = 30;
        UPDATE payments SET user_id = NULL WHERE id IN (40, 41);
        INSERT INTO payments SELECT * FROM payments WHERE id IN (50, 60);
        CREATE SCHEMA "Billing";
        CREATE TABLE "Billing"."Refunds" (id int, amount text);
        INSERT INTO "Billing"."Refunds" VALUES (1, '12'), (2, ' -3'), (3, 'abc'), (4, ''), (5, NULL), (6, '1e2'), (7, '-0.5'), (7, 'NaN');
        CREATE TABLE empty_events (event_ts timestamptz);
        CREATE SEQUENCE invoice_numbers;
        """

    @Test func checksOnRealTablesGiveTheKnownCountsAndErrorsAreOneLineOfTheRightKind() throws {
        let server = try LoopbackPostgres.start()
        defer { server.stop() }
        try server.psql(Self.schema)
        let environment = ["PAYMENTS_DB_URL": server.url]
        let source = try PostgresSource(connectionVariable: "PAYMENTS_DB_URL", environment: environment)
        defer { source.close() }

        try Self.freshness(source)
        try Self.completeness(source, server)
        try Self.rules(source)
        try Self.fileAndDatabaseAgree(source, server)
        try Self.errors(server, source)
        // Nothing a check ran changed the database.
        #expect(try server.psql("SELECT count(*), last_value, is_called FROM payments, invoice_numbers GROUP BY 2, 3") == "97|1|f\n")
    }

    static func freshness(_ source: PostgresSource) throws {
        let fresh = try source.freshness(of: .table("payments"), column: "event_ts")
        let lag = try #require(fresh.lag)
        #expect(lag >= 25 * 60 && lag < 25 * 60 + 15, "lag \(lag) s")
        let latest = try #require(fresh.latest)
        #expect(abs(Date().timeIntervalSince(latest) - lag) < 5)
        #expect(fresh.rows == 97)
        #expect(fresh.summary.hasPrefix("newest event_ts "))
        #expect(fresh.summary.hasSuffix(" min ago") && fresh.summary.contains(", 25."))
        let empty = try source.freshness(of: .table("empty_events"), column: "event_ts")
        #expect(empty.latest == nil && empty.lag == nil && empty.rows == 0)
        #expect(empty.summary == "table empty_events has no rows, so no newest event_ts")
        let query = try source.freshness(of: .query("select event_ts from payments where id <= 90"), column: "event_ts")
        #expect(abs((query.lag ?? 0) - lag - 5 * 60) < 2)
    }

    static func completeness(_ source: PostgresSource, _ server: LoopbackPostgres) throws {
        #expect(try source.rowCount(of: .table("payments")) == 97)
        // Rows 25 to 40 minutes old (ids 80 to 95): the range's ends fall between rows.
        let now = Date()
        let range = DateInterval(start: now.addingTimeInterval(-40.5 * 60), end: now.addingTimeInterval(-24.5 * 60))
        #expect(try source.rowCount(of: .table("payments"), timeColumn: "event_ts", in: range) == 16)
        let table = try source.rows(of: .table("payments"), columns: ["id", "amount_usd", "user_id"], timeColumn: "event_ts", in: range)
        #expect(table.rows.count == 16)
        #expect(table.rows.first == ["80", "100.00", "1080"])
        #expect(table.lines == Array(1...16))
        #expect(!table.isFile)
        #expect(table.place(ofRow: 2) == "table payments on $PAYMENTS_DB_URL, row 3: ")
        let nulls = try source.rows(of: .query("select id, user_id from payments where id in (40, 41) order by id"), columns: ["id", "user_id"])
        #expect(nulls.rows == [["40", nil], ["41", nil]])
        let limited = try PostgresSource(connectionVariable: "V", environment: ["V": server.url], rowLimit: 50)
        defer { limited.close() }
        #expect(
            throws: OpsError.input("table payments has more than 50 rows; a check reads at most that many. Narrow it with a time range or a query that samples")
        ) {
            try limited.rows(of: .table("payments"), columns: ["id"])
        }
    }

    static func rules(_ source: PostgresSource) throws {
        let negative = try source.violations(of: ContractRule(.compare(.atLeast, 0), columns: ["amount_usd"]), in: .table("payments"), keyColumn: "id")
        #expect(negative.rows == 97)
        #expect(negative.violating == 3)
        #expect(
            negative.examples == ["row with id = 10: amount_usd = -3.50", "row with id = 20: amount_usd = -0.01", "row with id = 30: amount_usd = -120.00"])
        let users = try source.violations(of: ContractRule(.notNull, columns: ["user_id"]), in: .table("payments"), keyColumn: "id")
        #expect(users.violating == 2)
        #expect(users.examples == ["row with id = 40: user_id is empty", "row with id = 41: user_id is empty"])
        let ids = try source.violations(of: ContractRule(.unique, columns: ["id"]), in: .table("payments"), keyColumn: "id")
        #expect(ids.violating == 4)
        #expect(ids.examples == ["id = 50 on 2 rows", "id = 60 on 2 rows"])
        let refunds = try source.violations(of: ContractRule(.compare(.atLeast, 0), columns: ["amount"]), in: .table("Billing.Refunds"), keyColumn: "id")
        #expect(refunds.violating == 4)
        #expect(
            refunds.examples == [
                "row with id = 2: amount =  -3", "row with id = 3: amount = abc, not a number", "row with id = 7: amount = -0.5",
                "row with id = 7: amount = NaN, not a number",
            ])
        let query = try source.violations(
            of: ContractRule(.compare(.below, 100), columns: ["amount_usd"]), in: .query("select id, amount_usd from payments where id > 90"))
        #expect(query.rows == 5)
        #expect(query.violating == 5)
        #expect(query.examples.first == "amount_usd = 113.75")
    }

    /// The same rows from a CSV file and from the database break each rule the same number of times.
    static func fileAndDatabaseAgree(_ source: PostgresSource, _ server: LoopbackPostgres) throws {
        let rules = [
            ContractRule(.compare(.atLeast, 0), columns: ["amount"]), ContractRule(.compare(.equal, 12), columns: ["amount"]),
            ContractRule(.notNull, columns: ["amount"]), ContractRule(.unique, columns: ["id"]), ContractRule(.unique, columns: ["id", "amount"]),
        ]
        for (relation, columns) in [(PostgresRelation.table("Billing.Refunds"), ["id", "amount"]), (.table("payments"), ["id", "user_id", "amount_usd"])] {
            let name = try relation.sql()
            let csv = try server.psql("COPY (SELECT \(columns.joined(separator: ", ")) FROM \(name)) TO STDOUT WITH (FORMAT csv, HEADER)")
            let file = Self.table(csv: csv, path: "refunds.csv")
            for rule in rules {
                let rule = ContractRule(rule.kind, columns: rule.columns.map { $0 == "amount" ? columns.last! : $0 })
                let inFile = try rule.violations(in: file)
                let inDatabase = try source.violations(of: rule, in: relation)
                #expect(inFile.rows == inDatabase.rows, "\(rule.description) on \(name)")
                #expect(inFile.violating == inDatabase.violating, "\(rule.description) on \(name)")
                #expect(inFile.examples.count == inDatabase.examples.count, "\(rule.description) on \(name)")
            }
        }
    }

    static func errors(_ server: LoopbackPostgres, _ source: PostgresSource) throws {
        let place = "127.0.0.1:\(server.port)"
        let wrong = try PostgresSource(connectionVariable: "PAYMENTS_DB_URL", environment: ["PAYMENTS_DB_URL": server.url(password: "not-the-password")])
        let login = failure { _ = try wrong.rowCount(of: .table("payments")) }
        #expect(login?.kind == .repository)
        #expect(
            login?.message
                == "PostgreSQL at \(place) refused user ops_checker: password authentication failed for user \"ops_checker\". Check $PAYMENTS_DB_URL: its user and password"
        )
        #expect(login.map { !$0.message.contains("not-the-password") && !$0.message.contains(server.password) } == true)

        let database = try PostgresSource(connectionVariable: "DB", environment: ["DB": server.url(password: server.password, database: "nope")])
        let noDatabase = failure { _ = try database.rowCount(of: .table("payments")) }
        #expect(noDatabase?.message == "PostgreSQL at \(place) has no database nope: database \"nope\" does not exist. Check $DB: its database name")
        #expect(noDatabase?.kind == .repository)

        let missing = failure { _ = try source.rowCount(of: .table("missing_table")) }
        #expect(missing?.kind == .input)
        #expect(
            missing?.message
                == "PostgreSQL refused table missing_table: relation \"missing_table\" does not exist. Check the table, column and query names in the check")
        let column = failure { _ = try source.freshness(of: .table("payments"), column: "created_at") }
        #expect(column?.message.hasPrefix("PostgreSQL refused table payments: column \"created_at\" does not exist") == true)
        let syntax = failure { _ = try source.rows(of: .query("selec id from payments"), columns: ["id"]) }
        #expect(syntax?.kind == .input)
        #expect(
            syntax?.message
                == "PostgreSQL refused query \"selec id from payments\": syntax error at or near \"from\". Check the table, column and query names in the check"
        )
        // The source goes on after a refused statement.
        #expect(try source.rowCount(of: .table("payments")) == 97)

        let write = failure { _ = try source.rows(of: .query("select nextval('invoice_numbers') as n"), columns: ["n"]) }
        #expect(write?.kind == .input)
        #expect(
            write?.message
                == "query \"select nextval('invoice_numbers') as n\" tries to change the database, and checks only read: cannot execute nextval() in a read-only transaction"
        )
        let slow = try PostgresSource(connectionVariable: "V", environment: ["V": server.url], statementTimeout: 1)
        defer { slow.close() }
        let timeout = failure { _ = try slow.rows(of: .query("select pg_sleep(3) as x"), columns: ["x"]) }
        #expect(timeout?.kind == .input)
        #expect(timeout?.message.hasPrefix("query \"select pg_sleep(3) as x\" did not finish within 1 s (the statement timeout)") == true)

        let tls = try PostgresSource(
            connectionVariable: "V", environment: ["V": server.url.replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")])
        let noTLS = failure { _ = try tls.rowCount(of: .table("payments")) }
        #expect(noTLS?.kind == .repository)
        #expect(noTLS?.message.hasPrefix("PostgreSQL at \(place) does not offer TLS") == true)

        // A port nothing listens on: this server's, once it is stopped, would race; port 1 is never a database.
        let refused = try PostgresSource(connectionVariable: "V", environment: ["V": "postgres://u:secret@127.0.0.1:1/db?sslmode=disable"])
        let down = failure { _ = try refused.rowCount(of: .table("payments")) }
        #expect(down?.kind == .repository)
        #expect(
            down?.message
                == "cannot connect to PostgreSQL at 127.0.0.1:1 (from $V): connection refused: nothing listens at that address. Check that the server is up and the host and port in $V"
        )
        let dns = try PostgresSource(connectionVariable: "V", environment: ["V": "postgres://u:secret@no-such-host.invalid/db?sslmode=disable"])
        let unresolved = failure { _ = try dns.rowCount(of: .table("payments")) }
        #expect(unresolved?.kind == .repository)
        #expect(unresolved?.message.contains("no-such-host.invalid") == true)
    }

    /// The error `body` throws, as OpsError; nil (and a recorded issue) when it throws none.
    static func failure(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> OpsError? {
        do {
            try body()
            Issue.record("no error", sourceLocation: sourceLocation)
        } catch let error as OpsError {
            #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("not an OpsError: \(String(reflecting: error))", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// A CSV export as the file reader gives it: header on line 1, an unquoted empty field as nil.
    static func table(csv: String, path: String) -> DatasetTable {
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        let rows = lines.dropFirst().map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map { field -> String? in
                field.isEmpty ? nil : field == "\"\"" ? "" : String(field)
            }
        }
        return DatasetTable(
            source: path, isFile: true, columns: lines[0].split(separator: ",").map(String.init), rows: Array(rows), lines: Array(2..<(rows.count + 2)))
    }
}
