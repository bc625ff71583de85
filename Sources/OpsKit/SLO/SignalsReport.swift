public import Foundation
import GitStore

/// The kinds of signal a check belongs to, in the order they are reported.
public enum SignalArea: String, Sendable, CaseIterable, Comparable {
    case drift, dataQuality = "data_quality", safety, cost, reliability, other

    /// How a person reads it.
    public var label: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    /// Statistical tests of the input distribution are drift; every other metric goes by the
    /// ops.yaml channel purpose the catalog routes it to.
    static func of(metric: String, route: String?) -> SignalArea {
        if ["psi", "ks_pvalue", "topk_shift", "mean_drop"].contains(metric) { return .drift }
        if route == nil, ["null_rows", "duplicate_rows", "invalid_rows"].contains(metric) { return .dataQuality }
        switch route {
        case "data_quality": return .dataQuality
        case "safety": return .safety
        case "cost": return .cost
        case "incidents": return .reliability
        default: return .other
        }
    }

    public static func < (a: SignalArea, b: SignalArea) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// One judgement of a week's readings of a metric: against a use case's target, a catalog
/// threshold (the strictest crossed of those on the same side), or a drop from the baseline.
public struct SignalCheck: Sendable {
    public enum Kind: String, Sendable {
        /// The use case's indicator target (`latency_p95_ms: {at_most: 1200}`): level `target`.
        case target
        /// A catalog threshold (`- {metric: psi, at_least: 0.3, level: page}`).
        case threshold
        /// The week's mean fell from the baseline's (`drop_at_least: 0.3`).
        case drop
    }

    public var area: SignalArea
    public var metric: String
    /// The check of checks.yaml the readings are of (`transactions.amount_usd`); nil for
    /// imported readings.
    public var subject: String?
    public var unit: String
    public var kind: Kind
    /// The worst reading of the week; for unit cost, spend / requests over the week; for a drop,
    /// the week's mean.
    public var value: Decimal
    /// When the worst reading was taken; nil for a weekly figure.
    public var at: Date?
    /// For a drop: the baseline's mean (the previous week's).
    public var baseline: Decimal?
    /// The side of the threshold that is a breach: `above 1200`, `at_least 0.3`, `drop_at_least 0.3`.
    public var breachWhen: (comparison: String, value: Decimal)
    public var level: String
    public var breached: Bool
    public var readings: Int
    /// Readings on the breach side of the threshold shown (days over target, for unit cost).
    public var breachingReadings: Int
    /// The ops.yaml channel purpose (`cost`) and the channel it names (`#finops`).
    public var route: String?
    public var channel: String?

    /// The metric, and what it is of for a check's readings: `psi of transactions.amount_usd`.
    public var label: String { subject.map { "\(metric) of \($0)" } ?? metric }

    /// `> 1200`, `≥ 0.3`, `drop ≥ 0.3`.
    public var breachText: String {
        let symbol = SLOCatalog.Comparison(rawValue: breachWhen.comparison)?.symbol ?? "drop ≥"
        return "\(symbol) \(SignalFormat.value(breachWhen.value, unit: unit))"
    }
}

/// Unit cost per request over a week: spend / requests, summed first (never an average of
/// daily ratios), and its change against the previous week.
public struct UnitCost: Sendable {
    public var spend: Decimal
    public var requests: Decimal
    public var target: Decimal?
    public var previous: Decimal?

    public var ucr: Decimal { spend / requests }
    /// (this week − previous) / previous; nil without a previous week.
    public var change: Double? {
        guard let previous, previous > 0 else { return nil }
        return SLONumber.double((ucr - previous) / previous)
    }
}

/// One use case's signals for a week.
public struct UseCaseSignals: Sendable {
    public var useCase: String
    public var readings: Int
    /// Sorted by area, then as the catalog lists them.
    public var checks: [SignalCheck]
    public var unitCost: UnitCost?
    /// Metrics the catalog judges that the week has no readings of.
    public var missing: [String]
    public var notes: [String]

    public var breaches: [SignalCheck] { checks.filter(\.breached) }
}

/// `ops signals status`: drift, data quality, safety and cost for one ISO week (UTC, as the
/// snapshots are filed), with each breach's threshold and channel.
public struct SignalsReport: Sendable {
    public var week: ISOWeek
    /// The week changes and drops are measured against.
    public var baselineWeek: ISOWeek
    public var zone: TimeZone
    public var useCases: [UseCaseSignals]

    public var interval: DateInterval { week.interval(in: SnapshotLayout.utc) }
}

/// Reads the catalog and ops.yaml (work tree) and the committed signal snapshots.
public struct SignalsService {
    /// Where the snapshots are read: HEAD, or the tree an import is about to commit.
    let tree: CommittedTree
    var workspace: Workspace { tree.workspace }

    public init(_ workspace: Workspace) { tree = CommittedTree(workspace) }

    init(tree: CommittedTree) { self.tree = tree }

    /// The signals of `week` (default: the latest week imported, up to the current one) for every
    /// use case in the catalog, or `useCase`.
    public func status(week text: String? = nil, useCase: String? = nil) throws -> SignalsReport {
        let config = try workspace.config()
        let catalog = try SLOCatalog.load(from: workspace)
        var useCases = catalog.useCases.map(\.name)
        if let useCase {
            guard catalog.useCase(useCase) != nil else {
                throw OpsError.input("unknown use case '\(useCase)'. \(SLOCatalog.path) knows \(useCases.joined(separator: ", "))")
            }
            useCases = [useCase]
        }
        let checks = try workspace.readWorkTreeFile(ChecksConfig.path) == nil ? nil : try ChecksConfig.load(from: workspace)
        let week: ISOWeek
        if let text {
            guard let parsed = ISOWeek(text.trimmingCharacters(in: .whitespaces)) else {
                throw OpsError.input("'\(text)' is not an ISO week. Write it like 2026-W47")
            }
            week = parsed
        } else {
            week = try latestWeek(of: useCases)
        }
        let previous = week.adding(weeks: -1, zone: SnapshotLayout.utc)
        var report = SignalsReport(week: week, baselineWeek: previous, zone: config.timeZone, useCases: [])
        for name in useCases {
            report.useCases.append(
                Self.evaluate(
                    name, catalog: catalog, channels: config.channels,
                    readings: try readings(name, week), baseline: try readings(name, previous),
                    baselineWeek: previous, checkThresholds: checks?.thresholds(of: name) ?? []))
        }
        return report
    }

    /// The latest week with a committed signal snapshot of one of `useCases`, not after the
    /// current one; the current week when there is none.
    private func latestWeek(of useCases: [String]) throws -> ISOWeek {
        let now = SnapshotLayout.week(of: workspace.clock())
        let weeks = try workspace.committedFiles(under: SnapshotLayout.signalsFolder).compactMap { file -> ISOWeek? in
            let parts = file.path.split(separator: "/")
            guard parts.count >= 2, useCases.contains(String(parts[parts.count - 2])) else { return nil }
            return SnapshotLayout.week(ofFile: file.path)
        }
        return weeks.filter { $0 <= now }.max() ?? now
    }

    private func readings(_ useCase: String, _ week: ISOWeek) throws -> [SignalValue] {
        let path = SnapshotLayout.signalsPath(useCase: useCase, week: week)
        guard let text = try tree.text(path) else { return [] }
        return try SignalSnapshot.parse(text, path: path).signals
    }

    // MARK: Judging a week

    /// The checks of one use case's week: its gauge indicators' targets, the catalog thresholds,
    /// drops from the baseline week's mean, and unit cost. Pure, for tests.
    static func evaluate(
        _ useCase: String, catalog: SLOCatalog, channels: [String: String], readings: [SignalValue],
        baseline: [SignalValue], baselineWeek: ISOWeek, checkThresholds: [SLOCatalog.SignalThreshold] = []
    ) -> UseCaseSignals {
        // Readings of checks.yaml's checks are judged per subject, by the check's own levels.
        let byMetric = Dictionary(grouping: readings.filter { $0.subject == nil }, by: \.metric)
        let baselineByMetric = Dictionary(grouping: baseline.filter { $0.subject == nil }, by: \.metric)
        var checks: [SignalCheck] = []
        var missing: [String] = []
        var notes: [String] = []

        func route(_ metric: String) -> (unit: String, route: String?, channel: String?, area: SignalArea) {
            let entry = catalog.metric(metric)
            let route = entry?.route ?? (SignalArea.of(metric: metric, route: nil) == .other ? nil : "data_quality")
            return (entry?.unit ?? "", route, route.flatMap { channels[$0] }, SignalArea.of(metric: metric, route: route))
        }
        // A metric a check of checks.yaml measures is not missing, though no import carries it.
        let measured = Set(readings.filter { $0.subject != nil }.map(\.metric))
        func noteMissing(_ metric: String) { if !missing.contains(metric), !measured.contains(metric) { missing.append(metric) } }

        // Unit cost: from spend and requests when the week has both.
        let indicators = catalog.useCase(useCase)?.indicators ?? []
        var unitCost = Self.unitCost(byMetric)
        if var cost = unitCost {
            if case .gauge(let bound)? = indicators.first(where: { $0.name == "ucr_usd" })?.target { cost.target = bound.value }
            cost.previous = Self.unitCost(baselineByMetric)?.ucr
            if cost.previous == nil { notes.append("no \(baselineWeek) spend and requests: unit cost has no week to compare with") }
            unitCost = cost
        }

        // Targets of the use case's gauge indicators.
        for indicator in indicators {
            guard case .gauge(let bound) = indicator.target else { continue }
            let info = route(indicator.name)
            let breach = SLOCatalog.Bound(bound.comparison.opposite, bound.value)
            if indicator.name == "ucr_usd", let cost = unitCost, byMetric["ucr_usd"] == nil {
                let days = Self.dailyUnitCosts(byMetric)
                checks.append(
                    SignalCheck(
                        area: info.area, metric: indicator.name, subject: nil, unit: info.unit, kind: .target, value: cost.ucr, at: nil,
                        baseline: nil, breachWhen: (breach.comparison.rawValue, breach.value), level: "target",
                        breached: breach.contains(cost.ucr), readings: days.count,
                        breachingReadings: days.filter(breach.contains).count,
                        route: info.route, channel: info.channel))
                continue
            }
            guard let values = byMetric[indicator.name], !values.isEmpty else { noteMissing(indicator.name); continue }
            checks.append(
                Self.check(
                    values, against: [(breach, "target")], kind: .target, unit: info.unit, area: info.area,
                    route: info.route, channel: info.channel))
        }

        // Catalog thresholds: those on the same metric and side are one check, reported at the
        // strictest crossed (PSI 0.34 is a page, not also an alert).
        var groups: [(metric: String, upward: Bool, bounds: [(SLOCatalog.Bound, String)])] = []
        for threshold in catalog.thresholds where threshold.subject == nil {
            switch threshold.condition {
            case .bound(let bound):
                let upward = bound.comparison.breachesUpward
                if let index = groups.firstIndex(where: { $0.metric == threshold.metric && $0.upward == upward }) {
                    groups[index].bounds.append((bound, threshold.level))
                } else {
                    groups.append((threshold.metric, upward, [(bound, threshold.level)]))
                }
            case .dropAtLeast(let amount):
                let info = route(threshold.metric)
                guard let values = byMetric[threshold.metric], !values.isEmpty else { noteMissing(threshold.metric); continue }
                guard let before = baselineByMetric[threshold.metric], !before.isEmpty else {
                    notes.append("no \(baselineWeek) readings of \(threshold.metric): its drop ≥ \(amount) has no baseline")
                    continue
                }
                let mean = Self.mean(values), baselineMean = Self.mean(before)
                checks.append(
                    SignalCheck(
                        area: info.area, metric: threshold.metric, subject: nil, unit: info.unit, kind: .drop, value: mean, at: nil,
                        baseline: baselineMean, breachWhen: ("drop_at_least", amount), level: threshold.level,
                        breached: baselineMean - mean >= amount, readings: values.count,
                        breachingReadings: values.filter { baselineMean - $0.value >= amount }.count,
                        route: info.route, channel: info.channel))
            }
        }
        for group in groups {
            let info = route(group.metric)
            guard let values = byMetric[group.metric], !values.isEmpty else { noteMissing(group.metric); continue }
            // Least strict first: the one a value reaches first on its way to a breach.
            let bounds = group.bounds.sorted { group.upward ? $0.0.value < $1.0.value : $0.0.value > $1.0.value }
            checks.append(
                Self.check(
                    values, against: bounds, kind: .threshold, unit: info.unit, area: info.area,
                    route: info.route, channel: info.channel))
        }

        checks += subjectChecks(readings.filter { $0.subject != nil }, catalog: catalog, checkThresholds: checkThresholds, route: route)

        let order = Dictionary(uniqueKeysWithValues: catalog.metrics.enumerated().map { ($1.name, $0) })
        checks = checks.enumerated().sorted { a, b in
            (a.element.area, order[a.element.metric] ?? .max, a.element.subject ?? "", a.offset)
                < (b.element.area, order[b.element.metric] ?? .max, b.element.subject ?? "", b.offset)
        }.map(\.element)
        return UseCaseSignals(
            useCase: useCase, readings: readings.count, checks: checks, unitCost: unitCost,
            missing: missing.sorted { (order[$0] ?? .max, $0) < (order[$1] ?? .max, $1) }, notes: notes)
    }

    /// One check per metric and subject of checks.yaml's readings, judged by the levels of the
    /// check with that subject; a check no longer in checks.yaml by the catalog's thresholds of
    /// its metric.
    private static func subjectChecks(
        _ readings: [SignalValue], catalog: SLOCatalog, checkThresholds: [SLOCatalog.SignalThreshold],
        route: (String) -> (unit: String, route: String?, channel: String?, area: SignalArea)
    ) -> [SignalCheck] {
        var groups: [(metric: String, subject: String, values: [SignalValue])] = []
        for reading in readings {
            if let index = groups.firstIndex(where: { $0.metric == reading.metric && $0.subject == reading.subject }) {
                groups[index].values.append(reading)
            } else {
                groups.append((reading.metric, reading.subject!, [reading]))
            }
        }
        return groups.compactMap { group in
            var thresholds = checkThresholds.filter { $0.metric == group.metric && $0.subject == group.subject }
            if thresholds.isEmpty { thresholds = catalog.thresholds.filter { $0.metric == group.metric && $0.subject == nil } }
            let bounds = thresholds.compactMap { threshold -> (SLOCatalog.Bound, String)? in
                if case .bound(let bound) = threshold.condition { return (bound, threshold.level) }
                return nil
            }
            guard let first = bounds.first else { return nil }
            let upward = first.0.comparison.breachesUpward
            let sorted = bounds.filter { $0.0.comparison.breachesUpward == upward }
                .sorted { upward ? $0.0.value < $1.0.value : $0.0.value > $1.0.value }
            let info = route(group.metric)
            var check = Self.check(
                group.values, against: sorted, kind: .threshold, unit: group.values[0].unit, area: info.area, route: info.route,
                channel: info.channel)
            check.subject = group.subject
            return check
        }
    }

    /// The worst reading against `bounds` (breach sides, least strict first): the check reports
    /// the strictest bound it crosses, or the least strict when it crosses none.
    private static func check(
        _ values: [SignalValue], against bounds: [(SLOCatalog.Bound, String)], kind: SignalCheck.Kind,
        unit: String, area: SignalArea, route: String?, channel: String?
    ) -> SignalCheck {
        let upward = bounds[0].0.comparison.breachesUpward
        // The latest of equally bad readings, so the date shown is the most recent.
        let worst = values.max { a, b in
            a.value == b.value ? a.at < b.at : (upward ? a.value < b.value : a.value > b.value)
        }!
        let shown = bounds.last { $0.0.contains(worst.value) } ?? bounds[0]
        return SignalCheck(
            area: area, metric: worst.metric, subject: nil, unit: unit, kind: kind, value: worst.value, at: worst.at, baseline: nil,
            breachWhen: (shown.0.comparison.rawValue, shown.0.value), level: shown.1, breached: shown.0.contains(worst.value),
            readings: values.count, breachingReadings: values.filter { shown.0.contains($0.value) }.count,
            route: route, channel: channel)
    }

    /// Spend and requests summed over the readings taken at times that have both.
    private static func unitCost(_ byMetric: [String: [SignalValue]]) -> UnitCost? {
        let pairs = pairedCost(byMetric)
        let spend = pairs.reduce(Decimal(0)) { $0 + $1.spend }, requests = pairs.reduce(Decimal(0)) { $0 + $1.requests }
        guard requests > 0 else { return nil }
        return UnitCost(spend: spend, requests: requests, target: nil, previous: nil)
    }

    /// Unit cost of each reading time with both spend and requests.
    private static func dailyUnitCosts(_ byMetric: [String: [SignalValue]]) -> [Decimal] {
        pairedCost(byMetric).filter { $0.requests > 0 }.map { $0.spend / $0.requests }
    }

    /// Unit cost (spend_usd / requests) at each reading time of `readings` with both: the
    /// readings of a threshold SLI on `ucr_usd` when no import carries it.
    static func unitCosts(_ readings: [SignalValue]) -> [(at: Date, value: Decimal)] {
        let requests = Dictionary(readings.filter { $0.metric == "requests" }.map { ($0.at, $0.value) }, uniquingKeysWith: +)
        return readings.filter { $0.metric == "spend_usd" }.sorted { $0.at < $1.at }.compactMap { spend in
            guard let count = requests[spend.at], count > 0 else { return nil }
            return (spend.at, spend.value / count)
        }
    }

    private static func pairedCost(_ byMetric: [String: [SignalValue]]) -> [(spend: Decimal, requests: Decimal)] {
        let requests = Dictionary((byMetric["requests"] ?? []).map { ($0.at, $0.value) }, uniquingKeysWith: +)
        return (byMetric["spend_usd"] ?? []).sorted { $0.at < $1.at }.compactMap { spend in
            requests[spend.at].map { (spend.value, $0) }
        }
    }

    private static func mean(_ values: [SignalValue]) -> Decimal {
        values.reduce(Decimal(0)) { $0 + $1.value } / Decimal(values.count)
    }
}

extension SLOCatalog.Comparison {
    /// The other side of a bound: a target `at_most 1200` is breached `above 1200`.
    var opposite: SLOCatalog.Comparison {
        switch self {
        case .atLeast: return .below
        case .atMost: return .above
        case .above: return .atMost
        case .below: return .atLeast
        }
    }

    /// True when larger values cross it (`at_least`, `above`).
    var breachesUpward: Bool { self == .atLeast || self == .above }
}

/// Signal values as a person reads them: ratios as percents, money and times with their unit.
public enum SignalFormat {
    public static func value(_ value: Decimal, unit: String) -> String {
        switch unit {
        case "ratio": return SLONumber.percent(SLONumber.double(value), digits: 2)
        case "usd": return "\(rounded(value, 6)) USD"
        case "ms", "min": return "\(rounded(value, 2)) \(unit)"
        // A p-value of 6.6e-07 is not 0: three significant digits.
        case "p": return String(format: "%.3g", SLONumber.double(value))
        default: return "\(rounded(value, 4))"
        }
    }

    static func rounded(_ value: Decimal, _ scale: Int) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, scale, .plain)
        return result
    }
}
