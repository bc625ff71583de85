import Foundation
import Testing
import Yams

@testable import OpsKit

/// `ops slo rules`: the rule file of the example catalog, the way each query is set to each
/// window, and what is refused. promtool runs the file in SLORulesPromtoolTests.
@Suite struct SLORulesTests {
    /// The rules of the example repository (starter catalog, ops.yaml and runbooks).
    static func exampleRules() throws -> SLORules {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        return try SLORulesService(fixture.workspace).rules(useCase: nil)
    }

    /// `rules` decoded: group name → its rules, each a string map (labels and annotations as
    /// `labels.x`, `annotations.x`).
    static func decode(_ text: String) throws -> [(name: String, rules: [[String: String]])] {
        let root = try #require(try Yams.load(yaml: text) as? [String: Any])
        let groups = try #require(root["groups"] as? [[String: Any]])
        return try groups.map { group in
            let rules = try #require(group["rules"] as? [[String: Any]]).map { rule in
                var flat: [String: String] = [:]
                for (key, value) in rule {
                    if let nested = value as? [String: Any] {
                        for (inner, text) in nested { flat["\(key).\(inner)"] = "\(text)" }
                    } else {
                        flat[key] = "\(value)"
                    }
                }
                return flat
            }
            return (try #require(group["name"] as? String), rules)
        }
    }

    @Test func theExampleCatalogsRulesMatchTheirGoldenFileAndAreTheSameEachTime() throws {
        let rules = try Self.exampleRules()
        #expect(try Self.exampleRules().text == rules.text)
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden/slo-rules.yml")
        if ProcessInfo.processInfo.environment["OPS_RECORD_GOLDEN"] == "1" {
            try Data(rules.text.utf8).write(to: golden)
        }
        #expect(rules.text == (try String(contentsOf: golden, encoding: .utf8)), "re-record with OPS_RECORD_GOLDEN=1 and review the diff")
        #expect(rules.indicators == ["ops_copilot availability", "fraud_scoring availability", "search_ranking availability"])
        #expect(rules.notes.isEmpty)
    }

    @Test func eachIndicatorHasItsErrorRatioOverSevenWindowsAndTheWorkbooksFourAlerts() throws {
        let groups = try Self.decode(try Self.exampleRules().text)
        #expect(groups.map(\.name) == ["slo-ops_copilot-availability", "slo-fraud_scoring-availability", "slo-search_ranking-availability"])
        let copilot = try #require(groups.first).rules
        let records = copilot.filter { $0["record"] != nil }
        #expect(records.map { $0["record"]! } == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"].map { "slo:sli_error:ratio_rate\($0)" })
        // The query's [1h] is set to the window, on both sides, and nothing else changes.
        #expect(
            records[0]["expr"]
                == #"1 - (sum(increase(http_requests_total{use_case="ops_copilot",code!~"5.."}[5m]))) / (sum(increase(http_requests_total{use_case="ops_copilot"}[5m])))"#
        )
        #expect(records.allSatisfy { $0["labels.use_case"] == "ops_copilot" && $0["labels.sli"] == "availability" })

        let alerts = copilot.filter { $0["alert"] != nil }
        let selector = #"{use_case="ops_copilot",sli="availability"}"#
        // Budget 0.1 %: 14.4x is 1.44 %, 6x 0.6 %, 3x 0.3 %, 1x 0.1 % (SRE workbook, chapter 5).
        let expected: [(String, String, String, String, String)] = [
            ("ErrorBudgetBurn1h", "page", "1h", "5m", "0.0144"),
            ("ErrorBudgetBurn6h", "page", "6h", "30m", "0.006"),
            ("ErrorBudgetBurn1d", "ticket", "1d", "2h", "0.003"),
            ("ErrorBudgetBurn3d", "ticket", "3d", "6h", "0.001"),
        ]
        #expect(alerts.count == expected.count)
        for (alert, (name, severity, long, short, threshold)) in zip(alerts, expected) {
            #expect(alert["alert"] == name)
            #expect(
                alert["expr"]
                    == "slo:sli_error:ratio_rate\(long)\(selector) > \(threshold) and slo:sli_error:ratio_rate\(short)\(selector) > \(threshold)")
            // What oncall.yaml routes match: severity, use_case, service (its team comes from ops.yaml).
            #expect(alert["labels.severity"] == severity && alert["labels.use_case"] == "ops_copilot" && alert["labels.service"] == "ops_copilot")
            #expect(alert["labels.sli"] == "availability")
            // The starter runbook whose triggers name the alert.
            #expect(alert["annotations.runbook"] == "runbooks/model-serving-degradation.md")
            #expect(alert["annotations.summary"]?.hasPrefix("ops_copilot availability burns its error budget") == true)
        }
    }

    @Test func aFiringPageOpensASEV2IncidentOnTheUseCaseRoutedWithItsRunbook() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let rules = try SLORulesService(fixture.workspace).rules(useCase: "ops_copilot")
        let rule = try #require(try Self.decode(rules.text)[0].rules.first { $0["alert"] == "ErrorBudgetBurn1h" })
        // Alertmanager sends the rule's labels (with alertname) and annotations.
        var labels = rule.filter { $0.key.hasPrefix("labels.") }.reduce(into: [String: String]()) { $0[String($1.key.dropFirst(7))] = $1.value }
        labels["alertname"] = "ErrorBudgetBurn1h"
        let annotations = rule.filter { $0.key.hasPrefix("annotations.") }.reduce(into: [String: String]()) { $0[String($1.key.dropFirst(12))] = $1.value }
        let payload: [String: Any] = [
            "version": "4", "status": "firing", "receiver": "ops",
            "alerts": [
                [
                    "status": "firing", "labels": labels, "annotations": annotations, "startsAt": "2026-11-23T08:50:00Z",
                    "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "5151515151515151",
                ]
            ],
        ]
        let intake = try AlertIntake(fixture.workspace).ingest(
            try JSONSerialization.data(withJSONObject: payload), source: "test", author: fixture.alice)
        let incident = try IncidentService(fixture.workspace).find(try #require(intake.opened.first))
        #expect(incident.severity == "SEV2" && incident.service == "ops_copilot" && incident.useCase == "ops_copilot")
        #expect(incident.runbook == "model-serving-degradation" && incident.rotation == "sre")
        #expect(incident.title == "ops_copilot availability burns its error budget 14.4x as fast as it may, over 1h and 5m")
    }

    // MARK: Runbook and service

    static let catalog = """
        version: 1
        use_cases:
          checkout:
            availability:
              objective: 99.5%
              window: rolling_28d
              good_query: 'sum(rate(requests_total{code!~"5.."}[5m]))'
              total_query: 'sum(rate(requests_total[5m]))'
            errors: {objective: 99%, window: rolling_7d}
        """

    static func runbook(_ slug: String, services: [String], triggers: [String]) -> Runbook {
        Runbook(slug: slug, title: slug, services: services, severities: [], triggers: triggers, phases: [], path: "runbooks/\(slug).md")
    }

    @Test func anIndicatorWithoutQueriesIsSkippedWithANoteAndTheRunbookFallsBackToTheUseCasesFirst() throws {
        let catalog = try SLOCatalog.load(Self.catalog)
        let runbooks = [
            Self.runbook("zz-checkout", services: ["checkout"], triggers: []),
            Self.runbook("b-checkout", services: ["checkout"], triggers: []),
            Self.runbook("a-other", services: ["search"], triggers: []),
        ]
        let rules = try SLORules.make(catalog: catalog, useCase: nil, services: ["search"], runbooks: runbooks)
        #expect(rules.indicators == ["checkout availability"])
        #expect(rules.notes == ["checkout errors has no good_query and total_query (slo/catalog.yaml:9): no rules"])
        let alerts = try Self.decode(rules.text)[0].rules.filter { $0["alert"] != nil }
        #expect(alerts.map { $0["annotations.runbook"] } == Array(repeating: "runbooks/b-checkout.md", count: 4))
        // Budget 0.5 %: 14.4x is 7.2 %.
        #expect(alerts[0]["expr"]?.hasSuffix("> 0.072") == true)
        // No ops.yaml service is called checkout: no service label, routes match on use_case.
        #expect(alerts.allSatisfy { $0["labels.service"] == nil && $0["labels.use_case"] == "checkout" })

        // A runbook whose triggers name the alert wins; with none at all, no annotation and a note.
        let named = try SLORules.make(
            catalog: catalog, useCase: "checkout", services: [],
            runbooks: runbooks + [Self.runbook("z-burn", services: [], triggers: ["ErrorBudgetBurn6h"])])
        #expect(try Self.decode(named.text)[0].rules.filter { $0["alert"] != nil }.map { $0["annotations.runbook"] }.count == 4)
        #expect(try Self.decode(named.text)[0].rules.first { $0["alert"] == "ErrorBudgetBurn6h" }?["annotations.runbook"] == "runbooks/z-burn.md")
        let bare = try SLORules.make(catalog: catalog, useCase: nil, services: [], runbooks: [])
        #expect(try Self.decode(bare.text)[0].rules.allSatisfy { $0["annotations.runbook"] == nil })
        #expect(bare.notes.contains("ErrorBudgetBurn1h of checkout availability has no runbook: no runbook annotation"))
    }

    // MARK: Refusals

    @Test(arguments: [
        ("sum(requests_total)", "has no range like [1h] to set to each window"),
        ("sum(rate(requests_total[1h:5m]))", "has a subquery [1h:5m]; write a plain range like [1h]"),
        ("sum(increase(a[1h])) + sum(increase(b[5m]))", "has two ranges, [1h] and [5m]; write one range, the same everywhere"),
        ("sum(irate(requests_total[5m]))", "uses irate, which does not count events over its range; use rate or increase"),
        ("avg_over_time(up[1h])", "uses avg_over_time, which does not count events over its range; use rate or increase"),
        ("sum(rate(requests_total[$window]))", "has a range [$window] that is not a duration like [1h]"),
    ])
    func aQueryThatCannotBeSetToEachWindowIsRefusedWithItsCatalogLine(query: String, reason: String) throws {
        let text = Self.catalog.replacingOccurrences(of: #"'sum(rate(requests_total[5m]))'"#, with: "'\(query)'")
        let catalog = try SLOCatalog.load(text)
        #expect(throws: OpsError.file("slo/catalog.yaml", line: 4, "total_query of checkout.availability \(reason)", fix: Self.fix)) {
            try SLORules.make(catalog: catalog, useCase: nil, services: [], runbooks: [])
        }
    }

    static let fix = "ops slo rules sets the query's range to each window (5m to 3d): write it like 'sum(increase(x[1h]))'"

    @Test func aRangeInsideAStringOrAnOffsetIsLeftAlone() throws {
        let window = try PromQLWindow(#"sum(increase(http_requests_total{path=~"/a[0-9]",note='x[1h] \' y'}[1h] offset 1d))"#)
        #expect(window.written == "1h")
        #expect(window.over("3d") == #"sum(increase(http_requests_total{path=~"/a[0-9]",note='x[1h] \' y'}[3d] offset 1d))"#)
        #expect(try PromQLWindow("sum(count_over_time(x[1h30m])) / 2").over("5m") == "sum(count_over_time(x[5m])) / 2")
    }

    @Test func noIndicatorWithQueriesOrAnUnknownUseCaseIsBadInput() throws {
        let catalog = try SLOCatalog.load(Self.catalog)
        #expect(throws: OpsError.input("use case `search` is not in slo/catalog.yaml (known: checkout)")) {
            try SLORules.make(catalog: catalog, useCase: "search", services: [], runbooks: [])
        }
        let none = try SLOCatalog.load("version: 1\nuse_cases:\n  checkout:\n    errors: {objective: 99%, window: rolling_7d}\n")
        #expect(throws: OpsError.self) { try SLORules.make(catalog: none, useCase: nil, services: [], runbooks: []) }
    }
}
