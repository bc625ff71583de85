import Foundation
import Testing

@testable import OpsKit

/// The gate over every SLI of a use case (issue 20, item 1): the SLI with the most of its budget
/// spent governs and is named; allowed with less than 10 % left is allowed with a warning; an
/// alert-only policy never freezes; a burn rate above `alert_burn_rate` is reported; threshold
/// SLIs count a reading that misses its target as a bad event.
@Suite struct ReleaseGateSLITests {
    /// The starter policy of ops_copilot with its 75 % freeze taken out: 50 % notifies, 100 % freezes all.
    static let noEarlyFreeze = """
        use_case: "ops_copilot"
        window: "rolling_30d"
        objective: 99.9%
        burn_alerts:
          - at: 50%
            actions: ["notify:#sre"]
          - at: 100%
            actions: ["feature_freeze_all", "postmortem_required"]
        freeze_release_exceptions:
          approver: "VP Platform"
          criteria: ["security_fix", "sev-1 remediation"]

        """

    /// A signals CSV of `metric` for ops_copilot: one reading a day at noon UTC, the last on
    /// 2026-11-22, oldest first.
    static func readings(_ metric: String, unit: String, _ values: [String]) -> String {
        let last = Timestamp.parse("2026-11-22T12:00:00Z")!
        var csv = "timestamp,use_case,metric,value,unit\n"
        for (index, value) in values.enumerated() {
            let at = last.addingTimeInterval(-Double(values.count - 1 - index) * 86_400)
            csv += "\(Timestamp.format(at)),ops_copilot,\(metric),\(value),\(unit)\n"
        }
        return csv
    }

    static func importCSV(_ fixture: SLOFixture, _ csv: String, name: String = "signals.csv") throws {
        try fixture.importer.importCSV(SourceInput(name: name, data: Data(csv.utf8)), author: fixture.alice)
    }

    /// 20 daily p95 latencies, 3 over 1200 ms (one exactly at it, which meets `at_most`):
    /// 15 % bad against the starter catalog's 10 % budget (objective 90 %) is 150 % consumed.
    static let latencies = ["1000", "1300", "1100", "1200", "900"] + Array(repeating: "1000", count: 12) + ["1250", "1000", "1401"]

    // MARK: The acceptance cases

    @Test func aHealthyAvailabilityAndAnExhaustedLatencySLIAreFrozenByLatency() throws {
        // Availability at 10 % of its budget; latency at 150 %.
        let fixture = try ReleaseGateTests.fixture(bad: 100)
        defer { fixture.remove() }
        try Self.importCSV(fixture, Self.readings("latency_p95_ms", unit: "ms", Self.latencies))
        let verdict = try ReleaseGateTests.check(fixture)
        #expect(!verdict.allowed && verdict.exitCode == 1)
        #expect(verdict.sli == "latency_p95_ms")
        #expect(
            verdict.reason
                == "FROZEN: ops_copilot latency_p95_ms has used 150 % of its error budget; feature_freeze_all (at 100%) lets through only security_fix or sev-1 remediation with a signed approval by VP Platform (--change; ops release approve)"
        )
        #expect(verdict.slis.map(\.sli) == ["availability", "latency_p95_ms"])
        #expect(verdict.slis.map(\.kind) == [.events, .threshold])
        #expect(abs(verdict.slis[0].consumed! - 0.1) < 1e-12 && abs(verdict.slis[1].consumed! - 1.5) < 1e-12)
        #expect(verdict.slis[1].good == 17 && verdict.slis[1].total == 20)
        #expect(verdict.freeze.scope == .all && verdict.warning == nil)

        // An approved exception is recorded with the governing SLI's figures.
        try ReleaseGateTests.approvers(fixture)
        try ReleaseGateTests.approve(fixture, change: "security_fix")
        let approved = try ReleaseGateTests.check(fixture, change: "security_fix")
        #expect(approved.allowed && approved.exception && approved.decisionIsNew)
        let decision = try #require(approved.decision)
        #expect(try #require(try fixture.workspace.committedText(decision.path)).contains("ops_copilot's latency_p95_ms error budget is 150 % consumed"))
        #expect(approved.warning == "ops_copilot latency_p95_ms has spent its error budget (150 % used): proceed with caution")

        // JSON names the governing SLI and lists both.
        let json = try JSONSerialization.jsonObject(with: Data(verdict.render(.json).utf8)) as! [String: Any]
        #expect(json["schema_version"] as? Int == 1 && json["sli"] as? String == "latency_p95_ms")
        let slis = json["slis"] as! [[String: Any]]
        #expect(slis.map { $0["sli"] as? String } == ["availability", "latency_p95_ms"])
        #expect(slis.map { $0["kind"] as? String } == ["events", "threshold"])
        #expect(slis.map { $0["governing"] as? Bool } == [false, true])
        #expect(json["warning"] is NSNull && json["error_budget_policy"] as? String == "freeze")
        #expect((json["freeze"] as! [String: Any])["enforced"] as? Bool == true)

        // `ops slo status` names the same SLI and answer.
        let report = try fixture.status(at: "2026-11-23T09:00:00Z", useCase: "ops_copilot")
        #expect(report.useCases.map(\.useCase) == ["ops_copilot"])
        #expect(report.useCases[0].governing?.sli == "latency_p95_ms")
        let table = try report.render(.table)
        #expect(table.contains("\nRED  ops_copilot latency_p95_ms\n  objective    90 % over rolling_30d"))
        #expect(table.contains("\n  readings     17 of 20 met ≤ 1200 ms, 3 missed\n"))
        #expect(
            table.contains(
                "\nops_copilot  governed by latency_p95_ms (150 % of its budget used; the worst of 2 SLIs)\n  release      FROZEN: ops_copilot latency_p95_ms has used 150 %"
            ))
        let status = try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as! [String: Any]
        let useCase = (status["use_cases"] as! [[String: Any]])[0]
        #expect(useCase["governing_sli"] as? String == "latency_p95_ms" && useCase["verdict"] as? String == "frozen")
        #expect(useCase["slis"] as? [String] == ["availability", "latency_p95_ms"])
        let latency = (status["slos"] as! [[String: Any]])[1]
        #expect(latency["kind"] as? String == "threshold" && latency["good"] as? Int == 17 && latency["total"] as? Int == 20)
        let target = latency["target"] as! [String: Any]
        #expect(target["comparison"] as? String == "at_most" && target["value"] as? Int == 1200 && target["unit"] as? String == "ms")
    }

    @Test func ninetyFivePercentConsumedIsAllowedWithTheWarning() throws {
        let fixture = try ReleaseGateTests.fixture(bad: 950)
        defer { fixture.remove() }
        try fixture.folder.write("policies/ops_copilot.yaml", Self.noEarlyFreeze)
        let verdict = try ReleaseGateTests.check(fixture)
        #expect(verdict.allowed && verdict.exitCode == 0)
        #expect(
            verdict.reason
                == "ALLOWED: ops_copilot availability has used 95 % of its error budget; due from 50%: notify:#sre; no release freeze before 100%")
        #expect(verdict.warning == "only 5 % of ops_copilot availability's error budget is left (95 % used): proceed with caution")
        #expect(verdict.warnings == [verdict.warning!])
        #expect(try verdict.render(.table) == verdict.reason + "\n")  // the warning goes to standard error
        let json = try JSONSerialization.jsonObject(with: Data(verdict.render(.json).utf8)) as! [String: Any]
        #expect(json["warning"] as? String == verdict.warning && json["allowed"] as? Bool == true)
        // The status line for the use case carries it too.
        let table = try fixture.status(at: "2026-11-23T09:00:00Z", useCase: "ops_copilot").render(.table)
        #expect(table.contains("\n  WARNING      only 5 % of ops_copilot availability's error budget is left"))

        // 90 % exactly is not "less than 10 % left"; a hair more is.
        for (bad, warned) in [(900, false), (901, true), (999, true)] {
            let other = try ReleaseGateTests.fixture(bad: bad)
            defer { other.remove() }
            try other.folder.write("policies/ops_copilot.yaml", Self.noEarlyFreeze)
            let result = try ReleaseGateTests.check(other)
            #expect(result.allowed && (result.warning != nil) == warned, "\(bad): \(result.warning ?? "no warning")")
        }
        // Exactly spent is spent.
        let spent = try ReleaseGateTests.fixture(bad: 1000)
        defer { spent.remove() }
        try spent.folder.write("policies/ops_copilot.yaml", Self.noEarlyFreeze.replacingOccurrences(of: "feature_freeze_all", with: "raise_exec_flag"))
        #expect(try ReleaseGateTests.check(spent).warning == "ops_copilot availability has spent its error budget (100 % used): proceed with caution")
        // Frozen is frozen, with no warning to proceed; an exception through the freeze is warned.
        let starter = try ReleaseGateTests.fixture(bad: 950)
        defer { starter.remove() }
        let frozen = try ReleaseGateTests.check(starter)
        #expect(!frozen.allowed && frozen.warning == nil)
        let exception = try ReleaseGateTests.check(starter, change: "security_fix")
        #expect(exception.allowed && exception.exception && exception.warning?.hasSuffix("(95 % used): proceed with caution") == true)
    }

    @Test func anAlertOnlyPolicyAt130PercentIsAllowedWithTheWarning() throws {
        let fixture = try ReleaseGateTests.fixture(bad: 1300)
        defer { fixture.remove() }
        let policy = try fixture.folder.read("policies/ops_copilot.yaml")
        try fixture.folder.write(
            "policies/ops_copilot.yaml", policy.replacingOccurrences(of: "error_budget_policy: freeze", with: "error_budget_policy: alert"))
        let commits = try fixture.commitCount()
        let verdict = try ReleaseGateTests.check(fixture)
        #expect(verdict.allowed && verdict.exitCode == 0 && !verdict.exception)
        #expect(
            verdict.reason
                == "ALLOWED: ops_copilot availability has used 130 % of its error budget; feature_freeze_all (at 100%) is reported, not enforced: policies/ops_copilot.yaml only alerts (error_budget_policy: alert)"
        )
        #expect(verdict.warning == "ops_copilot availability has spent its error budget (130 % used): proceed with caution")
        // The freeze the thresholds call for is reported, and not enforced.
        #expect(verdict.freeze.scope == .all && !verdict.freezeEnforced && verdict.mode == .alert)
        #expect(verdict.actions.contains("feature_freeze_all"))
        let json = try JSONSerialization.jsonObject(with: Data(verdict.render(.json).utf8)) as! [String: Any]
        #expect(json["error_budget_policy"] as? String == "alert")
        #expect((json["freeze"] as! [String: Any])["scope"] as? String == "all" && (json["freeze"] as! [String: Any])["enforced"] as? Bool == false)
        // Nothing to except: --change and --approved-by are still checked, and nothing is recorded.
        let claimed = try ReleaseGateTests.check(fixture, change: "security_fix", approvedBy: "VP Platform")
        #expect(claimed.allowed && !claimed.exception && claimed.decision == nil)
        try expectRefused(fixture, ["not the approver"]) { _ = try ReleaseGateTests.check(fixture, change: "security_fix", approvedBy: "CTO") }
        #expect(try fixture.commitCount() == commits)
        // Under the thresholds, an alert-only policy says it freezes nothing.
        let early = try ReleaseGateTests.fixture(bad: 600)
        defer { early.remove() }
        try early.folder.write(
            "policies/ops_copilot.yaml", policy.replacingOccurrences(of: "error_budget_policy: freeze", with: "error_budget_policy: alert"))
        #expect(
            try ReleaseGateTests.check(early).reason
                == "ALLOWED: ops_copilot availability has used 60 % of its error budget; due from 50%: notify:#sre, enable_aggressive_cache, reduce_depth_k; policies/ops_copilot.yaml only alerts (error_budget_policy: alert), so it freezes no releases"
        )
    }

    // MARK: Burn rate

    @Test func aBurnRateAboveTheAlertBurnRateIsReportedInStatusAndGate() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        fixture.base.clock.set("2026-11-23T00:00:00Z")
        // A day of hourly steps of 100,000 events: quiet, then 500 bad in the last hour (5×).
        var csv = "window_start,window_end,use_case,sli,good,total\n"
        let start = Timestamp.parse("2026-11-22T00:00:00Z")!
        for hour in 0..<24 {
            let from = start.addingTimeInterval(Double(hour) * 3600)
            csv +=
                "\(Timestamp.format(from)),\(Timestamp.format(from.addingTimeInterval(3600))),ops_copilot,availability,\(hour == 23 ? 99_500 : 100_000),100000\n"
        }
        try Self.importCSV(fixture, csv, name: "events.csv")

        // The starter policy's alert_burn_rate 2: the last hour (5×) is over it, 6 h (0.83×) and 1 d are not.
        let verdict = try ReleaseGateTests.check(fixture)
        #expect(verdict.allowed && verdict.warning == nil && verdict.alertBurnRate == 2)
        #expect(verdict.burnRateAlerts == [BurnRateAlert(sli: "availability", span: .hour, rate: 5, alertBurnRate: 2)])
        #expect(verdict.warnings == ["ops_copilot availability is burning its error budget faster than alert_burn_rate 2: 5× over 1h"])
        let json = try JSONSerialization.jsonObject(with: Data(verdict.render(.json).utf8)) as! [String: Any]
        #expect((json["alert_burn_rate"] as! NSNumber).doubleValue == 2)
        let alerts = json["burn_rate_alerts"] as! [[String: Any]]
        #expect(alerts.count == 1 && alerts[0]["sli"] as? String == "availability" && alerts[0]["span"] as? String == "1h")
        #expect((alerts[0]["rate"] as! NSNumber).doubleValue == 5)

        let report = try fixture.status(useCase: "ops_copilot")
        let table = try report.render(.table)
        #expect(table.contains("\n  burn rate    1h 5.00  6h 0.83  1d 0.21  3d 0.21  window 0.21\n  BURN ALERT   above alert_burn_rate 2: 5× over 1h\n"))
        let status = try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as! [String: Any]
        let slo = (status["slos"] as! [[String: Any]])[0]
        #expect((slo["burn_rate_alerts"] as! [[String: Any]]).map { $0["span"] as? String } == ["1h"])
        #expect((slo["alert_burn_rate"] as! NSNumber).doubleValue == 2)
        #expect(((status["use_cases"] as! [[String: Any]])[0]["burn_rate_alerts"] as! [[String: Any]]).count == 1)
        let csvReport = try report.render(.csv).components(separatedBy: "\r\n")
        #expect(csvReport[0].hasSuffix(",kind,target,alert_burn_rate,burn_rate_alerts"))
        #expect(csvReport[1].hasSuffix(",events,,2,1h"))

        // The policy's own alert_burn_rate: above 5, nothing is reported; below 0.8, 6 h is too.
        let policy = try fixture.folder.read("policies/ops_copilot.yaml")
        try fixture.folder.write("policies/ops_copilot.yaml", policy.replacingOccurrences(of: "alert_burn_rate: 2 ", with: "alert_burn_rate: 6 "))
        #expect(try ReleaseGateTests.check(fixture).burnRateAlerts.isEmpty)
        try fixture.folder.write("policies/ops_copilot.yaml", policy.replacingOccurrences(of: "alert_burn_rate: 2 ", with: "alert_burn_rate: 0.8 "))
        #expect(try ReleaseGateTests.check(fixture).burnRateAlerts.map(\.span) == [.hour, .sixHours])
        // Left out, it is 2.
        try fixture.folder.write("policies/ops_copilot.yaml", policy.replacingOccurrences(of: "alert_burn_rate: 2 ", with: "# "))
        #expect(try ReleaseGateTests.check(fixture).burnRateAlerts.map(\.span) == [.hour])
    }

    // MARK: Threshold SLIs

    @Test func aThresholdSLICountsReadingsThatMissTheirTargetAsBad() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        // groundedness ≥ 4.2 as a threshold SLI; 4.2 itself meets it.
        let catalog = try fixture.folder.read(SLOCatalog.path)
        try fixture.folder.write(
            SLOCatalog.path,
            catalog.replacingOccurrences(
                of:
                    "    latency_p95_ms: {at_most: 1200, objective: 90%, window: rolling_30d}\n    retriable_error_rate: {at_most: 1.0%}\n    groundedness: {at_least: 4.2}\n    ucr_usd: {at_most: 0.0020}",
                with:
                    "    latency_p95_ms: {at_most: 1200, objective: 90%, window: rolling_30d}\n    retriable_error_rate: {at_most: 1.0%}\n    groundedness: {at_least: 4.2, objective: 80%, window: rolling_7d}\n    ucr_usd: {at_most: 0.0020}"
            ))
        // Nine days: the first two fall outside the 7-day window (both bad, not counted).
        try Self.importCSV(fixture, Self.readings("groundedness", unit: "score", ["3.0", "3.1", "4.2", "4.19", "4.5", "4.1", "4.3", "4.4", "4.6"]))
        // A reading of a check of checks.yaml (it has a subject) is not one of the SLI's.
        let path = SnapshotLayout.signalsPath(useCase: "ops_copilot", week: try #require(ISOWeek("2026-W47")))
        let text = try fixture.folder.read(path)
        try fixture.commitFile(
            path,
            text.replacingOccurrences(
                of: "  - {at: 2026-11-22T12:00:00Z, metric: groundedness, value: 4.6, unit: score}",
                with:
                    "  - {at: 2026-11-22T12:00:00Z, metric: groundedness, value: 4.6, unit: score}\n  - {at: 2026-11-22T12:00:00Z, metric: groundedness, subject: answers.groundedness, value: 1, unit: score}"
            ))
        let report = try fixture.status(at: "2026-11-23T09:00:00Z", useCase: "ops_copilot")
        #expect(report.slos.map(\.sli) == ["availability", "latency_p95_ms", "groundedness"])
        let groundedness = report.slos[2]
        #expect(groundedness.kind == .threshold && groundedness.readingBound == SLOCatalog.Bound(.atLeast, Decimal(string: "4.2")!))
        #expect(groundedness.good == 5 && groundedness.total == 7 && groundedness.budget == Decimal(string: "0.2")!)
        #expect(abs(groundedness.consumed! - 2.0 / 7 / 0.2) < 1e-12)
        #expect(groundedness.colour == .red)
        #expect(groundedness.dataUntil == Timestamp.parse("2026-11-22T12:00:00Z"))
        // Daily readings: 1 d holds one (good), 3 d three (4.3, 4.4, 4.6: good), 1 h none.
        #expect(groundedness.burnRates.map(\.rate).prefix(4) == [nil, nil, 0, 0])
        #expect(abs(try #require(groundedness.burnRates[4].rate) - 2.0 / 7 / 0.2) < 1e-12)
        // latency has no readings: no data, and not the governor.
        #expect(
            report.slos[1].consumed == nil && report.slos[1].notes.last == "no imported readings of latency_p95_ms in the window; run `ops slo import --csv`")
        #expect(report.useCases[0].governing?.sli == "groundedness")
        let verdict = try #require(report.useCases[0].verdict)
        #expect(verdict.sli == "groundedness" && !verdict.allowed)
        #expect(verdict.notes.contains("ops_copilot latency_p95_ms has no imported readings in its rolling_30d window, so it is not judged"))
        #expect(try report.render(.table).contains("\n  readings     5 of 7 met ≥ 4.2, 2 missed\n"))
    }

    @Test func aThresholdSLIOnUnitCostIsSpendOverRequestsWhenNoReadingCarriesIt() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let catalog = try fixture.folder.read(SLOCatalog.path)
        try fixture.folder.write(
            SLOCatalog.path,
            catalog.replacingOccurrences(of: "    ucr_usd: {at_most: 0.0020}", with: "    ucr_usd: {at_most: 0.0020, objective: 50%, window: rolling_30d}"))
        var csv = Self.readings("spend_usd", unit: "usd", ["200", "300", "100"])
        csv += Self.readings("requests", unit: "count", ["100000", "100000", "100000"]).split(separator: "\n").dropFirst().joined(separator: "\n") + "\n"
        try Self.importCSV(fixture, csv)
        let ucr = try #require(try fixture.status(at: "2026-11-23T09:00:00Z", useCase: "ops_copilot").slos.first { $0.sli == "ucr_usd" })
        // 0.002 meets at_most 0.0020, 0.003 does not, 0.001 does.
        #expect(ucr.good == 2 && ucr.total == 3)
    }

    @Test func noDataForAnySLIIsAllowedAndSaysSo() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let verdict = try ReleaseGateTests.check(fixture)
        #expect(verdict.allowed && verdict.consumed == nil && verdict.warning == nil)
        #expect(
            verdict.reason
                == "ALLOWED: no imported data for ops_copilot availability or latency_p95_ms in their windows, so their budgets cannot be judged and nothing is frozen; import them (ops slo import) for the gate to enforce policies/ops_copilot.yaml"
        )
        let report = try fixture.status(useCase: "ops_copilot")
        #expect(try report.render(.table).contains("\nops_copilot  no SLI has data\n  release      ALLOWED: no imported data"))
    }

    // MARK: The files

    @Test func thePolicyReadsErrorBudgetPolicyAndAlertBurnRate() throws {
        let base = try SLOFixture.text("policy_ops_copilot.yaml")
        let plain = try ErrorBudgetPolicy.load(base, path: "policies/ops_copilot.yaml")
        #expect(plain.mode == .freeze && plain.alertBurnRate == nil && plain.effectiveAlertBurnRate == 2)
        let written = try ErrorBudgetPolicy.load(
            base + "error_budget_policy: Alert\nalert_burn_rate: 14.4x\n", path: "policies/ops_copilot.yaml")
        #expect(written.mode == .alert && written.alertBurnRate == Decimal(string: "14.4")!)
        #expect(
            ErrorBudgetPolicy.problems(in: base + "error_budget_policy: alert\n", path: "policies/ops_copilot.yaml", config: nil).allSatisfy {
                !$0.message.contains("unknown key")
            })
        for (line, message) in [
            (
                "error_budget_policy: block",
                "policies/ops_copilot.yaml:17: error_budget_policy `block` is not freeze or alert. Write error_budget_policy: freeze (the thresholds' freezes hold releases) or error_budget_policy: alert (they are only reported)"
            ),
            (
                "alert_burn_rate: fast",
                "policies/ops_copilot.yaml:17: alert_burn_rate `fast` is not a positive number. Write it like alert_burn_rate: 2 (twice the pace that spends the budget over the window)"
            ),
            ("alert_burn_rate: 0", "policies/ops_copilot.yaml:17: alert_burn_rate `0` is not a positive number"),
        ] {
            #expect(throws: OpsError.self) { try ErrorBudgetPolicy.load(base + line + "\n", path: "policies/ops_copilot.yaml") }
            let problems = ErrorBudgetPolicy.problems(in: base + line + "\n", path: "policies/ops_copilot.yaml", config: nil)
            #expect(problems.contains { $0.description.hasPrefix(message) }, "\(problems.map(\.description))")
        }
    }

    @Test func aGaugeWithAnObjectiveNeedsAWindowAndARatio() throws {
        let head = "version: 1\nmetrics:\n  latency_p95_ms: {unit: ms}\nuse_cases:\n  ops_copilot:\n"
        let catalog = try SLOCatalog.load(head + "    latency_p95_ms: {at_most: 1200, objective: 95%, window: calendar_month}\n")
        let latency = try #require(catalog.useCase("ops_copilot")?.indicator("latency_p95_ms"))
        #expect(latency.target == .gauge(.init(.atMost, 1200)) && !latency.isEventBased && latency.hasBudget)
        #expect(latency.readingObjective == SLOCatalog.ReadingObjective(objective: Decimal(string: "0.95")!, window: .calendarMonth))
        #expect(catalog.useCase("ops_copilot")?.budgetIndicators.map(\.name) == ["latency_p95_ms"])
        #expect(catalog.useCase("ops_copilot")?.eventIndicators.isEmpty == true)
        // Without an objective it stays a gauge judged week by week.
        let plain = try SLOCatalog.load(head + "    latency_p95_ms: {at_most: 1200}\n")
        #expect(plain.useCase("ops_copilot")?.indicator("latency_p95_ms")?.hasBudget == false)
        for (entry, message) in [
            ("{at_most: 1200, objective: 95%}", "slo/catalog.yaml:6: `window` is missing here"),
            ("{at_most: 1200, window: rolling_30d}", "slo/catalog.yaml:6: `objective` is missing here"),
            (
                "{at_most: 1200, objective: 120%, window: rolling_30d}",
                "slo/catalog.yaml:6: objective `120%` of ops_copilot.latency_p95_ms is not a ratio below 100 %: the share of readings that must meet at_most: 1200. Write it like 90%"
            ),
            ("{at_most: 1200, objective: 95%, window: fortnight}", "slo/catalog.yaml:6: window `fortnight` is not one of"),
        ] {
            let problems = SLOCatalog.problems(in: head + "    latency_p95_ms: \(entry)\n", config: nil)
            #expect(problems.contains { $0.description.hasPrefix(message) }, "\(entry): \(problems.map(\.description))")
        }
    }
}
