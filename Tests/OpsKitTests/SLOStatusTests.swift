import Foundation
import Testing

@testable import OpsKit

@Suite struct SLOStatusTests {
    static let at = "2026-11-23T00:00:00Z"
    static let utc = TimeZone(identifier: "UTC")!
    static let availability = SLOCatalog.Indicator(name: "availability", target: .events(objective: Decimal(string: "0.999")!, window: .rolling(days: 30)))

    static func policy() throws -> ErrorBudgetPolicy {
        try ErrorBudgetPolicy.load(SLOFixture.text("policy_ops_copilot.yaml"), path: "policies/ops_copilot.yaml")
    }

    /// A million events in one day, `bad` of them bad: with a 0.1 % budget, bad / 10 is the
    /// percent of the budget consumed.
    static func status(bad: Decimal, policy: ErrorBudgetPolicy?) -> ErrorBudgetStatus {
        let end = Timestamp.parse(at)!
        let steps = [EventCounts(start: end.addingTimeInterval(-86_400), end: end, good: 1_000_000 - bad, total: 1_000_000)]
        return SLOStatusService.status(
            useCase: "ops_copilot", indicator: availability, policy: policy, steps: steps,
            at: Timestamp.parse(at)!, zone: utc)
    }

    @Test(arguments: [
        (Decimal(499), [String](), BudgetColour.green),
        (Decimal(500), ["notify:#sre", "enable_aggressive_cache", "reduce_depth_k"], BudgetColour.yellow),
        (Decimal(749), ["notify:#sre", "enable_aggressive_cache", "reduce_depth_k"], BudgetColour.yellow),
        (
            Decimal(750),
            [
                "notify:#sre", "enable_aggressive_cache", "reduce_depth_k",
                "freeze_noncritical_releases", "route_to_smaller_model", "raise_exec_flag",
            ], BudgetColour.yellow
        ),
        (
            Decimal(1000),
            [
                "notify:#sre", "enable_aggressive_cache", "reduce_depth_k", "freeze_noncritical_releases",
                "route_to_smaller_model", "raise_exec_flag", "feature_freeze_all", "postmortem_required", "CFO_cost_review",
            ], BudgetColour.red
        ),
        (
            Decimal(1200),
            [
                "notify:#sre", "enable_aggressive_cache", "reduce_depth_k", "freeze_noncritical_releases",
                "route_to_smaller_model", "raise_exec_flag", "feature_freeze_all", "postmortem_required", "CFO_cost_review",
            ], BudgetColour.red
        ),
    ])
    func thresholdCrossingsAt(bad: Decimal, actions: [String], colour: BudgetColour) throws {
        // 49.9, 50, 74.9, 75, 100 and 120 % of the budget consumed.
        let status = Self.status(bad: bad, policy: try Self.policy())
        #expect(abs(status.consumed! - SLONumber.double(bad) / 1000) < 1e-12)
        #expect(status.actions == actions)
        #expect(status.colour == colour)
        #expect(abs(status.remaining! - (1 - SLONumber.double(bad) / 1000)) < 1e-12)
        #expect(status.caution == nil)
    }

    @Test func lessThanTenPercentLeftPrintsACaution() throws {
        let status = Self.status(bad: 950, policy: try Self.policy())
        #expect(status.caution == "only 5 % of the error budget is left: one more incident can spend it")
        #expect(status.colour == .yellow)
        let table = try SLOStatusReport(at: Timestamp.parse(Self.at)!, zone: Self.utc, slos: [status]).render(.table)
        #expect(table.contains("\n  CAUTION      only 5 % of the error budget is left"))
        #expect(Self.status(bad: 900, policy: try Self.policy()).caution == nil)
        #expect(Self.status(bad: 1000, policy: try Self.policy()).caution == nil)  // spent: red says it
    }

    @Test func withoutAPolicyThereAreNoThresholdsAndRedStartsAtTheBudget() {
        #expect(Self.status(bad: 999, policy: nil).colour == .green)
        #expect(Self.status(bad: 999, policy: nil).crossed.isEmpty)
        #expect(Self.status(bad: 1000, policy: nil).colour == .red)
        #expect(Self.status(bad: 10, policy: nil).notes.first?.hasPrefix("no error-budget policy for availability") == true)
    }

    @Test func burnRatesCountOnlyStepsWhollyInsideEachSpan() throws {
        // Two days: a quiet one, then the last 6 hours burn at 10×.
        var steps = hourlySteps(count: 42, good: 99_990, total: 100_000, endingAt: "2026-11-22T18:00:00Z")
        steps += hourlySteps(count: 6, good: 99_000, total: 100_000, endingAt: Self.at)
        let status = SLOStatusService.status(
            useCase: "ops_copilot", indicator: Self.availability, policy: nil, steps: steps,
            at: Timestamp.parse(Self.at)!, zone: Self.utc)
        let rates = Dictionary(uniqueKeysWithValues: status.burnRates.map { ($0.span, $0.rate) })
        #expect(rates[.hour]! == 10)
        #expect(rates[.sixHours]! == 10)
        let day: Double = 6180.0 / 2_400_000 / 0.001  // 18 quiet hours (10 bad each), 6 hours of 1,000 bad
        let dayRate = try #require(rates[.day] ?? nil)
        #expect(abs(dayRate - day) < 1e-9)
        let threeDays = try #require(rates[.threeDays] ?? nil), window = try #require(rates[.window] ?? nil)
        #expect(abs(threeDays - window) < 1e-12)
        #expect(status.dataUntil == Timestamp.parse(Self.at))

        // Asked an hour before the data ends, later steps do not count.
        let earlier = SLOStatusService.status(
            useCase: "ops_copilot", indicator: Self.availability, policy: nil, steps: steps,
            at: Timestamp.parse("2026-11-22T23:00:00Z")!, zone: Self.utc)
        #expect(earlier.total == Decimal(4_700_000))
        // Daily steps cannot answer for an hour.
        let daily = [EventCounts(start: Timestamp.parse("2026-11-22T00:00:00Z")!, end: Timestamp.parse(Self.at)!, good: 999, total: 1000)]
        let coarse = SLOStatusService.status(
            useCase: "ops_copilot", indicator: Self.availability, policy: nil, steps: daily,
            at: Timestamp.parse(Self.at)!, zone: Self.utc)
        #expect(coarse.burnRates.map(\.rate) == [nil, nil, 1, 1, 1])
    }

    @Test func noEventsIsNoDataRatherThanGreen() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let report = try fixture.status(useCase: "fraud_scoring")
        let slo = try #require(report.slos.first)
        #expect(slo.colour == nil && slo.consumed == nil && slo.errorRatio == nil)
        #expect(slo.notes.last == "no imported events in the window; run `ops slo import`")
        let json = try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as! [String: Any]
        let first = (json["slos"] as! [[String: Any]])[0]
        #expect(first["colour"] is NSNull && first["budget_consumed"] is NSNull)
        #expect((first["burn_rates"] as! [String: Any]).keys.sorted() == ["1d", "1h", "3d", "6h", "window"])
        #expect(try report.render(.table).contains("NO DATA  fraud_scoring availability"))
    }

    @Test func tableJSONAndCSVSayTheSame() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try fixture.importPrometheus()
        let report = try fixture.status(useCase: "ops_copilot")
        let table = try report.render(.table)
        #expect(table.contains("RED  ops_copilot availability\n"))
        #expect(table.contains("  budget       103.8 % consumed, -3.8 % left\n"))
        #expect(table.contains("  crossed      50% → notify:#sre, enable_aggressive_cache, reduce_depth_k\n"))
        #expect(!table.contains("\u{1B}["))
        #expect(try report.render(.table, colour: true).contains("\u{1B}[1;31mRED\u{1B}[0m  ops_copilot availability"))

        let json = try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as! [String: Any]
        #expect(json["at"] as? String == Self.at)
        let slo = (json["slos"] as! [[String: Any]])[0]
        #expect(slo["colour"] as? String == "red")
        #expect((slo["window"] as! [String: Any])["name"] as? String == "rolling_30d")
        #expect((slo["window"] as! [String: Any])["start"] as? String == "2026-10-24T00:00:00Z")
        #expect(slo["policy"] as? String == "policies/ops_copilot.yaml")
        #expect((slo["thresholds_crossed"] as! [[String: Any]]).map { ($0["at"] as! NSNumber).doubleValue } == [0.5, 0.75, 1])
        #expect((slo["actions"] as! [String]).count == 9)

        let csv = try report.render(.csv).components(separatedBy: "\r\n")
        #expect(csv[0] == SLOStatusReport.csvHeaders.joined(separator: ","))
        #expect(csv[1].hasPrefix("ops_copilot,availability,0.999,rolling_30d,2026-10-24T00:00:00Z,2026-11-23T00:00:00Z,1711239,1713017,1778,"))
        #expect(csv[1].contains(",red,0.5;0.75;1,notify:#sre;enable_aggressive_cache;"))
    }

    @Test func aPolicyObjectiveThatDiffersFromTheCatalogWinsAndIsNoted() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try fixture.folder.write(
            "policies/ops_copilot.yaml",
            try SLOFixture.text("policy_ops_copilot.yaml")
                .replacingOccurrences(of: "error_budget: 0.1 ", with: "objective: 99.5% "))
        try fixture.importPrometheus()
        let slo = try #require(try fixture.status(useCase: "ops_copilot").slos.first)
        #expect(slo.budget == Decimal(string: "0.005")!)
        #expect(slo.colour == .green)
        #expect(slo.notes.first == "policies/ops_copilot.yaml says 99.5% over rolling_30d; slo/catalog.yaml says 99.9% over rolling_30d. The policy's is used")
    }
}
