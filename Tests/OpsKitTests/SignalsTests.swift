import Foundation
import Testing

@testable import OpsKit

@Suite struct SignalsTests {
    /// The SLO fixture with the W47 signals CSV imported.
    static func fixture() throws -> SLOFixture {
        let fixture = try SLOFixture()
        try fixture.importer.importCSV(SLOFixture.input("signals_2026-W47.csv"), author: fixture.alice)
        return fixture
    }

    struct Breach: Equatable, CustomStringConvertible {
        var useCase, metric, worst, breachWhen, level, readings, channel: String
        var description: String { [useCase, metric, worst, breachWhen, level, readings, channel].joined(separator: " | ") }
    }

    static func breaches(_ report: SignalsReport) -> [Breach] {
        report.useCases.flatMap { useCase in
            useCase.breaches.map { check in
                Breach(
                    useCase: useCase.useCase, metric: check.metric, worst: SignalFormat.value(check.value, unit: check.unit),
                    breachWhen: check.breachText, level: check.level, readings: "\(check.breachingReadings)/\(check.readings)",
                    channel: check.channel ?? "none")
            }
        }
    }

    @Test func theW47FixtureBreachesWithTheirThresholdsAndChannels() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let report = try SignalsService(fixture.workspace).status(week: "2026-W47")
        #expect(report.week.description == "2026-W47" && report.baselineWeek.description == "2026-W46")
        let expected: [Breach] = [
            .init(useCase: "ops_copilot", metric: "groundedness", worst: "4.11", breachWhen: "< 4.2", level: "target", readings: "3/7", channel: "#safety"),
            .init(
                useCase: "ops_copilot", metric: "guardrail_hit_rate", worst: "0.29 %", breachWhen: "> 0.2 %", level: "target", readings: "6/7",
                channel: "#safety"),
            .init(
                useCase: "ops_copilot", metric: "cache_hit_rate", worst: "56.9 %", breachWhen: "< 60 %", level: "target", readings: "3/7", channel: "#finops"),
            .init(
                useCase: "fraud_scoring", metric: "ingest_lag_minutes", worst: "27 min", breachWhen: "> 20 min", level: "page", readings: "1/7",
                channel: "#data-oncall"),
            .init(
                useCase: "fraud_scoring", metric: "completeness", worst: "99.1 %", breachWhen: "< 99.5 %", level: "ticket", readings: "1/7",
                channel: "#data-oncall"),
            .init(useCase: "fraud_scoring", metric: "groundedness", worst: "4.12", breachWhen: "< 4.2", level: "target", readings: "3/7", channel: "#safety"),
            .init(
                useCase: "fraud_scoring", metric: "guardrail_hit_rate", worst: "0.3 %", breachWhen: "> 0.2 %", level: "target", readings: "2/7",
                channel: "#safety"),
            .init(
                useCase: "fraud_scoring", metric: "cache_hit_rate", worst: "55.3 %", breachWhen: "< 60 %", level: "target", readings: "5/7", channel: "#finops"),
            .init(
                useCase: "fraud_scoring", metric: "latency_p95_ms", worst: "1450 ms", breachWhen: "> 1200 ms", level: "target", readings: "1/7",
                channel: "#sre-oncall"),
            // PSI 0.34 crosses both 0.2 (alert) and 0.3 (page): one breach, at the strictest.
            .init(useCase: "search_ranking", metric: "psi", worst: "0.34", breachWhen: "≥ 0.3", level: "page", readings: "1/7", channel: "#data-oncall"),
            .init(
                useCase: "search_ranking", metric: "ks_pvalue", worst: "0.01", breachWhen: "< 0.05", level: "alert", readings: "1/7", channel: "#data-oncall"),
            .init(
                useCase: "search_ranking", metric: "guardrail_hit_rate", worst: "0.29 %", breachWhen: "> 0.2 %", level: "target", readings: "5/7",
                channel: "#safety"),
            // Unit cost: spend / requests summed over the week, 13,417 USD / 6,957,486 requests.
            .init(
                useCase: "search_ranking", metric: "ucr_usd", worst: "0.001928 USD", breachWhen: "> 0.0019 USD", level: "target", readings: "5/7",
                channel: "#finops"),
            .init(
                useCase: "search_ranking", metric: "cache_hit_rate", worst: "55.6 %", breachWhen: "< 60 %", level: "target", readings: "2/7", channel: "#finops"
            ),
        ]
        #expect(Self.breaches(report) == expected)

        let search = try #require(report.useCases.first { $0.useCase == "search_ranking" })
        let psi = try #require(search.checks.first { $0.metric == "psi" })
        #expect(psi.area == .drift && psi.at == Timestamp.parse("2026-11-21T12:00:00Z"))
        let cost = try #require(search.unitCost)
        #expect(cost.spend == 13_417 && cost.requests == 6_957_486 && cost.ucr == Decimal(13_417) / Decimal(6_957_486))
        #expect(cost.target == Decimal(string: "0.0019") && cost.previous == nil && cost.change == nil)
        // Within bounds, and still reported: ops_copilot's worst PSI, lag and UCR.
        let copilot = try #require(report.useCases.first { $0.useCase == "ops_copilot" })
        #expect(
            copilot.checks.filter { !$0.breached }.map(\.metric).sorted()
                == ["completeness", "ingest_lag_minutes", "ks_pvalue", "latency_p95_ms", "psi", "ucr_usd"])
        let psiWithin = try #require(copilot.checks.first { $0.metric == "psi" })
        #expect(psiWithin.value == Decimal(string: "0.149") && psiWithin.breachText == "≥ 0.2" && psiWithin.level == "alert")
        #expect(copilot.missing == ["retriable_error_rate", "data_freshness_minutes", "topk_shift"])
        #expect(
            copilot.notes == [
                "no 2026-W46 spend and requests: unit cost has no week to compare with",
                "no 2026-W46 readings of groundedness: its drop ≥ 0.3 has no baseline",
            ])
    }

    @Test func theWeekBeforeIsTheBaselineForGroundednessDropAndCostChange() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        var csv = "timestamp,use_case,metric,value,unit\n"
        for day in 9...15 {
            let at = "2026-11-" + String(format: "%02d", day) + "T12:00:00Z"
            csv += "\(at),ops_copilot,groundedness,4.6,score\n\(at),ops_copilot,spend_usd,1800,usd\n\(at),ops_copilot,requests,1000000,count\n"
        }
        try fixture.importer.importCSV(SourceInput(name: "signals_2026-W46.csv", data: Data(csv.utf8)), author: fixture.alice)
        // Default: the latest week imported, W47, though the clock is in W48.
        let report = try SignalsService(fixture.workspace).status(useCase: "ops_copilot")
        #expect(report.week.description == "2026-W47" && report.useCases.count == 1)
        let copilot = report.useCases[0]
        // Mean 30.07 / 7 = 4.2957 against 4.6: down 0.304, a page.
        let drop = try #require(copilot.checks.first { $0.kind == .drop })
        #expect(drop.metric == "groundedness" && drop.breached && drop.level == "page" && drop.channel == "#safety")
        #expect(drop.baseline == Decimal(string: "4.6") && drop.value == Decimal(string: "30.07")! / 7)
        #expect(drop.breachText == "drop ≥ 0.3")
        let cost = try #require(copilot.unitCost)
        #expect(cost.previous == Decimal(string: "0.0018"))
        let change = try #require(cost.change)
        #expect(abs(change - (13_593.0 / 7_251_681 - 0.0018) / 0.0018) < 1e-12)
        #expect(copilot.notes.isEmpty)
        let table = try report.render(.table)
        #expect(table.contains("\nops_copilot  safety  groundedness        mean 4.2957, was 4.6  drop ≥ 0.3   page    4 of 7    #safety\n"))
        #expect(table.contains("\nops_copilot  0.001874 USD  ≤ 0.002 USD  +4.1 %       ok\n"))
    }

    @Test func aCategoricalShiftIsReviewedWhenTheSnapshotCarriesIt() throws {
        let catalog = try SLOCatalog.load(SLOStarter.files.first { $0.path == SLOCatalog.path }!.content)
        let at = Timestamp.parse("2026-11-18T12:00:00Z")!
        let readings = [SignalValue(at: at, metric: "topk_shift", value: Decimal(string: "0.12")!, unit: "ratio")]
        let signals = SignalsService.evaluate(
            "ops_copilot", catalog: catalog, channels: ["data_quality": "#data-oncall"], readings: readings,
            baseline: [], baselineWeek: ISOWeek("2026-W46")!)
        let check = try #require(signals.breaches.first)
        #expect(signals.breaches.count == 1)
        #expect(check.area == .drift && check.level == "review" && check.breachText == "≥ 10 %" && check.channel == "#data-oncall")
        #expect(!signals.missing.contains("topk_shift"))
    }

    @Test func jsonAndCSVCarryEveryCheck() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let report = try SignalsService(fixture.workspace).status(week: "2026-w47", useCase: "fraud_scoring")
        let json = try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as! [String: Any]
        #expect(json["schema_version"] as? Int == 1 && json["week"] as? String == "2026-W47")
        #expect(json["start"] as? String == "2026-11-16T00:00:00Z" && json["end"] as? String == "2026-11-23T00:00:00Z")
        let useCase = (json["use_cases"] as! [[String: Any]])[0]
        #expect(useCase["breaches"] as? Int == 6)
        let checks = useCase["checks"] as! [[String: Any]]
        let lag = try #require(checks.first { $0["metric"] as? String == "ingest_lag_minutes" })
        #expect(lag["breach_when"] as? String == "above" && (lag["threshold"] as? NSNumber)?.intValue == 20)
        #expect(lag["level"] as? String == "page" && lag["channel"] as? String == "#data-oncall" && lag["route"] as? String == "data_quality")
        #expect(lag["at"] as? String == "2026-11-19T12:00:00Z" && lag["breached"] as? Bool == true)
        let csv = try report.render(.csv).components(separatedBy: "\r\n")
        #expect(csv[0] == SignalsReport.csvHeaders.joined(separator: ","))
        #expect(csv.count == checks.count + 2)
        #expect(
            csv.contains(
                "2026-W47,fraud_scoring,data_quality,ingest_lag_minutes,threshold,27,2026-11-19T12:00:00Z,,above,20,page,yes,7,1,data_quality,#data-oncall,"))
    }

    @Test func badInputIsOneLineExitTwo() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        try expectRefused(fixture, ["'2026-W54' is not an ISO week. Write it like 2026-W47"]) {
            _ = try SignalsService(fixture.workspace).status(week: "2026-W54")
        }
        try expectRefused(fixture, ["'last week' is not an ISO week"]) {
            _ = try SignalsService(fixture.workspace).status(week: "last week")
        }
        try expectRefused(fixture, ["unknown use case 'checkout'"]) {
            _ = try SignalsService(fixture.workspace).status(useCase: "checkout")
        }
    }

    @Test func aWeekWithoutReadingsSaysHowToImportThem() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let report = try SignalsService(fixture.workspace).status(week: "2026-W40")
        #expect(report.useCases.allSatisfy { $0.readings == 0 && $0.checks.isEmpty })
        #expect(try report.render(.table).contains("No signal readings for 2026-W40. Import them: ops slo import --csv signals.csv"))
    }
}
