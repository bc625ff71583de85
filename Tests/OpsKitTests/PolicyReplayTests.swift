import Foundation
import Testing

@testable import OpsKit

@Suite struct PolicyReplayTests {
    static let utc = TimeZone(identifier: "UTC")!

    static func date(_ text: String) -> Date { Timestamp.parse(text)! }

    static func step(_ start: String, _ end: String, good: Decimal, total: Decimal) -> EventCounts {
        EventCounts(start: date(start), end: date(end), good: good, total: total)
    }

    static func policy(window: String) throws -> ErrorBudgetPolicy {
        try ErrorBudgetPolicy.load(
            """
            use_case: x
            window: \(window)
            objective: 90%
            burn_alerts:
              - at: 50%
                actions: ["notify:#sre", "freeze_noncritical_releases"]
              - at: 100%
                actions: ["feature_freeze_all"]
            """, path: "policies/x.yaml")
    }

    static func indicator(window: SLOWindow) -> SLOCatalog.Indicator {
        SLOCatalog.Indicator(name: "availability", target: .events(objective: Decimal(string: "0.9")!, window: window), openSLO: nil, queries: nil, line: nil)
    }

    /// Budget 10 % (objective 90 %) over a rolling day, judged every hour from Monday 00:00 to
    /// Tuesday 10:00 (34 moments). Consumed = bad / (0.1 × total) of the steps in the last 24 h.
    ///
    ///   step           good/total  bad   judged at   window holds   bad / allowed   consumed
    ///   s1 00–01 Mon     100/100     0   01:00       s1              0 / 10          0 %
    ///   s2 01–02         90/100     10   02:00       s1–s2          10 / 20         50 %  ← 50 % reached: freeze_noncritical starts
    ///   s3 02–03         85/100     15   03:00       s1–s3          25 / 30         83.3 %
    ///   (no data 03–05)                  04:00, 05:00  the same       25 / 30         83.3 %
    ///   s4 05–06        100/100      0   06:00       s1–s4          25 / 40         62.5 %
    ///   s5 06–07         50/100     50   07:00       s1–s5          75 / 50        150 %  ← 100 % reached: feature_freeze_all starts
    ///   s6 07–08       1000/1000     0   08:00       s1–s6          75 / 150        50 %  (full freeze ends; 50 % still reached)
    ///   s7 08–09        100/100      0   09:00       s1–s7          75 / 160       46.9 % (freeze_noncritical ends)
    ///   Tuesday 01:00: s1 leaves the window (it starts before Monday 01:00)  75 / 150  50 %  ← 50 % reached again
    ///   Tuesday 02:00: s2 leaves                                              65 / 140  46.4 % (freeze ends)
    ///   Tuesday 03:00 to 09:00: s3 … s7 leave; from 09:00 the window is empty: nothing crossed.
    ///
    /// Freezes: freeze_noncritical 02:00–09:00 (7 h), feature_freeze_all 07:00–08:00 (1 h),
    /// freeze_noncritical Tue 01:00–02:00 (1 h). Frozen in all 7 + 1 = 8 h, fully 1 h.
    @Test func aRollingDayIsReplayedAsWorkedOutByHand() throws {
        let steps = [
            Self.step("2026-11-16T00:00:00Z", "2026-11-16T01:00:00Z", good: 100, total: 100),
            Self.step("2026-11-16T01:00:00Z", "2026-11-16T02:00:00Z", good: 90, total: 100),
            Self.step("2026-11-16T02:00:00Z", "2026-11-16T03:00:00Z", good: 85, total: 100),
            Self.step("2026-11-16T05:00:00Z", "2026-11-16T06:00:00Z", good: 100, total: 100),
            Self.step("2026-11-16T06:00:00Z", "2026-11-16T07:00:00Z", good: 50, total: 100),
            Self.step("2026-11-16T07:00:00Z", "2026-11-16T08:00:00Z", good: 1000, total: 1000),
            Self.step("2026-11-16T08:00:00Z", "2026-11-16T09:00:00Z", good: 100, total: 100),
        ]
        let replay = PolicyReplay.replay(
            policy: try Self.policy(window: "rolling_1d"), indicator: Self.indicator(window: .rolling(days: 1)), steps: steps,
            since: Self.date("2026-11-16T00:00:00Z"), until: Self.date("2026-11-17T10:00:00Z"), step: 3600, zone: Self.utc)

        #expect(replay.moments.count == 34)
        #expect(replay.moments.first == Self.date("2026-11-16T01:00:00Z") && replay.moments.last == Self.date("2026-11-17T10:00:00Z"))
        #expect(replay.crossings.map(\.at) == ["2026-11-16T02:00:00Z", "2026-11-16T07:00:00Z", "2026-11-17T01:00:00Z"].map(Self.date))
        #expect(replay.crossings.map(\.threshold) == [Decimal(string: "0.5")!, 1, Decimal(string: "0.5")!])
        #expect(replay.crossings.map(\.consumed) == [0.5, 1.5, 0.5])
        #expect(replay.crossings[1].actions == ["feature_freeze_all"])

        let expected: [PolicyReplay.Freeze] = [
            .init(
                scope: .noncritical, action: "freeze_noncritical_releases", threshold: Decimal(string: "0.5")!,
                start: Self.date("2026-11-16T02:00:00Z"), end: Self.date("2026-11-16T09:00:00Z"), seconds: 7 * 3600),
            .init(
                scope: .all, action: "feature_freeze_all", threshold: 1,
                start: Self.date("2026-11-16T07:00:00Z"), end: Self.date("2026-11-16T08:00:00Z"), seconds: 3600),
            .init(
                scope: .noncritical, action: "freeze_noncritical_releases", threshold: Decimal(string: "0.5")!,
                start: Self.date("2026-11-17T01:00:00Z"), end: Self.date("2026-11-17T02:00:00Z"), seconds: 3600),
        ]
        #expect(replay.freezes == expected)
        #expect(replay.frozenSeconds == 8 * 3600)
        #expect(replay.fullyFrozenSeconds == 3600)
        #expect(
            replay.gaps == [
                DateInterval(start: Self.date("2026-11-16T03:00:00Z"), end: Self.date("2026-11-16T05:00:00Z")),
                DateInterval(start: Self.date("2026-11-16T09:00:00Z"), end: Self.date("2026-11-17T10:00:00Z")),
            ])

        let text = try PolicyReplayReport(zone: Self.utc, replays: [replay]).render(.table)
        #expect(text.contains("  freezes    freeze_noncritical_releases (at 50%): 2026-11-16 02:00 to 2026-11-16 09:00, 7 h\n"))
        #expect(text.contains("  frozen     8 h in all (1 h of them every release frozen)\n"))
        #expect(text.contains("  gap        no events 2026-11-16 03:00 to 2026-11-16 05:00 (2h): counted as none\n"))
    }

    /// A policy that only alerts crosses the same thresholds and lists the freezes they call for,
    /// but freezes no release: no hours frozen, as `ops release check` answers under it.
    @Test func anAlertOnlyPolicyFreezesNothing() throws {
        let steps = [
            Self.step("2026-11-16T00:00:00Z", "2026-11-16T01:00:00Z", good: 100, total: 100),
            Self.step("2026-11-16T01:00:00Z", "2026-11-16T02:00:00Z", good: 50, total: 100),
        ]
        var policy = try Self.policy(window: "rolling_1d")
        policy.mode = .alert
        let replay = PolicyReplay.replay(
            policy: policy, indicator: Self.indicator(window: .rolling(days: 1)), steps: steps,
            since: Self.date("2026-11-16T00:00:00Z"), until: Self.date("2026-11-16T04:00:00Z"), step: 3600, zone: Self.utc)
        // 50 bad of the 20 allowed at 02:00: 250 %, both thresholds crossed.
        #expect(replay.crossings.map(\.threshold) == [Decimal(string: "0.5")!, 1])
        #expect(replay.freezes.map(\.action) == ["freeze_noncritical_releases", "feature_freeze_all"])
        #expect(!replay.enforced && replay.frozenSeconds == 0 && replay.fullyFrozenSeconds == 0)
        let text = try PolicyReplayReport(zone: Self.utc, replays: [replay]).render(.table)
        #expect(text.contains("  freezes    freeze_noncritical_releases (at 50%): 2026-11-16 02:00 on, still frozen, 2 h so far, not enforced\n"))
        #expect(text.contains("  frozen     0 h in all (0 h of them every release frozen)\n"))
        #expect(text.contains("only alerts (error_budget_policy: alert)"))
    }

    /// An ISO week starts empty. A bad hour late on Sunday freezes; Monday 00:00 still judges the
    /// week that just ended (as `ops slo status --at` Monday midnight does), and Monday 01:00 judges
    /// only Monday's first hour, all good: the freeze ends there, after 2 h.
    @Test func aCalendarWindowResetsAfterItsBoundary() throws {
        let steps = [
            Self.step("2026-11-22T22:00:00Z", "2026-11-22T23:00:00Z", good: 80, total: 100),
            Self.step("2026-11-23T00:00:00Z", "2026-11-23T01:00:00Z", good: 100, total: 100),
        ]
        let replay = PolicyReplay.replay(
            policy: try Self.policy(window: "iso_week"), indicator: Self.indicator(window: .isoWeek), steps: steps,
            since: Self.date("2026-11-22T22:00:00Z"), until: Self.date("2026-11-23T02:00:00Z"), step: 3600, zone: Self.utc)
        #expect(replay.crossings.map(\.at) == [Self.date("2026-11-22T23:00:00Z"), Self.date("2026-11-22T23:00:00Z")])
        #expect(replay.freezes.map(\.start) == [Self.date("2026-11-22T23:00:00Z"), Self.date("2026-11-22T23:00:00Z")])
        #expect(replay.freezes.map(\.end) == [Self.date("2026-11-23T01:00:00Z"), Self.date("2026-11-23T01:00:00Z")])
        #expect(replay.frozenSeconds == 2 * 3600 && replay.fullyFrozenSeconds == 2 * 3600)
        #expect(
            replay.gaps == [
                DateInterval(start: Self.date("2026-11-22T23:00:00Z"), end: Self.date("2026-11-23T00:00:00Z")),
                DateInterval(start: Self.date("2026-11-23T01:00:00Z"), end: Self.date("2026-11-23T02:00:00Z")),
            ])
    }

    /// A freeze still on at the last moment has no end and counts to that moment; a window with
    /// no events freezes nothing.
    @Test func aFreezeStillOnAtTheEndCountsToTheLastMoment() throws {
        let steps = [Self.step("2026-11-16T00:00:00Z", "2026-11-16T01:00:00Z", good: 0, total: 10)]
        let replay = PolicyReplay.replay(
            policy: try Self.policy(window: "rolling_1d"), indicator: Self.indicator(window: .rolling(days: 1)), steps: steps,
            since: Self.date("2026-11-16T00:00:00Z"), until: Self.date("2026-11-16T05:30:00Z"), step: 3600, zone: Self.utc)
        #expect(replay.moments.count == 5)
        #expect(replay.freezes.map(\.end) == [nil, nil])
        #expect(replay.freezes.map(\.seconds) == [4 * 3600, 4 * 3600])
        #expect(replay.frozenSeconds == 4 * 3600)
        let text = try PolicyReplayReport(zone: Self.utc, replays: [replay]).render(.table)
        #expect(text.contains("feature_freeze_all (at 100%): 2026-11-16 01:00 on, still frozen, 4 h so far\n"))

        let empty = PolicyReplay.replay(
            policy: try Self.policy(window: "rolling_1d"), indicator: Self.indicator(window: .rolling(days: 1)), steps: steps,
            since: Self.date("2026-11-18T00:00:00Z"), until: Self.date("2026-11-18T03:00:00Z"), step: 3600, zone: Self.utc)
        #expect(empty.crossings.isEmpty && empty.freezes.isEmpty && empty.frozenSeconds == 0)
    }

    @Test func aStepMustBeADurationOfAMinuteOrMore() throws {
        #expect(try PolicyReplayService.step("1h") == 3600)
        #expect(try PolicyReplayService.step("30m") == 1800)
        #expect(try PolicyReplayService.step("1d") == 86_400)
        for bad in ["0h", "30s", "soon", "", "400d"] {
            #expect(throws: OpsError.self) { try PolicyReplayService.step(bad) }
        }
    }
}
