import Foundation
import Testing

@testable import OpsKit

@Suite struct MetricsTests {
    static func config(clockStart: ClockStart = .detected, zone: String = "Europe/Berlin") throws -> OpsConfig {
        // Alphabetical order (critical, low, major, minor) differs from rank order on purpose.
        try OpsConfig.load(
            """
            team: t
            timezone: \(zone)
            severities:
              - {id: critical, aliases: [P1]}
              - major
              - minor
              - low
            metrics:
              clock_start: \(clockStart.rawValue)
            """)
    }

    static let t0 = Timestamp.parse("2026-11-16T06:00:00Z")!
    static let now = fixedClock()  // 2026-11-23T09:00:00Z

    /// An incident whose clock points are `minutes` after `base` (default: slot × 12 h after t0), in the order
    /// started, detected, opened, acknowledged, mitigated, resolved, closed; nil where unknown.
    static func make(
        _ id: String, _ slot: Int, _ status: IncidentStatus, _ severity: String, _ service: String?, _ minutes: [Int?],
        base: Date? = nil, timeline: [TimelineEntry] = []
    ) -> Incident {
        let start = base ?? t0.addingTimeInterval(Double(slot) * 12 * 3600)
        var clock: [ClockPoint: Date] = [:]
        for (point, minute) in zip(ClockPoint.allCases, minutes) { clock[point] = minute.map { start.addingTimeInterval(Double($0) * 60) } }
        return Incident(
            id: id, title: "Incident \(id)", severity: severity, status: status, service: service, useCase: nil,
            commander: nil, roles: [], tags: [], runbook: nil, alerts: [], source: nil, clock: clock,
            timeline: timeline, path: "incidents/\(id)/incident.md")
    }

    static func at(_ slot: Int, _ minute: Int) -> Date { t0.addingTimeInterval(Double(slot) * 12 * 3600 + Double(minute) * 60) }

    /// Thirteen incidents, all opened in 2026-W47 (Berlin). Minutes after each one's base time:
    ///        started detected opened ack  mitigated resolved   TTD  TTA  TTM  TTR (clock start: detected)
    ///   A       0      4       10    17     40       70          4   13   36   66
    ///   B       –      0        2     4     20       30          –    4   20   30
    ///   C       0      –       10    20     50      100          –   10*  40*  90*  (* from opened: no detected_at)
    ///   D       0     20       25     –     60       80         20    –   40   60
    ///   E       0      2        3     5      –       12          2    3    –   10
    ///   F       0     10       10    12     30      240         10    2   20  230   (closed at 300)
    ///   G       0      1        5     6      7        8          1    5    6    7
    ///   H       –      –        0    30     90      180          –   30*  90* 180*
    ///   I       0     15       20    25     45       55         15   10   30   40
    ///   R       0      4        6     8      –      600          4    4    –  596   (re-opened: resolved at 20, again at 600)
    ///   X       0     30       32    20     40       50        data error: acknowledged before detected and opened
    ///   U1      –      –        0     –      –        –           –    –    –    –   (open: nothing reached yet)
    ///   U2      –      0        1     3     10        –           –    3   10    –   (mitigated, not resolved)
    /// U1 and U2 are also listed apart as not yet resolved.
    static let x = "INC-20261121-7F3AK2QX", u1 = "INC-20261121-4Q9ZK2MX"  // full-length ids, for the table's widths
    static let incidents: [Incident] = [
        make("U2", 12, .mitigated, "critical", nil, [nil, 0, 1, 3, 10]),
        make("A", 0, .resolved, "critical", "checkout", [0, 4, 10, 17, 40, 70]),
        make("B", 1, .resolved, "major", "checkout", [nil, 0, 2, 4, 20, 30]),
        make("C", 2, .closed, "major", "search", [0, nil, 10, 20, 50, 100, 120]),
        make("D", 3, .resolved, "minor", "search", [0, 20, 25, nil, 60, 80]),
        make("E", 4, .resolved, "low", "checkout", [0, 2, 3, 5, nil, 12]),
        make("F", 5, .closed, "critical", "payments", [0, 10, 10, 12, 30, 240, 300]),
        make("G", 6, .resolved, "major", nil, [0, 1, 5, 6, 7, 8]),
        make("H", 7, .resolved, "major", "payments", [nil, nil, 0, 30, 90, 180]),
        make("I", 8, .resolved, "major", "search", [0, 15, 20, 25, 45, 55]),
        // Re-opened: reopening cleared mitigated_at and the first resolved_at; the front matter holds the final one.
        make(
            "R", 9, .resolved, "P1", "checkout", [0, 4, 6, 8, nil, 600],
            timeline: [
                TimelineEntry(at: at(9, 20), actor: "a", kind: "resolved"), TimelineEntry(at: at(9, 30), actor: "a", kind: "reopened"),
                TimelineEntry(at: at(9, 600), actor: "a", kind: "resolved"),
            ]),
        make(Self.x, 10, .resolved, "critical", "checkout", [0, 30, 32, 20, 40, 50]),
        make(Self.u1, 11, .open, "major", nil, [nil, nil, 0]),
    ]

    /// The six figures of one metric, comparable in one `#expect`.
    struct Figures: Equatable {
        var count, missing: Int
        var mean, median, p90, max: Double?
        init(_ count: Int, _ missing: Int, _ mean: Double?, _ median: Double?, _ p90: Double?, _ max: Double?) {
            (self.count, self.missing, self.mean, self.median, self.p90, self.max) = (count, missing, mean, median, p90, max)
        }
        init(_ s: ResponseStats.MetricSummary) { self.init(s.count, s.missing, s.mean, s.median, s.p90, s.max) }
    }

    static func stats(
        _ clockStart: ClockStart = .detected, groupBy: StatsGrouping? = nil, incidents: [Incident] = incidents,
        scope: DateInterval? = nil, label: String? = nil
    ) throws -> ResponseStats {
        ResponseMetrics.compute(incidents, config: try config(clockStart: clockStart), scope: scope, scopeLabel: label, groupBy: groupBy, now: now)
    }

    @Test func handComputedFiguresFromDetection() throws {
        let stats = try Self.stats()
        let all = stats.groups[0]
        #expect(all.key == "all" && all.grouping == nil && all.incidents == 12 && all.settled == 10 && !all.smallSample)
        // TTD sorted 1 2 4 4 10 15 20 min: mean 56/7 = 8 min; median 4th = 4; p90 rank ceil(6.3) = 7th = 20. B, C, H, U1, U2 missing.
        #expect(Figures(all[.timeToDetect]) == Figures(7, 5, 480, 240, 1200, 1200))
        // TTA sorted 2 3 3 4 4 5 10 10 13 30 (U2's 3 counts, unresolved as it is): mean 84/10 = 8.4 min;
        // median (4+5)/2 = 4.5; p90 ceil(9.0) = 9th = 13. D missing; U1, not acknowledged yet, is not missing.
        #expect(Figures(all[.timeToAcknowledge]) == Figures(10, 1, 504, 270, 780, 1800))
        // TTM sorted 6 10 20 20 30 36 40 40 90 (U2's 10 counts): mean 292/9 min; median 5th = 30; p90 ceil(8.1) = 9th = 90. E, R missing.
        #expect(Figures(all[.timeToMitigate]) == Figures(9, 2, 292.0 * 60 / 9, 1800, 5400, 5400))
        // TTR sorted 7 10 30 40 60 66 90 180 230 596: mean 1309/10 = 130.9 min; median (60+66)/2 = 63;
        // p90 ceil(9.0) = 9th = 230; max 596 (R's final resolved_at, not its first). U1 and U2 are not resolved: not missing.
        #expect(Figures(all[.timeToResolve]) == Figures(10, 0, 7854, 3780, 13800, 35760))
        #expect(stats.dataErrors.map(\.id) == [Self.x])
        #expect(stats.dataErrors.first?.problem == "acknowledged_at before detected_at; acknowledged_at before opened_at")
        // U1 opened 2026-11-21T18:00Z, U2 2026-11-22T06:01Z; now is 2026-11-23T09:00Z.
        #expect(stats.open.map(\.id) == [Self.u1, "U2"])
        #expect(stats.open.map(\.age) == [140_400, 97_140])  // 39 h; 26 h 59 min
    }

    @Test func clockStartOpenedAndStartedChangeTheFigures() throws {
        let opened = try Self.stats(.opened).groups[0]
        // From opened_at, TTR sorted 3 9 28 35 55 60 90 180 230 594: mean 1284/10 = 128.4 min; median (55+60)/2 = 57.5.
        #expect(Figures(opened[.timeToResolve]) == Figures(10, 0, 7704, 3450, 13800, 35640))
        // TTA sorted 1 2 2 2 2 2 5 7 10 30 (U2: 2): mean 6.3 min; median 2 min; p90 9th = 10.
        #expect(Figures(opened[.timeToAcknowledge]) == Figures(10, 1, 378, 120, 600, 1800))
        #expect(Figures(opened[.timeToDetect]) == Figures(7, 5, 480, 240, 1200, 1200))  // always detected − started

        let started = try Self.stats(.started).groups[0]
        // From started_at only: B and H have none, so they are missing, not taken from detected or opened.
        // TTA sorted 5 6 8 12 17 20 25 (B, D, H, U2 missing): mean 93/7 min; median 12; p90 ceil(6.3) = 7th = 25.
        #expect(Figures(started[.timeToAcknowledge]) == Figures(7, 4, 5580.0 / 7, 720, 1500, 1500))
        // TTR sorted 8 12 55 70 80 100 240 600: mean 1165/8 = 145.625 min; median (70+80)/2 = 75; p90 8th = 600.
        #expect(Figures(started[.timeToResolve]) == Figures(8, 2, 8737.5, 4500, 36000, 36000))
    }

    @Test func severityGroupsFollowRankAndFlagSmallSamples() throws {
        let groups = try Self.stats(groupBy: .severity).groups
        #expect(groups.map(\.key) == ["all", "critical", "major", "minor", "low"])  // R's alias P1 counts as critical
        #expect(groups.map(\.grouping) == [nil, .severity, .severity, .severity, .severity])
        #expect(groups.map(\.incidents) == [12, 4, 6, 1, 1])  // U2 is critical, U1 major
        #expect(groups.map(\.smallSample) == [false, true, false, true, true])
        // critical: A 66, F 230, R 596 min.
        #expect(Figures(groups[1][.timeToResolve]) == Figures(3, 0, 892.0 * 60 / 3, 13800, 35760, 35760))
        #expect(Figures(groups[3][.timeToAcknowledge]) == Figures(0, 1, nil, nil, nil, nil))  // D alone, no acknowledged_at

        let services = try Self.stats(groupBy: .service).groups
        #expect(services.map(\.key) == ["all", "checkout", "payments", "search", "(none)"])
        #expect(services.map(\.incidents) == [12, 4, 2, 3, 3])
    }

    /// Issue 15, reproduction 7: a bad week with every incident still open had no MTTA at all.
    @Test func aWeekWithEveryIncidentStillOpenHasItsTimeToAcknowledge() throws {
        let week = [
            Self.make("O1", 0, .open, "major", "checkout", [0, 2, 3]),
            Self.make("O2", 1, .acknowledged, "major", "checkout", [0, 2, 3, 8]),
            Self.make("O3", 2, .acknowledged, "critical", "search", [0, 4, 5, 16]),
            Self.make("O4", 3, .mitigated, "minor", "search", [0, 1, 2, 6, 40]),
            Self.make("O5", 4, .mitigated, "major", nil, [0, 3, 4, nil, 30]),  // mitigated without an ack on record
        ]
        let stats = try Self.stats(incidents: week, scope: Self.week47, label: "2026-W47")
        let all = stats.groups[0]
        #expect(all.incidents == 5 && all.settled == 0)
        // TTA 6 12 5 min (O2, O3, O4); O5 reached mitigated without acknowledged_at: missing; O1 not there yet.
        #expect(Figures(all[.timeToAcknowledge]) == Figures(3, 1, 460, 360, 720, 720))
        #expect(all[.timeToAcknowledge].smallSample)
        // TTM 39 27 min (O4, O5); nothing resolved, and nothing missing for it.
        #expect(Figures(all[.timeToMitigate]) == Figures(2, 0, 1980, 1980, 2340, 2340))
        #expect(Figures(all[.timeToResolve]) == Figures(0, 0, nil, nil, nil, nil))
        #expect(Figures(all[.timeToDetect]) == Figures(5, 0, 144, 120, 240, 240))
        // Still listed apart, every one of them.
        #expect(stats.open.map(\.id) == ["O1", "O2", "O3", "O4", "O5"])
    }

    @Test func weeksAreCountedInTheTeamTimeZone() throws {
        let sundayLate = Timestamp.parse("2026-11-22T23:30:00Z")!  // Monday 00:30 in Berlin: 2026-W48
        let sundayEarlier = Timestamp.parse("2026-11-22T22:30:00Z")!  // Sunday 23:30 in Berlin: 2026-W47
        let weekBefore = Timestamp.parse("2026-11-10T12:00:00Z")!
        let incidents = [sundayLate, weekBefore, sundayEarlier].enumerated().map { index, base in
            Self.make("W\(index)", 0, .resolved, "major", nil, [nil, 0, 0, 5, nil, 60], base: base)
        }
        let berlin = ResponseMetrics.compute(incidents, config: try Self.config(), scope: nil, scopeLabel: nil, groupBy: .week, now: Self.now)
        #expect(berlin.groups.map(\.key) == ["all", "2026-W46", "2026-W47", "2026-W48"])
        let utc = ResponseMetrics.compute(incidents, config: try Self.config(zone: "UTC"), scope: nil, scopeLabel: nil, groupBy: .week, now: Self.now)
        #expect(utc.groups.map(\.key) == ["all", "2026-W46", "2026-W47"])
        #expect(utc.groups.map(\.incidents) == [3, 1, 2])
    }

    static let week47 = ISOWeek("2026-W47")!.interval(in: TimeZone(identifier: "Europe/Berlin")!)  // [11-15T23:00Z, 11-22T23:00Z)

    @Test func scopeCountsOnlyIncidentsOpenedInIt() throws {
        let points: [Int?] = [nil, 0, 0, 1, nil, 2]
        let extra = [
            Self.make("atStart", 0, .resolved, "major", nil, points, base: Self.week47.start),  // in: the start is included
            Self.make("atEnd", 0, .resolved, "major", nil, points, base: Self.week47.end),  // out: the end is not
            Self.make("before", 0, .open, "minor", nil, [nil, nil, 0], base: Timestamp.parse("2026-11-09T10:00:00Z")!),
            Self.make("noOpened", 1, .resolved, "minor", nil, [nil, 0, nil, nil, nil, 5]),
        ]
        let scoped = try Self.stats(incidents: Self.incidents + extra, scope: Self.week47, label: "2026-W47")
        #expect(scoped.groups[0].incidents == 13 && scoped.groups[0].settled == 11)
        #expect(scoped.groups[0][.timeToResolve].count == 11)
        #expect(scoped.open.map(\.id) == [Self.u1, "U2"])
        let unscoped = try Self.stats(incidents: Self.incidents + extra)
        #expect(unscoped.groups[0].incidents == 16)
        #expect(unscoped.open.map(\.id) == ["before", Self.u1, "U2"])
    }

    @Test func jsonHasTheDocumentedFields() throws {
        let stats = try Self.stats(groupBy: .severity, scope: Self.week47, label: "2026-W47")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stats.render(.json, zone: .gmt).utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["schema_version", "clock_start", "definitions", "scope", "groups", "open", "data_errors", "clock_sources"])
        #expect((json["clock_sources"] as? [String]) == [])  // nothing imported here
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["clock_start"] as? String == "detected")
        let definitions = try #require(json["definitions"] as? [String: String])
        #expect(definitions["time_to_acknowledge"] == "acknowledged_at − detected_at (opened_at when detected_at is unknown)")
        #expect(definitions["time_to_detect"] == "detected_at − started_at")
        #expect(Set(definitions.keys) == Set(ResponseMetric.allCases.map(\.rawValue)))
        let scope = try #require(json["scope"] as? [String: Any])
        #expect(scope["label"] as? String == "2026-W47")
        #expect(scope["since"] as? String == "2026-11-15T23:00:00Z")
        #expect(scope["until"] as? String == "2026-11-22T23:00:00Z")

        let groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups.map { $0["key"] as? String } == ["all", "critical", "major", "minor", "low"])
        #expect(Set(groups[0].keys) == ["key", "grouping", "incidents", "settled", "small_sample", "metrics"])
        #expect(groups[0]["grouping"] as? String == "all" && groups[1]["grouping"] as? String == "severity")
        #expect(groups[1]["small_sample"] as? Bool == true && groups[0]["incidents"] as? Int == 12 && groups[0]["settled"] as? Int == 10)
        let metrics = try #require(groups[0]["metrics"] as? [String: [String: Any]])
        #expect(Set(metrics.keys) == Set(ResponseMetric.allCases.map(\.rawValue)))
        let ttm = try #require(metrics["time_to_mitigate"])
        #expect(Set(ttm.keys) == ["count", "missing", "small_sample", "mean_seconds", "median_seconds", "p90_seconds", "max_seconds"])
        #expect(ttm["count"] as? Int == 9 && ttm["missing"] as? Int == 2 && ttm["median_seconds"] as? Int == 1800 && ttm["small_sample"] as? Bool == false)
        let minorTTA = try #require((groups[3]["metrics"] as? [String: [String: Any]])?["time_to_acknowledge"])
        #expect(minorTTA["mean_seconds"] is NSNull && minorTTA["count"] as? Int == 0)

        let open = try #require(json["open"] as? [[String: Any]])
        #expect(Set(open[0].keys) == ["id", "title", "severity", "status", "opened_at", "age_seconds"])
        #expect(open[0]["opened_at"] as? String == "2026-11-21T18:00:00Z" && open[0]["age_seconds"] as? Int == 140_400)
        let errors = try #require(json["data_errors"] as? [[String: String]])
        #expect(errors == [["id": Self.x, "problem": "acknowledged_at before detected_at; acknowledged_at before opened_at"]])

        let unscoped = try JSONSerialization.jsonObject(with: Data(Self.stats().render(.json, zone: .gmt).utf8)) as? [String: Any]
        #expect(unscoped?["scope"] is NSNull)
    }

    @Test func csvHasOneRowPerGroupAndMetric() throws {
        let csv = try Self.stats(.started, groupBy: .severity).render(.csv, zone: .gmt)
        let lines = csv.components(separatedBy: "\r\n").dropLast()
        #expect(lines.first == "group_by,group,metric,count,missing,mean_seconds,median_seconds,p90_seconds,max_seconds,small_sample")
        #expect(lines.count == 1 + 5 * 4)
        #expect(lines.contains("all,all,time_to_resolve,8,2,8737.5,4500,36000,36000,false"))
        #expect(lines.contains("severity,minor,time_to_acknowledge,0,1,,,,,true"))
    }

    @Test func tableFitsATerminalAndSaysWhatIsLeftOut() throws {
        let text = try Self.stats(groupBy: .severity, scope: Self.week47, label: "2026-W47").render(.table, zone: TimeZone(identifier: "Europe/Berlin")!)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Response times, 2026-W47 (clock starts at detection)")
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(text)")
        #expect(lines.contains("Acknowledge, mitigate, resolve count from detected_at (opened_at when unknown)."))
        #expect(lines.contains { $0.hasPrefix("all ") && $0.contains("detect") && $0.contains("8m") })  // mean TTD 480 s
        #expect(lines.contains { $0.hasPrefix("critical") && $0.contains("3*") })
        #expect(
            text.contains("Not yet resolved (in the figures they have reached):\n  \(Self.u1)  major")
                && text.contains("Data errors (left out):\n  \(Self.x)  acknowledged_at before"))
    }
}
