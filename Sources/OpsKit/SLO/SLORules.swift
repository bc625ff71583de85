import Foundation
import Yams

/// A Prometheus rule file made from `slo/catalog.yaml`: for each event indicator with a
/// good_query and a total_query, its error ratio over seven windows as recording rules, and
/// the four multiwindow, multi-burn-rate alerts of the Google SRE workbook (chapter 5,
/// "Alerting on SLOs", recommendation 6). Same catalog, runbooks and services: same bytes.
public struct SLORules: Sendable {
    /// The file, YAML as `promtool check rules` and Prometheus read it.
    public var text: String
    /// `ops_copilot availability`: the indicators that have rules, in catalog order.
    public var indicators: [String]
    /// What was left out, and why: an indicator without queries, an alert without a runbook.
    public var notes: [String]

    /// The windows the error ratio is recorded over: every window an alert below reads.
    static let windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    /// The recorded series, `slo:sli_error:ratio_rate5m`; labels `use_case` and `sli` tell
    /// the indicators apart.
    static func record(_ window: String) -> String { "slo:sli_error:ratio_rate\(window)" }

    /// One alert: fires while the error ratio over both windows is above `factor` times the
    /// budget (1 − objective). The short window lets it stop soon after the errors do.
    struct BurnAlert {
        var name: String
        var severity: String
        var factor: Decimal
        var long: String
        var short: String
    }

    /// The workbook's table: 2 % of a 30-day budget in 1 h or 5 % in 6 h pages; 10 % in 1 d
    /// or in 3 d is a ticket.
    static let alerts = [
        BurnAlert(name: "ErrorBudgetBurn1h", severity: "page", factor: Decimal(string: "14.4")!, long: "1h", short: "5m"),
        BurnAlert(name: "ErrorBudgetBurn6h", severity: "page", factor: 6, long: "6h", short: "30m"),
        BurnAlert(name: "ErrorBudgetBurn1d", severity: "ticket", factor: 3, long: "1d", short: "2h"),
        BurnAlert(name: "ErrorBudgetBurn3d", severity: "ticket", factor: 1, long: "3d", short: "6h"),
    ]

    /// The rules for `catalog` (one use case's, with `useCase`). An alert's service label is
    /// the ops.yaml service named like the use case, if there is one; its runbook is the one
    /// whose triggers name the alert, else the first (by name) that lists the use case in its
    /// services. A query that cannot be set to each window is refused with its catalog line.
    static func make(catalog: SLOCatalog, useCase: String?, services: [String], runbooks: [Runbook]) throws -> SLORules {
        var useCases = catalog.useCases
        if let useCase {
            guard let found = catalog.useCase(useCase) else {
                throw OpsError.input("use case `\(useCase)` is not in \(SLOCatalog.path) (known: \(catalog.useCases.map(\.name).joined(separator: ", ")))")
            }
            useCases = [found]
        }
        let runbooks = runbooks.sorted { $0.slug < $1.slug }
        var groups: [Node] = []
        var indicators: [String] = []
        var notes: [String] = []
        for useCase in useCases {
            let service = services.contains(useCase.name) ? useCase.name : nil
            for indicator in useCase.eventIndicators {
                guard let group = try group(indicator, of: useCase.name, service: service, runbooks: runbooks, notes: &notes) else { continue }
                groups.append(group)
                indicators.append("\(useCase.name) \(indicator.name)")
            }
        }
        guard !groups.isEmpty else {
            throw OpsError.input(
                "no indicator\(useCase.map { " of \($0)" } ?? "") in \(SLOCatalog.path) has a good_query and a total_query, so there are no rules to make. Add them, e.g. good_query: 'sum(increase(http_requests_total{code!~\"5..\"}[1h]))'"
            )
        }
        let body = try Yams.serialize(
            node: yamlMap([("groups", .sequence(Node.Sequence(groups, Tag(.seq), .block)))]), width: -1, allowUnicode: true, lineBreak: .ln)
        return SLORules(text: header + body, indicators: indicators, notes: notes)
    }

    /// One indicator's group: its recording rules, then its alerts (Prometheus evaluates a
    /// group's rules in order, so the alerts read ratios of the same evaluation). Nil, with a
    /// note, when it has no queries.
    private static func group(
        _ indicator: SLOCatalog.Indicator, of useCase: String, service: String?, runbooks: [Runbook], notes: inout [String]
    ) throws -> Node? {
        guard let queries = indicator.queries, case .events(let objective, let window) = indicator.target else {
            let place = SLOCatalog.path + (indicator.line.map { ":\($0)" } ?? "")
            notes.append("\(useCase) \(indicator.name) has no good_query and total_query (\(place)): no rules")
            return nil
        }
        var sides: [PromQLWindow] = []
        for (key, query) in [("good_query", queries.good), ("total_query", queries.total)] {
            do {
                sides.append(try PromQLWindow(query))
            } catch {
                throw OpsError.file(
                    SLOCatalog.path, line: indicator.line, "\(key) of \(useCase).\(indicator.name) \(error.reason)",
                    fix: "ops slo rules sets the query's range to each window (5m to 3d): write it like 'sum(increase(x[1h]))'")
            }
        }
        let subject = Subject(
            useCase: useCase, sli: indicator.name, service: service, objective: objective, window: window, good: sides[0], total: sides[1])
        var rules = windows.map(subject.recordingRule)
        for alert in alerts {
            let runbook = runbooks.first { $0.triggers.contains(alert.name) } ?? runbooks.first { $0.services.contains(useCase) }
            if runbook == nil { notes.append("\(alert.name) of \(useCase) \(indicator.name) has no runbook: no runbook annotation") }
            rules.append(subject.alertingRule(alert, runbook: runbook.map(\.path)))
        }
        return yamlMap([("name", yamlText("slo-\(useCase)-\(indicator.name)")), ("rules", .sequence(Node.Sequence(rules, Tag(.seq), .block)))])
    }

    static let header = """
        # Prometheus rules made by `ops slo rules` from slo/catalog.yaml. Do not edit: change the
        # catalog and run it again. Error ratios over 5m to 3d, and burn-rate alerts (page: 14.4x
        # over 1h and 5m, 6x over 6h and 30m; ticket: 3x over 1d and 2h, 1x over 3d and 6h).

        """

    /// One indicator, as its rules name it.
    private struct Subject {
        var useCase: String
        var sli: String
        var service: String?
        var objective: Decimal
        var window: SLOWindow
        var good: PromQLWindow
        var total: PromQLWindow

        var budget: Decimal { 1 - objective }

        func recordingRule(_ window: String) -> Node {
            yamlMap([
                ("record", yamlText(SLORules.record(window))),
                ("expr", yamlText("1 - (\(good.over(window))) / (\(total.over(window)))")),
                ("labels", yamlMap([("use_case", yamlText(useCase)), ("sli", yamlText(sli))])),
            ])
        }

        func alertingRule(_ alert: BurnAlert, runbook: String?) -> Node {
            let threshold = alert.factor * budget
            let selector = "{use_case=\"\(useCase)\",sli=\"\(sli)\"}"
            let expr = "\(SLORules.record(alert.long))\(selector) > \(threshold) and \(SLORules.record(alert.short))\(selector) > \(threshold)"
            var labels = [("use_case", yamlText(useCase)), ("sli", yamlText(sli)), ("severity", yamlText(alert.severity))]
            if let service { labels.append(("service", yamlText(service))) }
            var annotations = [
                ("summary", yamlText("\(useCase) \(sli) burns its error budget \(alert.factor)x as fast as it may, over \(alert.long) and \(alert.short)")),
                (
                    "description",
                    yamlText(
                        "The error ratio is above \(threshold * 100)% over the last \(alert.long) and the last \(alert.short); the objective \(objective * 100)% over \(window) allows \(budget * 100)%."
                    )
                ),
            ]
            if let runbook { annotations.append(("runbook", yamlText(runbook))) }
            return yamlMap([("alert", yamlText(alert.name)), ("expr", yamlText(expr)), ("labels", yamlMap(labels)), ("annotations", yamlMap(annotations))])
        }
    }
}

/// A block mapping in this order.
private func yamlMap(_ pairs: [(String, Node)]) -> Node {
    .mapping(Node.Mapping(pairs.map { (yamlText($0.0), $0.1) }, Tag(.map), .block))
}

/// A string, quoted by the emitter only where YAML needs it.
private func yamlText(_ string: String) -> Node { Node(string, Tag(.str)) }
