import Foundation
import Testing

@testable import OpsKit

@Suite struct SLOPolicyTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let november = DateInterval(start: Timestamp.parse("2026-11-01T00:00:00Z")!, end: Timestamp.parse("2026-12-01T00:00:00Z")!)

    @Test func theFixturePolicyLoadsAsWritten() throws {
        let policy = try ErrorBudgetPolicy.load(SLOFixture.text("policy_ops_copilot.yaml"), path: "policies/ops_copilot.yaml")
        #expect(policy.useCase == "ops_copilot")
        #expect(policy.window == .rolling(days: 30))
        // 0.1 is read as 0.1 % of the window: objective 99.9 %, consistent with the catalog.
        #expect(policy.budget == .ratio(Decimal(string: "0.001")!, bare: true))
        #expect(policy.budgetRatio(over: Self.november) == Decimal(string: "0.001")!)
        #expect(policy.burnAlerts.map(\.at) == ["0.5", "0.75", "1"].map { Decimal(string: $0)! })
        #expect(policy.burnAlerts.map(\.line) == [5, 7, 9])
        #expect(policy.burnAlerts[1].actions == ["freeze_noncritical_releases", "route_to_smaller_model", "raise_exec_flag"])
        #expect(policy.freezeExceptions == ErrorBudgetPolicy.FreezeExceptions(approver: "VP Platform", criteria: ["security_fix", "sev-1 remediation"]))
        #expect(policy.reporting == ErrorBudgetPolicy.Reporting(channel: "#ops-weekly", artifacts: ["slo_dashboards.png", "incident_log.csv"]))
        // The starter policy init installs is the same policy, its budget written the explicit way
        // (so a new repository lints clean) and the original line kept as a comment.
        let starterText = try #require(SLOStarter.files.first { $0.path == "policies/ops_copilot.yaml" }?.content)
        let starter = try ErrorBudgetPolicy.load(starterText, path: "policies/ops_copilot.yaml")
        #expect(starter.budget == .ratio(Decimal(string: "0.001")!, bare: false))
        #expect(starter.burnAlerts.map(\.actions) == policy.burnAlerts.map(\.actions))
        #expect(starter.freezeExceptions == policy.freezeExceptions && starter.reporting == policy.reporting)
        let original = try SLOFixture.text("policy_ops_copilot.yaml").split(separator: "\n").first { $0.hasPrefix("error_budget:") }!
        #expect(starterText.contains("#   \(original)\n"))
        #expect(ErrorBudgetPolicy.problems(in: starterText, path: "policies/ops_copilot.yaml", config: nil).isEmpty)
    }

    @Test func explicitBudgetFormsMeanWhatTheySay() throws {
        func budget(_ line: String, window: String = "rolling_30d") throws -> Decimal {
            try ErrorBudgetPolicy.load("use_case: x\nwindow: \(window)\n\(line)\n", path: "policies/x.yaml").budgetRatio(over: Self.november)
        }
        let tenth = Decimal(string: "0.001")!
        #expect(try budget("objective: 99.9%") == tenth)
        #expect(try budget("objective: 0.999") == tenth)
        #expect(try budget("error_budget: 0.1%") == tenth)
        #expect(try budget("error_budget: 43.2m") == tenth)  // 0.1 % of 30 days
        #expect(try budget("error_budget: 43m") == Decimal(43 * 60) / Decimal(30 * 86_400))
        #expect(try budget("error_budget: 1h30m", window: "iso_week") == Decimal(5400) / Decimal(7 * 86_400))
        #expect(try budget("error_budget: 43.2m", window: "calendar_month") == tenth)  // November has 30 days
        #expect(try budget("objective: 99.9%\nerror_budget: 0.1%") == tenth)
        #expect(throws: OpsError.self) { try budget("objective: 99.9%\nerror_budget: 0.2%") }
        #expect(throws: OpsError.self) { try budget("objective: 99.9") }
        #expect(throws: OpsError.self) { try budget("error_budget: lots") }
        #expect(throws: OpsError.self) { try budget("window_size: 3") }
    }

    @Test func windowsCoverTheRightPeriod() {
        let at = Timestamp.parse("2026-11-23T00:00:00Z")!
        #expect(SLOWindow("rolling_30d") == .rolling(days: 30))
        #expect(SLOWindow("rolling_7d")!.interval(endingAt: at, zone: Self.utc).start == Timestamp.parse("2026-11-16T00:00:00Z"))
        #expect(SLOWindow("calendar_month")!.interval(endingAt: at, zone: Self.utc).start == Timestamp.parse("2026-11-01T00:00:00Z"))
        // Monday midnight reports the week that just ended, not an empty one.
        #expect(SLOWindow("iso_week")!.interval(endingAt: at, zone: Self.utc).start == Timestamp.parse("2026-11-16T00:00:00Z"))
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        #expect(SLOWindow.calendarMonth.interval(endingAt: at, zone: berlin).start == Timestamp.parse("2026-10-31T23:00:00Z"))
        for bad in ["rolling_0d", "rolling_30", "30d", "quarter", ""] { #expect(SLOWindow(bad) == nil, "\(bad)") }
    }

    @Test func lintWarnsThatABareNumberIsAmbiguousAndShowsTheExplicitForms() throws {
        let problems = ErrorBudgetPolicy.problems(in: try SLOFixture.text("policy_ops_copilot.yaml"), path: "policies/ops_copilot.yaml", config: nil)
        #expect(
            problems.map(\.description) == [
                "policies/ops_copilot.yaml:3: warning: `error_budget: 0.1` is ambiguous (ops reads a bare number as a percent of the window: "
                    + "0.1 % = objective 99.9%, 43.2 min over 30 days; its comment speaks of days, and 0.1 days would be 0.33%). "
                    + "Write one of: objective: 99.9%, error_budget: 0.1%, error_budget: 43.2m"
            ])
        for explicit in ["objective: 99.9%", "error_budget: 0.1%", "error_budget: 43m"] {
            let text = try SLOFixture.text("policy_ops_copilot.yaml").replacingOccurrences(of: "error_budget: 0.1 ", with: explicit + " ")
            #expect(ErrorBudgetPolicy.problems(in: text, path: "policies/ops_copilot.yaml", config: nil).isEmpty, "\(explicit)")
        }
    }

    @Test func thresholdsThatDoNotIncreaseAreRefusedAtTheirLine() {
        let text = "use_case: x\nwindow: rolling_30d\nobjective: 99.9%\nburn_alerts:\n  - at: 75%\n    actions: [a]\n  - at: 50%\n    actions: [b]\n"
        #expect(throws: OpsError.file("policies/x.yaml", line: 7, "burn alert at 50% comes after 75%: thresholds must increase (75%, 50%). Sort them")) {
            try ErrorBudgetPolicy.load(text, path: "policies/x.yaml")
        }
        let twice = text.replacingOccurrences(of: "at: 50%", with: "at: 75%")
        #expect(throws: OpsError.file("policies/x.yaml", line: 7, "burn alert at 75% is listed twice. Merge their actions")) {
            try ErrorBudgetPolicy.load(twice, path: "policies/x.yaml")
        }
        #expect(throws: OpsError.file("policies/y.yaml", line: 1, "use_case `x` does not match the file name y.yaml. Name the file x.yaml")) {
            try ErrorBudgetPolicy.load(text.replacingOccurrences(of: "at: 50%", with: "at: 80%"), path: "policies/y.yaml")
        }
    }

    @Test func theExampleCatalogHoldsTheIssuesDefaults() throws {
        let text = String(decoding: PackageResources.slo_catalog_example_yaml, as: UTF8.self)
        let catalog = try SLOCatalog.load(text)
        #expect(catalog.useCases.map(\.name) == ["ops_copilot", "fraud_scoring", "search_ranking"])
        let copilot = try #require(catalog.useCase("ops_copilot"))
        #expect(copilot.eventIndicators.map(\.name) == ["availability"])
        #expect(copilot.indicator("availability")?.target == .events(objective: Decimal(string: "0.999")!, window: .rolling(days: 30)))
        #expect(copilot.indicator("latency_p95_ms")?.target == .gauge(.init(.atMost, 1200)))
        #expect(copilot.indicator("groundedness")?.target == .gauge(.init(.atLeast, Decimal(string: "4.2")!)))
        #expect(copilot.indicator("cache_hit_rate")?.target == .gauge(.init(.atLeast, Decimal(string: "0.6")!)))
        #expect(copilot.indicator("guardrail_hit_rate")?.target == .gauge(.init(.atMost, Decimal(string: "0.002")!)))
        #expect(copilot.indicator("retriable_error_rate")?.target == .gauge(.init(.atMost, Decimal(string: "0.01")!)))
        #expect(copilot.indicator("data_freshness_minutes")?.target == .gauge(.init(.atMost, 15)))
        #expect(catalog.metric("latency_p95_ms") == SLOCatalog.Metric(name: "latency_p95_ms", unit: "ms", route: "incidents"))
        let psi = catalog.thresholds.filter { $0.metric == "psi" }
        #expect(psi.map(\.level) == ["alert", "page"])
        #expect(psi.map(\.condition) == [.bound(.init(.atLeast, Decimal(string: "0.2")!)), .bound(.init(.atLeast, Decimal(string: "0.3")!))])
        #expect(catalog.thresholds.first { $0.metric == "completeness" }?.condition == .bound(.init(.below, Decimal(string: "0.995")!)))
        #expect(catalog.thresholds.first { $0.metric == "ingest_lag_minutes" }?.condition == .bound(.init(.above, 20)))
        #expect(catalog.thresholds.first { $0.metric == "groundedness" }?.condition == .dropAtLeast(Decimal(string: "0.3")!))
        // Strict and inclusive bounds differ exactly at the value.
        #expect(SLOCatalog.Bound(.below, Decimal(string: "0.05")!).contains(Decimal(string: "0.05")!) == false)
        #expect(SLOCatalog.Bound(.atLeast, Decimal(string: "0.2")!).contains(Decimal(string: "0.2")!))

        let config = try OpsConfig.load(
            String(decoding: PackageResources.ops_example_yaml, as: UTF8.self)
                .replacingOccurrences(of: "{{team}}", with: "t").replacingOccurrences(of: "{{timezone}}", with: "UTC"))
        #expect(SLOCatalog.problems(in: text, config: config).isEmpty)
        for name in ["fraud_scoring", "search_ranking"] {
            let policy = SLOStarter.files.first { $0.path == "policies/\(name).yaml" }!.content
            #expect(ErrorBudgetPolicy.problems(in: policy, path: "policies/\(name).yaml", config: config).isEmpty, "\(name)")
            #expect(try ErrorBudgetPolicy.load(policy, path: "policies/\(name).yaml").budgetRatio(over: Self.november) == Decimal(string: "0.001")!)
        }
    }

    @Test func catalogProblemsAreListedWithTheirLines() {
        let text = """
            version: 1
            metrics:
              latency_p95_ms: ms
            use_cases:
              ops_copilot:
                availability: {objective: 99.9, window: rolling_30d}
                latency_p95_ms: {at_most: 90%}
                cost: {at_most: 3}
                uptime: {objective: 99.9%, window: forever}
              bad/name:
                x: {at_most: 1}
            thresholds:
              - {metric: psi, at_least: 0.2, level: alert}
            colour: blue

            """
        let config = try? OpsConfig.load(
            String(decoding: PackageResources.ops_example_yaml, as: UTF8.self)
                .replacingOccurrences(of: "{{team}}", with: "t").replacingOccurrences(of: "{{timezone}}", with: "UTC"))
        let problems = SLOCatalog.problems(in: text, config: config).map(\.description)
        #expect(
            problems == [
                "slo/catalog.yaml:14: unknown key `colour` in slo/catalog.yaml. Known keys: version, metrics, use_cases, thresholds",
                "slo/catalog.yaml:6: objective `99.9` of ops_copilot.availability is not a ratio below 100 %. Write it like 99.9%",
                "slo/catalog.yaml:7: `90%` is a percent, but latency_p95_ms is in ms. Write the value in ms",
                "slo/catalog.yaml:8: ops_copilot.cost is not a metric in `metrics`, so no import can carry it. Add it there with its unit",
                "slo/catalog.yaml:9: window `forever` is not one of: rolling_30d (any rolling_Nd), calendar_month or iso_week",
                "slo/catalog.yaml:10: use case `bad/name` must be letters, digits, dash or underscore: it names folders under slo/snapshots",
                "slo/catalog.yaml:13: threshold on `psi`, which is not in `metrics`",
            ])
    }
}
