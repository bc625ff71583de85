import Foundation
import Testing

@testable import OpsKit

/// Contract rules on a file's rows, and the pieces of a PostgreSQL source that need no server:
/// the URL in the variable, quoted names, the rules as SQL.
struct ContractRuleTests {
    /// payments.csv as the CSV reader gives it: header on line 1, an empty field as nil.
    static let payments = DatasetTable(
        source: "data/payments.csv", isFile: true, columns: ["id", "user_id", "amount_usd"],
        rows: [
            ["1", "7", "12.5"], ["2", nil, "-3.5"], ["3", "9", "abc"], ["3", "  ", ""], ["4", "11", " 0 "], ["5", "12", "-0.01"],
            ["2", "13", "1e3"], [" 3", "14", "NaN"],
        ],
        lines: [2, 3, 4, 5, 6, 7, 8, 10])

    @Test func negativeAndNonNumericAmountsBreakTheCompareRuleAndEmptyOnesDoNot() throws {
        let result = try ContractRule(.compare(.atLeast, 0), columns: ["amount_usd"]).violations(in: Self.payments)
        #expect(result.rows == 8)
        #expect(result.violating == 4)
        #expect(
            result.examples == [
                "line 3: amount_usd = -3.5", "line 4: amount_usd = abc, not a number", "line 7: amount_usd = -0.01", "line 10: amount_usd = NaN, not a number",
            ])
    }

    @Test func emptyOrBlankValuesBreakNotNull() throws {
        let result = try ContractRule(.notNull, columns: ["user_id", "amount_usd"]).violations(in: Self.payments)
        #expect(result.violating == 2)
        #expect(result.examples == ["line 3: user_id is empty", "line 5: user_id, amount_usd are empty"])
    }

    @Test func everyRowSharingItsKeyBreaksUniqueAndEachKeyIsOneExample() throws {
        let result = try ContractRule(.unique, columns: ["id"]).violations(in: Self.payments)
        // id 2 twice, id 3 three times (" 3" trimmed).
        #expect(result.violating == 5)
        #expect(result.examples == ["id = 2 on 2 rows (lines 3, 8)", "id = 3 on 3 rows (lines 4, 5, 10)"])
        let pairs = try ContractRule(.unique, columns: ["id", "user_id"]).violations(in: Self.payments)
        #expect(pairs.violating == 0)
    }

    @Test func examplesStopAtFiveAndTheCountDoesNot() throws {
        let rows = (1...12).map { ["\(-$0)"] as [String?] }
        let table = DatasetTable(source: "q", isFile: false, columns: ["x"], rows: rows, lines: Array(1...12))
        let result = try ContractRule(.compare(.above, -3), columns: ["x"]).violations(in: table)
        #expect(result.violating == 10)
        #expect(result.examples.count == 5)
        #expect(result.examples.first == "row 3: x = -3")
    }

    @Test func anUnknownColumnNamesTheColumnsThereAre() {
        #expect(throws: OpsError.input("data/payments.csv has no column 'amount'; it has id, user_id, amount_usd. Check the column name in the check")) {
            try ContractRule(.notNull, columns: ["amount"]).violations(in: Self.payments)
        }
    }

    // MARK: The URL in the variable

    @Test func theURLGivesHostPortUserDatabaseAndTLS() throws {
        let endpoint = try PostgresEndpoint(
            variable: "PAYMENTS_DB_URL", environment: ["PAYMENTS_DB_URL": "postgresql://app%40eu:p%3Ass%2Fw@db.internal:6543/pay?sslmode=require"])
        #expect(endpoint.host == "db.internal")
        #expect(endpoint.port == 6543)
        #expect(endpoint.user == "app@eu")
        #expect(endpoint.password == "p:ss/w")
        #expect(endpoint.database == "pay")
        #expect(endpoint.tls == .require)
        #expect(endpoint.description == "$PAYMENTS_DB_URL (user app@eu at db.internal:6543/pay)")
        let plain = try PostgresEndpoint(variable: "V", environment: ["V": "postgres://app@10.0.0.5"])
        #expect(plain.port == 5432)
        #expect(plain.database == "app")
        #expect(plain.password == nil)
        #expect(plain.tls == .prefer)
    }

    @Test func aMissingOrBadURLNamesTheVariableAndNeverQuotesThePassword() {
        #expect(throws: OpsError.self) { try PostgresEndpoint(variable: "PAYMENTS_DB_URL", environment: [:]) }
        let bad = [
            "mysql://u:s3cret@h/db", "postgres://:s3cret@h/db", "postgres://u:s3cret@h/db?sslmode=sometimes", "postgres://u:s3cret@h/db?sslrootcert=/x",
            "postgres://u:s3cret@h:0/db",
        ]
        for url in bad {
            do {
                _ = try PostgresEndpoint(variable: "PAYMENTS_DB_URL", environment: ["PAYMENTS_DB_URL": url])
                Issue.record("\(url) was accepted")
            } catch let error as OpsError {
                #expect(error.kind == .input)
                #expect(error.message.contains("$PAYMENTS_DB_URL"))
                #expect(!error.message.contains("s3cret"))
            } catch {
                Issue.record("\(error)")
            }
        }
        do {
            _ = try PostgresEndpoint(variable: "PAYMENTS_DB_URL", environment: [:])
        } catch {
            #expect("\(error)".hasPrefix("the environment variable PAYMENTS_DB_URL is not set"))
        }
    }

    // MARK: Names and SQL

    @Test func namesAreQuotedSoTheyNeverReadAsSQL() throws {
        #expect(try PostgresRelation.table("payments").sql() == #""payments""#)
        #expect(try PostgresRelation.table("Analytics.pay\"ments").sql() == #""Analytics"."pay""ments""#)
        #expect(throws: OpsError.self) { try PostgresRelation.table("a.b.c").sql() }
        #expect(throws: OpsError.self) { try PostgresRelation.table("a.").sql() }
        #expect(try PostgresRelation.query("select 1 as x;\n").sql() == "(select 1 as x\n) AS ops_rows")
        #expect(PostgresRelation.query("select id,\n  amount_usd   from payments").description == #"query "select id, amount_usd from payments""#)
    }

    @Test func aCompareRuleIsABoundParameterAndItsColumnIsQuoted() throws {
        let sql = try RuleSQL(rule: ContractRule(.compare(.atLeast, 0), columns: ["amount usd"]), relation: #""payments""#, keyColumn: "id")
        #expect(sql.bound == 0)
        #expect(sql.count.contains(#"btrim("amount usd"::text, ' ' || chr(9))::numeric >= $1::numeric"#))
        #expect(sql.examples.hasPrefix(#"SELECT "id"::text, "amount usd"::text FROM "payments" WHERE"#))
        #expect(sql.examples.hasSuffix(#"ORDER BY "id", "amount usd" LIMIT 5"#))
    }

    @Test func aDatabaseExampleNamesItsRowByTheKeyColumn() {
        let rule = ContractRule(.compare(.atLeast, 0), columns: ["amount_usd"])
        #expect(RuleSQL.example(of: rule, keyColumn: "id", values: ["42", "-3.5"], groupSize: nil) == "row with id = 42: amount_usd = -3.5")
        #expect(RuleSQL.example(of: rule, keyColumn: "id", values: [nil, "x"], groupSize: nil) == "row with no id: amount_usd = x, not a number")
        #expect(RuleSQL.example(of: rule, keyColumn: nil, values: ["-1"], groupSize: nil) == "amount_usd = -1")
        let unique = ContractRule(.unique, columns: ["id"])
        #expect(RuleSQL.example(of: unique, keyColumn: nil, values: ["5"], groupSize: 2) == "id = 5 on 2 rows")
    }
}
