public import Foundation

/// What an error-budget policy would have done over a use case's imported events: the
/// thresholds it crossed and the release freezes it imposed, judged at every step end.
///
/// The rules (README, Error-budget policies, "Replaying a policy"):
/// - At each moment `since + k × step` (k = 1, 2, … up to `until`) the budget is judged exactly as
///   `ops slo status --at` that moment judges it (`SLOStatusService.status`): the events of the
///   policy's window as of then, each step counted once it has ended.
/// - A threshold is crossed at the first moment its consumption is reached after a moment it was
///   not (or at the first moment of the replay).
/// - A freeze is a threshold whose actions freeze releases (as `ops release check` reads them).
///   It starts at the first moment consumption reaches that threshold and ends at the first
///   moment it is below it again; its length is end − start. One still on at the last moment is
///   "still frozen", its length counted to that moment.
/// - A calendar window (`calendar_month`, `iso_week`) starts empty: at its first boundary the
///   moment that ends the old period still judges the old period, the next moment judges only the
///   new period's events, so a freeze made by last month's events ends then unless the new
///   month's own events keep it.
/// - A gap in the data counts no events, good or bad: consumption is of the events imported. A
///   moment whose window holds no events at all crosses nothing and freezes nothing, as the
///   release gate lets a release through then. Gaps are listed so the reader can see them.
public struct PolicyReplay: Sendable {
    public var useCase: String
    public var sli: String
    /// The policy file replayed: `policies/<use_case>.yaml` or the proposed file as named.
    public var policyPath: String
    public var window: SLOWindow
    /// The budget (1 − objective) as of the last moment.
    public var budget: Decimal?
    /// The replay covers `since` to `until`; the first moment judged is `since + step`.
    public var since: Date
    public var until: Date
    public var step: TimeInterval
    /// Every moment judged, in time order.
    public var moments: [Date]
    public var crossings: [Crossing]
    public var freezes: [Freeze]
    /// False for a policy that only alerts (`error_budget_policy: alert`): its freezes are what
    /// its thresholds call for, and no release was frozen, as `ops release check` answers.
    public var enforced = true
    /// Time any release was frozen.
    public var frozenSeconds: TimeInterval
    /// Time every release was frozen (a full freeze, `feature_freeze_all`).
    public var fullyFrozenSeconds: TimeInterval
    /// Periods inside the replay with no imported step.
    public var gaps: [DateInterval]
    /// What the reader should know (no events imported, ...).
    public var notes: [String]

    /// A threshold reached at a moment.
    public struct Crossing: Sendable, Equatable {
        public var at: Date
        /// Budget consumed at that moment: may pass 1.
        public var consumed: Double
        /// 0.5 for `at: 50%`.
        public var threshold: Decimal
        public var actions: [String]
    }

    /// Releases frozen by one threshold's freeze action, from `start` to `end`.
    public struct Freeze: Sendable, Equatable {
        public var scope: ReleaseFreeze.Scope
        /// The action as the policy writes it (`freeze_noncritical_releases`).
        public var action: String
        public var threshold: Decimal
        public var start: Date
        /// Nil while still frozen at the last moment judged.
        public var end: Date?
        /// end − start, or last moment − start while still frozen.
        public var seconds: TimeInterval
    }

    /// The most moments one replay judges: a year by the minute is not a question anyone asks,
    /// and the bound keeps a typo in `--step` from running for hours.
    public static let maximumMoments = 50_000

    /// Replays `policy` over `steps` (sorted by start, not overlapping) of `indicator`.
    static func replay(
        policy: ErrorBudgetPolicy, indicator: SLOCatalog.Indicator, steps: [EventCounts],
        since: Date, until: Date, step: TimeInterval, zone: TimeZone
    ) -> PolicyReplay {
        var replay = PolicyReplay(
            useCase: policy.useCase, sli: indicator.name, policyPath: policy.path, window: policy.window, budget: nil,
            since: since, until: until, step: step, moments: [], crossings: [], freezes: [], frozenSeconds: 0,
            fullyFrozenSeconds: 0, gaps: gaps(in: steps, from: since, to: until), notes: [])
        let count = Int(((until.timeIntervalSince(since)) / step).rounded(.down))
        replay.moments = (0..<max(count, 0)).map { since.addingTimeInterval(Double($0 + 1) * step) }
        if steps.isEmpty {
            replay.notes.append("no imported events for \(policy.useCase) \(indicator.name); run `ops slo import`")
        } else if case .rolling(let days) = policy.window, let first = replay.moments.first,
            steps[0].start > first.addingTimeInterval(-Double(days) * 86_400)
        {
            // Early moments judge a window that is mostly before the history: fewer events, so
            // a few bad ones weigh more than they will once the window is full.
            let full = steps[0].start.addingTimeInterval(Double(days) * 86_400)
            replay.notes.append(
                "imported events start \(Timestamp.format(steps[0].start)): until \(Timestamp.format(full)) the \(policy.window) window holds less than \(days) days of them"
            )
        }

        if policy.mode == .alert {
            replay.enforced = false
            replay.notes.append(
                "\(policy.path) only alerts (error_budget_policy: alert): the freezes listed are what its thresholds call for, reported and not enforced, so no release was frozen"
            )
        }
        var crossed: Set<Decimal> = []
        var open: [Decimal: Int] = [:]  // threshold → index of its open freeze
        var previous: (moment: Date, scope: ReleaseFreeze.Scope)?
        for moment in replay.moments {
            let status = SLOStatusService.status(
                useCase: policy.useCase, indicator: indicator, policy: policy,
                steps: Array(slice(steps, from: lookBack(policy.window, at: moment, zone: zone), to: moment)), at: moment, zone: zone)
            replay.budget = status.budget
            let now = Set(status.crossed.map(\.at))
            for alert in status.crossed where !crossed.contains(alert.at) {
                replay.crossings.append(Crossing(at: moment, consumed: status.consumed ?? 0, threshold: alert.at, actions: alert.actions))
            }
            for alert in policy.burnAlerts {
                let freeze = ReleaseFreeze(crossed: [alert])
                guard freeze.scope > .none, let action = freeze.action else { continue }
                if now.contains(alert.at), open[alert.at] == nil {
                    open[alert.at] = replay.freezes.count
                    replay.freezes.append(Freeze(scope: freeze.scope, action: action, threshold: alert.at, start: moment, end: nil, seconds: 0))
                } else if !now.contains(alert.at), let index = open.removeValue(forKey: alert.at) {
                    replay.freezes[index].end = moment
                    replay.freezes[index].seconds = moment.timeIntervalSince(replay.freezes[index].start)
                }
            }
            // The state judged at one moment holds until the next.
            if replay.enforced, let previous {
                let span = moment.timeIntervalSince(previous.moment)
                if previous.scope > .none { replay.frozenSeconds += span }
                if previous.scope == .all { replay.fullyFrozenSeconds += span }
            }
            previous = (moment, ReleaseFreeze(crossed: status.crossed).scope)
            crossed = now
        }
        if let last = replay.moments.last {
            for index in open.values { replay.freezes[index].seconds = last.timeIntervalSince(replay.freezes[index].start) }
        }
        return replay
    }

    /// The earliest step start the status at `moment` reads: its window's, or three days back for
    /// the burn rates, whichever is earlier.
    private static func lookBack(_ window: SLOWindow, at moment: Date, zone: TimeZone) -> Date {
        min(window.interval(endingAt: moment, zone: zone).start, moment.addingTimeInterval(-BurnSpan.threeDays.seconds!))
    }

    /// The steps starting in `[start, end)`, found by binary search so a long history is not
    /// scanned once per moment.
    static func slice(_ steps: [EventCounts], from start: Date, to end: Date) -> ArraySlice<EventCounts> {
        func firstIndex(startingAtOrAfter date: Date) -> Int {
            var low = 0, high = steps.count
            while low < high {
                let middle = (low + high) / 2
                if steps[middle].start < date { low = middle + 1 } else { high = middle }
            }
            return low
        }
        let lower = firstIndex(startingAtOrAfter: start)
        return steps[lower..<max(lower, firstIndex(startingAtOrAfter: end))]
    }

    /// The periods between `start` and `end` that no step covers.
    static func gaps(in steps: [EventCounts], from start: Date, to end: Date) -> [DateInterval] {
        var gaps: [DateInterval] = []
        var covered = start
        for step in steps where step.end > start && step.start < end {
            if step.start > covered { gaps.append(DateInterval(start: covered, end: step.start)) }
            covered = max(covered, step.end)
        }
        if !steps.isEmpty, covered < end { gaps.append(DateInterval(start: covered, end: end)) }
        return gaps
    }
}
