public import Foundation
import GitStore

/// Where one SLO stands at a moment: events in its window (or, for a threshold SLI, readings,
/// each a step that is good when it meets the gauge's bound), budget consumed and left, burn
/// rates, and which policy thresholds are crossed.
public struct ErrorBudgetStatus: Sendable {
    public var useCase: String
    public var sli: String
    /// For a threshold SLI, the bound each reading must meet (`≤ 1200`); nil for an event SLI.
    public var readingBound: SLOCatalog.Bound?
    /// For a threshold SLI, the metric's unit (`ms`).
    public var unit: String?
    /// Good events / total events the SLO promises, 0.999.
    public var objective: Decimal
    /// 1 − objective: the share of events allowed to be bad.
    public var budget: Decimal
    public var window: SLOWindow
    /// From the window's start to the moment asked about.
    public var interval: DateInterval
    /// The policy the thresholds and actions come from, when the use case has one for this SLI.
    public var policy: ErrorBudgetPolicy?
    public var good: Decimal
    public var total: Decimal
    public var bad: Decimal { total - good }
    /// The end of the last imported step in the window.
    public var dataUntil: Date?
    /// Burn rates over the last 1 h, 6 h, 1 d and 3 d, and the whole window; nil where no
    /// imported step lies wholly inside that span.
    public var burnRates: [(span: BurnSpan, rate: Double?)]
    /// The policy thresholds reached, lowest first.
    public var crossed: [ErrorBudgetPolicy.BurnAlert]
    /// Nil when the window holds no events.
    public var colour: BudgetColour?
    /// Set when less than 10 % of the budget is left and it is not yet spent.
    public var caution: String?
    /// What the reader should know about the figures (no policy, data ending early, ...).
    public var notes: [String]
    /// A burn rate above this over 1 h, 6 h, 1 d or 3 d is an alert: the policy's
    /// `alert_burn_rate`, 2 without one.
    public var alertBurnRate: Decimal = ErrorBudgetPolicy.defaultAlertBurnRate
    /// Whether the policy's objective and window are this SLI's (its `sli:`, or the use case's
    /// first event-based indicator); the policy's thresholds apply to every SLI.
    public var isPolicySLI = false

    /// Events, or readings judged against a bound.
    public var kind: Kind { readingBound == nil ? .events : .threshold }

    public enum Kind: String, Sendable {
        case events, threshold
    }

    /// The spans (1 h, 6 h, 1 d, 3 d) whose burn rate is above `alertBurnRate`, shortest first.
    /// The window's own rate is left out: it is the budget consumed, which the thresholds judge.
    public var burnRateAlerts: [(span: BurnSpan, rate: Double)] {
        let limit = SLONumber.double(alertBurnRate)
        return burnRates.compactMap { span, rate in
            guard span != .window, let rate, rate > limit else { return nil }
            return (span, rate)
        }
    }

    /// Whether more than `share` of the budget is spent, compared exactly (bad > share × budget ×
    /// total), as the thresholds are.
    public func spentMoreThan(_ share: Decimal) -> Bool { total > 0 && bad > share * budget * total }

    /// bad / total; nil without events.
    public var errorRatio: Double? { total > 0 ? SLONumber.double(bad / total) : nil }
    /// bad / (budget × total) (docs/DESIGN.md §6): may pass 1.
    public var consumed: Double? { total > 0 && budget > 0 ? SLONumber.double(bad / (budget * total)) : nil }
    /// 1 − consumed: may go negative.
    public var remaining: Double? { consumed.map { 1 - $0 } }
    /// The actions of every threshold crossed, in the policy's order.
    public var actions: [String] { crossed.flatMap(\.actions) }
}

/// A span burn rates are measured over.
public enum BurnSpan: String, Sendable, CaseIterable {
    case hour = "1h", sixHours = "6h", day = "1d", threeDays = "3d", window

    /// Its length; nil for the window, whose length is the SLO's.
    public var seconds: TimeInterval? {
        switch self {
        case .hour: return 3600
        case .sixHours: return 6 * 3600
        case .day: return 86_400
        case .threeDays: return 3 * 86_400
        case .window: return nil
        }
    }
}

/// Green under the policy's lowest burn threshold, red once the budget is spent, yellow between.
public enum BudgetColour: String, Sendable {
    case green, yellow, red
}

/// Every SLO's status at one moment, and per use case the SLI that governs its release gate.
public struct SLOStatusReport: Sendable {
    public var at: Date
    public var zone: TimeZone
    public var slos: [ErrorBudgetStatus]
    /// Each use case with an SLO, in catalog order.
    public var useCases: [UseCaseBudget] = []
}

/// A use case's SLIs judged together, as `ops release check` judges them: the SLI with the
/// most of its budget spent governs.
public struct UseCaseBudget: Sendable {
    public var useCase: String
    public var policy: ErrorBudgetPolicy?
    /// Its SLIs with a budget, in catalog order.
    public var slis: [ErrorBudgetStatus]
    /// What the gate answers an ordinary release now (no `--change`); nil without a policy.
    public var verdict: ReleaseVerdict?

    init(useCase: String, policy: ErrorBudgetPolicy?, slis: [ErrorBudgetStatus], at: Date) {
        self.useCase = useCase
        self.policy = policy
        self.slis = slis
        verdict = policy.map { ReleaseGate.verdict(slis, policy: $0, claim: .init(), at: at) }
    }

    /// The SLI with the most of its budget consumed (the first of equals, in catalog order);
    /// nil when none has data.
    public var governing: ErrorBudgetStatus? { ReleaseGate.governing(slis) }
}

/// `ops slo status`: reads the catalog and policies (work tree) and the committed snapshots.
public struct SLOStatusService {
    /// Where the snapshots are read: HEAD, or the tree an import is about to commit.
    let tree: CommittedTree
    var workspace: Workspace { tree.workspace }

    public init(_ workspace: Workspace) { tree = CommittedTree(workspace) }

    init(tree: CommittedTree) { self.tree = tree }

    /// The status of every SLO with a budget (of `useCase` when given) as of `at`: each
    /// use case's event-based indicators and threshold SLIs, in catalog order, and per use case
    /// the SLI that governs its release gate.
    public func status(useCase: String? = nil, at: Date) throws -> SLOStatusReport {
        let config = try workspace.config()
        let catalog = try SLOCatalog.load(from: workspace)
        var useCases = catalog.useCases
        if let useCase {
            guard let found = catalog.useCase(useCase) else {
                throw OpsError.input("unknown use case '\(useCase)'. \(SLOCatalog.path) knows \(catalog.useCases.map(\.name).joined(separator: ", "))")
            }
            useCases = [found]
        }
        var slos: [ErrorBudgetStatus] = []
        var budgets: [UseCaseBudget] = []
        for entry in useCases {
            let policy = try ErrorBudgetPolicy.load(for: entry.name, from: workspace)
            let statuses = try self.statuses(of: entry, policy: policy, catalog: catalog, at: at, zone: config.timeZone)
            slos += statuses
            if !statuses.isEmpty {
                budgets.append(UseCaseBudget(useCase: entry.name, policy: policy, slis: statuses, at: at))
            }
        }
        return SLOStatusReport(at: at, zone: config.timeZone, slos: slos, useCases: budgets)
    }

    /// The statuses of one use case's SLIs with a budget, in catalog order. The policy's
    /// thresholds judge each; its objective and window are those of its `sli` (by default the
    /// first event-based indicator, or the first threshold SLI when there is none).
    func statuses(
        of entry: SLOCatalog.UseCase, policy: ErrorBudgetPolicy?, catalog: SLOCatalog, at: Date, zone: TimeZone
    ) throws -> [ErrorBudgetStatus] {
        let indicators = entry.budgetIndicators
        if let policy, let sli = policy.sli, entry.indicator(sli)?.hasBudget != true {
            throw OpsError.file(
                policy.path, line: nil,
                "sli `\(sli)` is not an indicator of \(entry.name) with an error budget in \(SLOCatalog.path) (objective and window)",
                fix: "Use one of \(indicators.map(\.name).joined(separator: ", "))")
        }
        let policySLI = policy?.sli ?? entry.eventIndicators.first?.name ?? indicators.first?.name
        var statuses: [ErrorBudgetStatus] = []
        // The use case's readings, read once for all its threshold SLIs: over the longest window.
        var readings: [SignalValue] = []
        let starts = indicators.filter { $0.readingBound != nil }.compactMap { $0.budgetObjective?.window.interval(endingAt: at, zone: zone).start }
        if let earliest = starts.min() {
            readings = try self.readings(useCase: entry.name, from: min(earliest, at.addingTimeInterval(-BurnSpan.threeDays.seconds!)), to: at)
        }
        for indicator in indicators {
            let states = policy != nil && indicator.name == policySLI
            let window = (states ? policy?.window : nil) ?? indicator.budgetObjective?.window ?? .rolling(days: 30)
            let start = window.interval(endingAt: at, zone: zone).start
            let from = min(start, at.addingTimeInterval(-BurnSpan.threeDays.seconds!))
            let steps: [EventCounts]
            if let bound = indicator.readingBound {
                // The policy may state a longer window than the catalog's: read that too.
                let values = from < (starts.min() ?? from) ? try self.readings(useCase: entry.name, from: from, to: at) : readings
                steps = Self.readingSteps(values, metric: indicator.name, bound: bound)
            } else {
                steps = try self.steps(useCase: entry.name, sli: indicator.name, from: from, to: at)
            }
            statuses.append(
                Self.status(
                    useCase: entry.name, indicator: indicator, policy: policy, statesObjective: states,
                    unit: catalog.metric(indicator.name)?.unit, steps: steps, at: at, zone: zone))
        }
        return statuses
    }

    /// The steps a status counts, read again for a chart: events, or readings as steps.
    func steps(of status: ErrorBudgetStatus, from start: Date, to end: Date) throws -> [EventCounts] {
        if let bound = status.readingBound {
            return Self.readingSteps(try readings(useCase: status.useCase, from: start, to: end), metric: status.sli, bound: bound)
        }
        return try steps(useCase: status.useCase, sli: status.sli, from: start, to: end)
    }

    /// The committed imported readings of a use case taken between `start` and `end` (not those
    /// of a check of checks.yaml, which carry a subject); only the week files of that period are read.
    func readings(useCase: String, from start: Date, to end: Date) throws -> [SignalValue] {
        var readings: [SignalValue] = []
        for path in try tree.paths(under: "\(SnapshotLayout.signalsFolder)/\(useCase)") where path.hasSuffix(".yaml") {
            if let week = SnapshotLayout.week(ofFile: path) {
                let days = week.interval(in: SnapshotLayout.utc)
                guard days.end > start, days.start <= end else { continue }
            }
            guard let text = try tree.text(path) else { continue }
            readings += try SignalSnapshot.parse(text, path: path).signals.filter { $0.subject == nil && $0.at >= start && $0.at <= end }
        }
        return readings
    }

    /// A threshold SLI's readings as steps: each reading of `metric` is a step of no length at
    /// its time, one event, good when it meets `bound`. `ucr_usd` without readings of its own is
    /// spend_usd / requests of each reading time with both.
    static func readingSteps(_ readings: [SignalValue], metric: String, bound: SLOCatalog.Bound) -> [EventCounts] {
        var values = readings.filter { $0.metric == metric }.map { (at: $0.at, value: $0.value) }
        if values.isEmpty, metric == "ucr_usd" {
            values = SignalsService.unitCosts(readings)
        }
        return values.sorted { $0.at < $1.at }.map { reading in
            EventCounts(start: reading.at, end: reading.at, good: bound.contains(reading.value) ? 1 : 0, total: 1)
        }
    }

    /// The committed steps of a use case's indicator that start between `start` and `end`, in
    /// time order; only the week files of that period are read.
    func steps(useCase: String, sli: String, from start: Date, to end: Date) throws -> [EventCounts] {
        var steps: [EventCounts] = []
        for path in try tree.paths(under: "\(SnapshotLayout.eventsFolder)/\(useCase)/\(sli)") where path.hasSuffix(".yaml") {
            if let week = SnapshotLayout.week(ofFile: path) {
                let days = week.interval(in: SnapshotLayout.utc)
                guard days.end > start, days.start < end else { continue }
            }
            guard let text = try tree.text(path) else { continue }
            steps += try EventSnapshot.parse(text, path: path).events
        }
        return steps.sorted { $0.start < $1.start }
    }

    /// The figures for one SLO from its steps. Only steps wholly inside a span count in it: a
    /// daily step says nothing about the last hour. `policy` is the use case's: its thresholds
    /// judge the SLO, and when `statesObjective` its objective and window are the SLO's.
    static func status(
        useCase: String, indicator: SLOCatalog.Indicator, policy: ErrorBudgetPolicy?, statesObjective: Bool = true,
        unit: String? = nil, steps: [EventCounts], at: Date, zone: TimeZone
    ) -> ErrorBudgetStatus {
        guard let (catalogObjective, catalogWindow) = indicator.budgetObjective else {
            preconditionFailure("status of a gauge indicator without an objective")
        }
        let objectivePolicy = statesObjective ? policy : nil
        let window = objectivePolicy?.window ?? catalogWindow
        let interval = window.interval(endingAt: at, zone: zone)
        let budget = objectivePolicy?.budgetRatio(over: window.period(endingAt: at, zone: zone)) ?? 1 - catalogObjective
        let objective = 1 - budget
        let readings = indicator.readingBound != nil
        var notes: [String] = []
        if let objectivePolicy {
            if objective != catalogObjective || window != catalogWindow {
                notes.append(
                    "\(objectivePolicy.path) says \(SLONumber.percentText(objective)) over \(window); \(SLOCatalog.path) says \(SLONumber.percentText(catalogObjective)) over \(catalogWindow). The policy's is used"
                )
            }
        } else if policy == nil {
            notes.append("no error-budget policy for \(indicator.name) (\(ErrorBudgetPolicy.path(for: useCase))): no burn thresholds or actions")
        }

        func sums(from start: Date) -> (good: Decimal, total: Decimal, count: Int) {
            var good: Decimal = 0, total: Decimal = 0, count = 0
            for step in steps where step.start >= start && step.end <= at {
                good += step.good
                total += step.total
                count += 1
            }
            return (good, total, count)
        }
        let inWindow = sums(from: interval.start)
        let dataUntil = steps.last { $0.start >= interval.start && $0.end <= at }?.end

        // Burn rate = error ratio / (1 − objective): how many times faster than the budget
        // allows it is being spent (The Site Reliability Workbook, ch. 5 "Alerting on SLOs").
        func burnRate(_ good: Decimal, _ total: Decimal) -> Double? {
            total > 0 && budget > 0 ? SLONumber.double((total - good) / total / budget) : nil
        }
        var rates: [(span: BurnSpan, rate: Double?)] = []
        for span in BurnSpan.allCases {
            if let seconds = span.seconds {
                let part = sums(from: at.addingTimeInterval(-seconds))
                rates.append((span, part.count > 0 ? burnRate(part.good, part.total) : nil))
            } else {
                rates.append((span, burnRate(inWindow.good, inWindow.total)))
            }
        }

        let bad = inWindow.total - inWindow.good
        let allowed = budget * inWindow.total
        // Thresholds compare exact decimals (bad ≥ at × budget × total), so 50 % is crossed at
        // exactly 50 % and not lost to binary rounding.
        let crossed = inWindow.total > 0 ? (policy?.burnAlerts.filter { bad >= $0.at * allowed } ?? []) : []
        var colour: BudgetColour?
        if inWindow.total > 0 {
            if bad >= allowed {
                colour = .red
            } else if let lowest = policy?.burnAlerts.first, bad >= lowest.at * allowed {
                colour = .yellow
            } else {
                colour = .green
            }
        }
        var status = ErrorBudgetStatus(
            useCase: useCase, sli: indicator.name, readingBound: indicator.readingBound, unit: readings ? unit : nil,
            objective: objective, budget: budget, window: window,
            interval: interval, policy: policy, good: inWindow.good, total: inWindow.total,
            dataUntil: dataUntil, burnRates: rates, crossed: crossed, colour: colour, caution: nil, notes: notes,
            alertBurnRate: policy?.effectiveAlertBurnRate ?? ErrorBudgetPolicy.defaultAlertBurnRate,
            isPolicySLI: objectivePolicy != nil)
        // Less than 10 % left (bad > 90 % of what is allowed), compared exactly like the thresholds.
        if let remaining = status.remaining, bad < allowed, bad > Decimal(string: "0.9")! * allowed {
            status.caution = "only \(SLONumber.percent(remaining)) of the error budget is left: one more incident can spend it"
        }
        if inWindow.total == 0 {
            status.notes.append(
                readings
                    ? "no imported readings of \(indicator.name) in the window; run `ops slo import --csv`"
                    : "no imported events in the window; run `ops slo import`")
        } else if let dataUntil, readings ? dataUntil < at.addingTimeInterval(-86_400) : dataUntil < at {
            // Readings are moments (daily ones at noon, say): only a gap of more than a day is news.
            status.notes.append(
                readings
                    ? "the last reading is from \(Timestamp.format(dataUntil)); later readings are not counted"
                    : "imported data ends \(Timestamp.format(dataUntil)); later events are not counted")
        }
        return status
    }
}
