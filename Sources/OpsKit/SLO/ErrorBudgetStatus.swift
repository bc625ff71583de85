public import Foundation
import GitStore

/// Where one SLO (a use case's event-based indicator) stands at a moment: events in its
/// window, budget consumed and left, burn rates, and which policy thresholds are crossed.
public struct ErrorBudgetStatus: Sendable {
    public var useCase: String
    public var sli: String
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

/// Every SLO's status at one moment.
public struct SLOStatusReport: Sendable {
    public var at: Date
    public var zone: TimeZone
    public var slos: [ErrorBudgetStatus]
}

/// `ops slo status`: reads the catalog and policies (work tree) and the committed snapshots.
public struct SLOStatusService {
    let workspace: Workspace
    /// Where the snapshots are read: HEAD, or the tree an import is about to commit.
    let tree: CommittedTree

    public init(_ workspace: Workspace) { self.init(workspace, tree: CommittedTree(workspace)) }

    init(_ workspace: Workspace, tree: CommittedTree) {
        self.workspace = workspace
        self.tree = tree
    }

    /// The status of every event-based SLO (of `useCase` when given) as of `at`.
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
        for entry in useCases {
            let policy = try ErrorBudgetPolicy.load(for: entry.name, from: workspace)
            let indicators = entry.eventIndicators
            if let policy, let sli = policy.sli, entry.indicator(sli)?.isEventBased != true {
                throw OpsError.file(
                    policy.path, line: nil, "sli `\(sli)` is not an event-based indicator of \(entry.name) in \(SLOCatalog.path)",
                    fix: "Use one of \(indicators.map(\.name).joined(separator: ", "))")
            }
            for indicator in indicators {
                let applies = policy.map { ($0.sli ?? indicators.first?.name) == indicator.name } ?? false
                let window = (applies ? policy?.window : nil) ?? indicator.window ?? .rolling(days: 30)
                let start = window.interval(endingAt: at, zone: config.timeZone).start
                let steps = try self.steps(
                    useCase: entry.name, sli: indicator.name,
                    from: min(start, at.addingTimeInterval(-BurnSpan.threeDays.seconds!)), to: at)
                slos.append(
                    Self.status(
                        useCase: entry.name, indicator: indicator, policy: applies ? policy : nil,
                        steps: steps, at: at, zone: config.timeZone))
            }
        }
        return SLOStatusReport(at: at, zone: config.timeZone, slos: slos)
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
    /// daily step says nothing about the last hour.
    static func status(
        useCase: String, indicator: SLOCatalog.Indicator, policy: ErrorBudgetPolicy?,
        steps: [EventCounts], at: Date, zone: TimeZone
    ) -> ErrorBudgetStatus {
        guard case .events(let catalogObjective, let catalogWindow) = indicator.target else {
            preconditionFailure("status of a gauge indicator")
        }
        let window = policy?.window ?? catalogWindow
        let interval = window.interval(endingAt: at, zone: zone)
        let budget = policy?.budgetRatio(over: window.period(endingAt: at, zone: zone)) ?? 1 - catalogObjective
        let objective = 1 - budget
        var notes: [String] = []
        if let policy {
            if objective != catalogObjective || window != catalogWindow {
                notes.append(
                    "\(policy.path) says \(SLONumber.percentText(objective)) over \(window); \(SLOCatalog.path) says \(SLONumber.percentText(catalogObjective)) over \(catalogWindow). The policy's is used"
                )
            }
        } else {
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
            useCase: useCase, sli: indicator.name, objective: objective, budget: budget, window: window,
            interval: interval, policy: policy, good: inWindow.good, total: inWindow.total,
            dataUntil: dataUntil, burnRates: rates, crossed: crossed, colour: colour, caution: nil, notes: notes)
        // Less than 10 % left (bad > 90 % of what is allowed), compared exactly like the thresholds.
        if let remaining = status.remaining, bad < allowed, bad > Decimal(string: "0.9")! * allowed {
            status.caution = "only \(SLONumber.percent(remaining)) of the error budget is left: one more incident can spend it"
        }
        if inWindow.total == 0 {
            status.notes.append("no imported events in the window; run `ops slo import`")
        } else if let dataUntil, dataUntil < at {
            status.notes.append("imported data ends \(Timestamp.format(dataUntil)); later events are not counted")
        }
        return status
    }
}
