public import Foundation
import Yams

/// `slo/catalog.yaml`: what each use case promises (its indicators, each with a target and a
/// direction), the metrics snapshots may carry with their units, and the thresholds drift,
/// data-quality and safety signals are judged by.
public struct SLOCatalog: Sendable {
    public static let path = "slo/catalog.yaml"
    static let knownKeys = ["version", "metrics", "use_cases", "thresholds"]

    /// Every metric a signal snapshot may carry, in file order.
    public var metrics: [Metric]
    public var useCases: [UseCase]
    /// Drift, data-quality and safety thresholds, for every use case.
    public var thresholds: [SignalThreshold]

    /// A metric and its unit; `route` is the ops.yaml channel purpose its breaches go to.
    public struct Metric: Sendable, Equatable {
        public var name: String
        public var unit: String
        public var route: String?
    }

    /// A use case and its indicators, in file order.
    public struct UseCase: Sendable {
        public var name: String
        public var indicators: [Indicator]

        public func indicator(_ name: String) -> Indicator? { indicators.first { $0.name == name } }

        /// The indicators counted from good and total events, which have an error budget.
        public var eventIndicators: [Indicator] { indicators.filter(\.isEventBased) }

        /// The SLIs with an error budget, in file order: the event-based indicators and the
        /// threshold SLIs (gauges with an objective and a window).
        public var budgetIndicators: [Indicator] { indicators.filter(\.hasBudget) }
    }

    /// One indicator of a use case: an event-based SLO (objective over a window) or a gauge
    /// with a bound (`at_most: 1200`), which is a threshold SLI when it also has an objective
    /// and a window (`{at_most: 1200, objective: 90%, window: rolling_30d}`).
    public struct Indicator: Sendable {
        public var name: String
        public var target: Target
        /// The OpenSLO object it was imported from, when it was.
        public var openSLO: String?
        /// The PromQL `ops slo pull` runs for good and total events per step (event-based only).
        public var queries: PromQLPair?
        public var line: Int?
        /// A gauge's error budget: the share of its readings that must meet its bound over the
        /// window. Nil for an event-based indicator (its objective is in `target`) and for a gauge
        /// that is only judged week by week (`ops signals status`).
        public var readingObjective: ReadingObjective?

        public var isEventBased: Bool { window != nil }

        /// Event-based, or a gauge with an objective: counted against an error budget.
        public var hasBudget: Bool { isEventBased || readingObjective != nil }

        /// The budget window of an event-based indicator.
        public var window: SLOWindow? {
            if case .events(_, let window) = target { return window }
            return nil
        }

        /// The objective and window of its error budget, whichever kind it is.
        public var budgetObjective: (objective: Decimal, window: SLOWindow)? {
            if case .events(let objective, let window) = target { return (objective, window) }
            return readingObjective.map { ($0.objective, $0.window) }
        }

        /// The bound a threshold SLI's readings must meet; nil for other indicators.
        public var readingBound: Bound? {
            guard readingObjective != nil, case .gauge(let bound) = target else { return nil }
            return bound
        }
    }

    /// A threshold SLI's objective: at least `objective` of the readings in `window` meet the
    /// gauge's bound. Each reading is a step, good when it meets the bound.
    public struct ReadingObjective: Sendable, Equatable {
        public var objective: Decimal
        public var window: SLOWindow

        public init(objective: Decimal, window: SLOWindow) {
            self.objective = objective
            self.window = window
        }
    }

    /// The good and total PromQL of an event-based indicator: each must return one series.
    public struct PromQLPair: Sendable, Equatable {
        public var good: String
        public var total: String

        public init(good: String, total: String) {
            self.good = good
            self.total = total
        }
    }

    public enum Target: Sendable, Equatable {
        /// Good events / total events must stay at or above `objective` over `window`.
        case events(objective: Decimal, window: SLOWindow)
        /// The metric's value must stay within `bound`.
        case gauge(Bound)
    }

    /// One side of a value: `at_least: 4.2`, `at_most: 1200`, `above: 20`, `below: 0.05`.
    public struct Bound: Sendable, Equatable, CustomStringConvertible {
        public var comparison: Comparison
        public var value: Decimal

        public init(_ comparison: Comparison, _ value: Decimal) {
            self.comparison = comparison
            self.value = value
        }

        /// True when `x` is on the bound's side: for a target, met; for a threshold, breached.
        public func contains(_ x: Decimal) -> Bool {
            switch comparison {
            case .atLeast: return x >= value
            case .atMost: return x <= value
            case .above: return x > value
            case .below: return x < value
            }
        }

        public var description: String { "\(comparison.symbol) \(value)" }
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case atLeast = "at_least", atMost = "at_most", above, below

        public var symbol: String {
            switch self {
            case .atLeast: return "≥"
            case .atMost: return "≤"
            case .above: return ">"
            case .below: return "<"
            }
        }
    }

    /// A drift, data-quality or safety threshold: when `metric` is within `condition`, `level`
    /// (alert, page, review, ticket) is due.
    public struct SignalThreshold: Sendable {
        public var metric: String
        public var condition: Condition
        public var level: String
        public var line: Int?
        /// Only the readings of this subject (a check of checks.yaml, `transactions.amount_usd`);
        /// nil: the metric's readings that have no subject.
        public var subject: String?
    }

    public enum Condition: Sendable, Equatable {
        case bound(Bound)
        /// The metric's mean fell by at least this much from its baseline.
        case dropAtLeast(Decimal)
    }

    public func useCase(_ name: String) -> UseCase? { useCases.first { $0.name == name } }

    /// A use case or indicator name: it becomes a folder name, so no dots, slashes or spaces.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 100 && text.first!.isASCII && (text.first!.isLetter || text.first!.isNumber)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
    public func metric(_ name: String) -> Metric? { metrics.first { $0.name == name } }

    // MARK: Loading

    /// Reads and checks the catalog; the first problem is thrown as `path:line: problem`.
    public static func load(_ text: String, path: String = SLOCatalog.path) throws -> SLOCatalog {
        var reader = CatalogReader(YAMLFieldReader(try YAMLText(text, path: path)))
        let catalog = reader.read()
        if let first = reader.fields.problems.first { throw OpsError(.input, first.message, at: first.location) }
        return catalog
    }

    /// Every problem in the catalog, checked against ops.yaml when it loads, for `ops lint`.
    public static func problems(in text: String, path: String = SLOCatalog.path, config: OpsConfig?) -> [Problem] {
        do {
            var reader = CatalogReader(YAMLFieldReader(try YAMLText(text, path: path)))
            let catalog = reader.read()
            var problems = reader.fields.problems
            if let config {
                for useCase in catalog.useCases where !config.useCases.isEmpty && !config.useCases.contains(useCase.name) {
                    problems.append(
                        Problem(
                            Location(path: path, line: reader.useCaseLines[useCase.name]),
                            "use case `\(useCase.name)` is not in ops.yaml's use_cases (\(config.useCases.joined(separator: ", ")))"))
                }
                for metric in catalog.metrics {
                    guard let route = metric.route, !config.channels.isEmpty, config.channels[route] == nil else { continue }
                    problems.append(
                        Problem(
                            Location(path: path, line: reader.metricLines[metric.name]),
                            "route `\(route)` of \(metric.name) is not a channel purpose in ops.yaml (\(config.channels.keys.sorted().joined(separator: ", ")))"
                        ))
                }
            }
            return problems
        } catch {
            return [Problem(error)]
        }
    }

    /// The catalog of the work tree (it is configuration, like ops.yaml), or a one-line error
    /// saying how to get one.
    public static func load(from workspace: Workspace) throws -> SLOCatalog {
        guard let text = try workspace.readWorkTreeFile(path) else {
            throw OpsError.input(
                "\(path) is missing: it says which use cases and indicators exist. Run `ops init --example` in a scratch folder and copy its \(path), or write one (see README, SLOs and error budgets)"
            )
        }
        return try load(text)
    }
}

/// Reads the catalog's fields with their lines.
private struct CatalogReader {
    var fields: YAMLFieldReader
    var useCaseLines: [String: Int] = [:]
    var metricLines: [String: Int] = [:]

    init(_ fields: YAMLFieldReader) { self.fields = fields }

    mutating func read() -> SLOCatalog {
        fields.flagUnknownKeys(SLOCatalog.knownKeys, what: SLOCatalog.path)
        if let version = fields.yaml["version"], version.scalarText != "1" {
            fields.flag(version, "version must be 1, the catalog format this ops reads")
        }
        let metrics = readMetrics()
        let useCases = readUseCases(metrics: metrics)
        let thresholds = readThresholds(metrics: metrics)
        return SLOCatalog(metrics: metrics, useCases: useCases, thresholds: thresholds)
    }

    private mutating func readMetrics() -> [SLOCatalog.Metric] {
        var metrics: [SLOCatalog.Metric] = []
        for (name, keyNode, value) in fields.entries(fields.yaml["metrics"], "metrics") {
            metricLines[name] = fields.line(keyNode)
            if let unit = value.scalarText, !unit.isEmpty {
                metrics.append(SLOCatalog.Metric(name: name, unit: unit, route: nil))
                continue
            }
            guard case .mapping(let map) = value else {
                fields.flag(value, "metric \(name) is {unit: ms, route: incidents} or just its unit")
                continue
            }
            for key in map.keys.compactMap(\.string) where !["unit", "route"].contains(key) {
                fields.flag(value, "unknown key `\(key)` in metric \(name); a metric has unit and route")
            }
            guard let unit = fields.text(map["unit"], "unit", required: true, parent: value) else { continue }
            metrics.append(SLOCatalog.Metric(name: name, unit: unit, route: fields.text(map["route"], "route")))
        }
        return metrics
    }

    private mutating func readUseCases(metrics: [SLOCatalog.Metric]) -> [SLOCatalog.UseCase] {
        guard fields.yaml["use_cases"] != nil else {
            fields.flag(nil, "`use_cases` is missing: list each use case and its indicators")
            return []
        }
        var useCases: [SLOCatalog.UseCase] = []
        for (name, keyNode, value) in fields.entries(fields.yaml["use_cases"], "use_cases") {
            useCaseLines[name] = fields.line(keyNode)
            guard SLOCatalog.isName(name) else {
                fields.flag(keyNode, "use case `\(name)` must be letters, digits, dash or underscore: it names folders under slo/snapshots")
                continue
            }
            var indicators: [SLOCatalog.Indicator] = []
            for (indicatorName, indicatorKey, spec) in fields.entries(value, name) {
                guard SLOCatalog.isName(indicatorName) else {
                    fields.flag(indicatorKey, "indicator `\(indicatorName)` must be letters, digits, dash or underscore: it names folders under slo/snapshots")
                    continue
                }
                if let indicator = readIndicator(indicatorName, spec, useCase: name, metrics: metrics, at: indicatorKey) {
                    indicators.append(indicator)
                }
            }
            useCases.append(SLOCatalog.UseCase(name: name, indicators: indicators))
        }
        return useCases
    }

    private mutating func readIndicator(
        _ name: String, _ spec: Node, useCase: String, metrics: [SLOCatalog.Metric],
        at keyNode: Node
    ) -> SLOCatalog.Indicator? {
        guard case .mapping(let map) = spec else {
            fields.flag(
                spec,
                "indicator \(useCase).\(name) is {objective: 99.9%, window: rolling_30d}, {at_most: 1200}, or {at_most: 1200, objective: 90%, window: rolling_30d}"
            )
            return nil
        }
        let keys = map.keys.compactMap(\.string)
        let allowed = ["objective", "window", "openslo", "note", "good_query", "total_query"] + SLOCatalog.Comparison.allCases.map(\.rawValue)
        for key in keys where !allowed.contains(key) {
            fields.flag(
                spec,
                "unknown key `\(key)` in \(useCase).\(name). Use objective and window, or one of at_least, at_most, above, below (with objective and window for a threshold SLI)"
            )
        }
        let line = fields.line(keyNode)
        let openSLO = fields.text(map["openslo"], "openslo")
        let bounds = SLOCatalog.Comparison.allCases.filter { map[$0.rawValue] != nil }
        if bounds.isEmpty, map["objective"] != nil || map["window"] != nil {
            guard let objectiveText = fields.text(map["objective"], "objective", required: true, parent: spec),
                let windowText = fields.text(map["window"], "window", required: true, parent: spec)
            else { return nil }
            guard let objective = ErrorBudgetPolicy.objective(objectiveText) else {
                fields.flag(map["objective"], "objective `\(objectiveText)` of \(useCase).\(name) is not a ratio below 100 %. Write it like 99.9%")
                return nil
            }
            guard let window = SLOWindow(windowText) else {
                fields.flag(map["window"], "window `\(windowText)` is not one of: \(SLOWindow.forms)")
                return nil
            }
            return SLOCatalog.Indicator(
                name: name, target: .events(objective: objective, window: window), openSLO: openSLO,
                queries: readQueries(map, spec: spec, indicator: "\(useCase).\(name)"), line: line)
        }
        for key in ["good_query", "total_query"] where map[key] != nil {
            fields.flag(
                map[key],
                "\(useCase).\(name) is a gauge, so it has no `\(key)`: only an indicator with objective and window is counted from good and total events")
        }
        guard bounds.count == 1, let comparison = bounds.first else {
            fields.flag(spec, "\(useCase).\(name) needs one target: objective and window (counted from events), or one of at_least, at_most, above, below")
            return nil
        }
        guard let metric = metrics.first(where: { $0.name == name }) else {
            fields.flag(keyNode, "\(useCase).\(name) is not a metric in `metrics`, so no import can carry it. Add it there with its unit")
            return nil
        }
        guard let value = boundValue(map[comparison.rawValue], metric: metric) else { return nil }
        var readingObjective: SLOCatalog.ReadingObjective?
        if map["objective"] != nil || map["window"] != nil {
            // A threshold SLI: its readings are its steps, good when they meet the bound.
            guard let objectiveText = fields.text(map["objective"], "objective", required: true, parent: spec),
                let windowText = fields.text(map["window"], "window", required: true, parent: spec)
            else { return nil }
            guard let objective = ErrorBudgetPolicy.objective(objectiveText) else {
                fields.flag(
                    map["objective"],
                    "objective `\(objectiveText)` of \(useCase).\(name) is not a ratio below 100 %: the share of readings that must meet \(comparison.rawValue): \(value). Write it like 90%"
                )
                return nil
            }
            guard let window = SLOWindow(windowText) else {
                fields.flag(map["window"], "window `\(windowText)` is not one of: \(SLOWindow.forms)")
                return nil
            }
            readingObjective = SLOCatalog.ReadingObjective(objective: objective, window: window)
        }
        return SLOCatalog.Indicator(
            name: name, target: .gauge(SLOCatalog.Bound(comparison, value)), openSLO: openSLO, line: line, readingObjective: readingObjective)
    }

    /// `good_query` and `total_query`: both or neither, each a non-empty PromQL string.
    private mutating func readQueries(_ map: Node.Mapping, spec: Node, indicator: String) -> SLOCatalog.PromQLPair? {
        let present = ["good_query", "total_query"].filter { map[$0] != nil }
        guard !present.isEmpty else { return nil }
        guard present.count == 2 else {
            let missing = present == ["good_query"] ? "total_query" : "good_query"
            fields.flag(map[present[0]], "\(indicator) has \(present[0]) but no \(missing): `ops slo pull` needs both")
            return nil
        }
        var queries: [String] = []
        for key in present {
            guard let node = map[key], let text = node.scalarText, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                fields.flag(map[key], "`\(key)` of \(indicator) must be a PromQL query in quotes, e.g. 'sum(increase(http_requests_total[1h]))'")
                continue
            }
            queries.append(text)
        }
        guard queries.count == 2 else { return nil }
        return SLOCatalog.PromQLPair(good: queries[0], total: queries[1])
    }

    private mutating func readThresholds(metrics: [SLOCatalog.Metric]) -> [SLOCatalog.SignalThreshold] {
        var thresholds: [SLOCatalog.SignalThreshold] = []
        for item in fields.list(at: "thresholds", shape: "`thresholds` is a list: - {metric: psi, at_least: 0.2, level: alert}") {
            guard let map = fields.mapping(item, shape: "a threshold is {metric: psi, at_least: 0.2, level: alert}") else { continue }
            guard let metricName = fields.text(map["metric"], "metric", required: true, parent: item),
                let level = fields.text(map["level"], "level", required: true, parent: item)
            else { continue }
            guard let metric = metrics.first(where: { $0.name == metricName }) else {
                fields.flag(item, "threshold on `\(metricName)`, which is not in `metrics`")
                continue
            }
            let conditions = SLOCatalog.Comparison.allCases.map(\.rawValue).filter { map[$0] != nil } + (map["drop_at_least"] != nil ? ["drop_at_least"] : [])
            guard conditions.count == 1, let key = conditions.first else {
                fields.flag(item, "a threshold has one of at_least, at_most, above, below or drop_at_least")
                continue
            }
            guard let value = boundValue(map[key], metric: metric) else { continue }
            let condition: SLOCatalog.Condition = SLOCatalog.Comparison(rawValue: key).map { .bound(SLOCatalog.Bound($0, value)) } ?? .dropAtLeast(value)
            thresholds.append(SLOCatalog.SignalThreshold(metric: metricName, condition: condition, level: level, line: fields.line(item)))
        }
        return thresholds
    }

    /// A bound's number; `60%` only for a metric measured as a ratio.
    private mutating func boundValue(_ node: Node?, metric: SLOCatalog.Metric) -> Decimal? {
        guard let text = fields.text(node, "target") else { return nil }
        guard let (value, percent) = SLONumber.ratio(text) else {
            fields.flag(node, "`\(text)` is not a number")
            return nil
        }
        if percent && metric.unit != "ratio" {
            fields.flag(node, "`\(text)` is a percent, but \(metric.name) is in \(metric.unit). Write the value in \(metric.unit)")
            return nil
        }
        return value
    }
}
