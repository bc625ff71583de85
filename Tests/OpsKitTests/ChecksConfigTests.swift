import Foundation
import Testing

@testable import OpsKit

@Suite struct ChecksConfigTests {
    static let text = """
        version: 1
        use_cases:
          fraud_scoring:
            owner: carol
            datasets:
              transactions:
                postgres: {url_env: PAYMENTS_DB_URL, table: payments}
                time_column: event_ts
                reference: {weeks_before: 1}
                features: {amount_usd: continuous, merchant_category: categorical}
                checks:
                  - {test: psi, feature: amount_usd}
                  - {test: ks, feature: amount_usd, alert: 1%}
                  - {test: topk, feature: merchant_category, k: 5}
                  - {test: freshness, column: event_ts, page: 20m, alert: 10m}
                  - {test: completeness, expected_rows: 1440000}
                  - {test: valid, rule: "amount_usd >= 0"}
                  - {test: unique, column: id}

        """

    @Test func theSeedsLevelsApplyWhereACheckNamesNoneAndWrittenOnesAreInTheTestsUnit() throws {
        let config = try ChecksConfig.load(Self.text, config: nil)
        let dataset = try #require(config.useCase("fraud_scoring")?.datasets.first)
        #expect(dataset.source == .postgres(variable: "PAYMENTS_DB_URL", table: "payments", query: nil))
        #expect(dataset.reference == .weeksBefore(1))
        let checks = dataset.checks
        #expect(checks.map(\.test) == [.psi, .ks, .topk, .freshness, .completeness, .valid, .unique])
        #expect(checks[0].levels == [.init(name: "alert", value: Decimal(string: "0.2")!), .init(name: "page", value: Decimal(string: "0.3")!)])
        #expect(checks[1].levels == [.init(name: "alert", value: Decimal(string: "0.01")!)])
        #expect(checks[2].k == 5)
        // Minutes, least strict first.
        #expect(checks[3].levels == [.init(name: "alert", value: 10), .init(name: "page", value: 20)])
        #expect(checks[4].levels == [.init(name: "ticket", value: Decimal(string: "0.995")!)])
        #expect(checks[5].rule == ContractRule(.compare(.atLeast, 0), columns: ["amount_usd"]))
        #expect(
            checks.map { $0.subject(in: dataset) } == [
                "transactions.amount_usd", "transactions.amount_usd", "transactions.merchant_category", "transactions", "transactions",
                "transactions: amount_usd >= 0", "transactions: unique: id",
            ])
    }

    @Test func everyProblemIsListedWithItsLine() {
        let text = """
            version: 1
            use_cases:
              fraud_scoring:
                datasets:
                  transactions:
                    file: /etc/passwd
                  answers:
                    file: data/answers.csv
                    features: {tokens: continuous, language: words}
                    checks:
                      - {test: psi, feature: tokens}
                      - {test: psi, feature: language}
                      - {test: chi2, feature: tokens}
                      - {test: valid, rule: "amount_usd is positive"}
                      - {test: freshness, column: ts, page: soon}
                      - {test: completeness, expected_rows: 500, ticket: 99.5}

            """
        let problems = ChecksConfig.problems(in: text, config: nil).map { "\($0.location.line ?? 0): \($0.message)" }
        #expect(problems.contains { $0.hasPrefix("6:") && $0.contains("inside the repository") })
        #expect(problems.contains { $0.hasPrefix("9:") && $0.contains("feature language is `continuous` or `categorical`") })
        #expect(problems.contains { $0.hasPrefix("11:") && $0.contains("has no `reference`") })
        #expect(problems.contains { $0.hasPrefix("12:") && $0.contains("not in the features") })
        #expect(problems.contains { $0.hasPrefix("13:") && $0.contains("unknown test `chi2`") })
        #expect(problems.contains { $0.hasPrefix("14:") && $0.contains("must read `column op number`") })
        #expect(problems.contains { $0.hasPrefix("15:") && $0.contains("is a time, like 20m") })
        #expect(problems.contains { $0.hasPrefix("16:") && $0.contains("ticket: `99.5` is more than 1") && $0.contains("99.5% or 0.995") })
    }

    @Test func aCheckReadingIsJudgedByItsOwnLevelsAndImportedReadingsByTheCatalog() throws {
        let catalog = try SLOCatalog.load(
            """
            version: 1
            metrics:
              psi: {unit: index, route: data_quality}
            use_cases:
              fraud_scoring: {}
            thresholds:
              - {metric: psi, at_least: 0.2, level: alert}
            """)
        let config = try ChecksConfig.load(
            """
            version: 1
            use_cases:
              fraud_scoring:
                datasets:
                  transactions:
                    file: data/t.csv
                    reference: {file: data/r.csv}
                    features: {amount_usd: continuous, fee: continuous}
                    checks:
                      - {test: psi, feature: amount_usd, alert: 0.5, page: 0.9}
                      - {test: psi, feature: fee}
            """, config: nil)
        let at = Timestamp.parse("2026-11-18T00:00:00Z")!
        let readings = [
            SignalValue(at: at, metric: "psi", value: Decimal(string: "0.6")!, unit: "index", subject: "transactions.amount_usd"),
            SignalValue(at: at, metric: "psi", value: Decimal(string: "0.35")!, unit: "index", subject: "transactions.fee"),
            SignalValue(at: at, metric: "psi", value: Decimal(string: "0.25")!, unit: "index"),
        ]
        let signals = SignalsService.evaluate(
            "fraud_scoring", catalog: catalog, channels: ["data_quality": "#data-oncall"], readings: readings, baseline: [],
            baselineWeek: ISOWeek("2026-W46")!, checkThresholds: config.thresholds(of: "fraud_scoring"))
        let judged = signals.checks.map { "\($0.label) \($0.value) \($0.breached ? $0.level : "ok") \($0.channel ?? "-")" }
        #expect(
            judged == [
                "psi 0.25 alert #data-oncall", "psi of transactions.amount_usd 0.6 alert #data-oncall",
                "psi of transactions.fee 0.35 page #data-oncall",
            ])
    }

    /// A p-value far below Decimal's range (6.67e-126 with six digits is 667017e-131) still
    /// alerts, in ops checks run and ops checks compare alike, and reads as such.
    @Test func aVanishingPValueIsABreachNotANumberThatIsNot() {
        #expect(DriftThresholds.seed.judge(ksPValue: 6.67017e-126).level == .alert)
        let result = CheckResult(
            useCase: "u", dataset: "d", test: .ks, subject: "d.x", value: 6.67017e-126, statistic: 0.52, computed: "", rows: "",
            examples: [], levels: ChecksConfig.Test.ks.defaultLevels, level: nil, note: nil)
        #expect(CheckResult.level(of: 6.67017e-126, levels: result.levels, test: .ks) == "alert")
        #expect(result.recorded == 0 && result.valueText == "< 1e-100")
        #expect(CheckResult.level(of: 1.0e-99, levels: result.levels, test: .ks) == "alert")
    }
}
