public import Foundation

/// What `ops stats` groups incidents by, after the "all" group.
public enum StatsGrouping: String, Sendable, CaseIterable {
    case severity, service, week
}

/// One of the four response times of docs/DESIGN.md §4; the raw value is its JSON name.
public enum ResponseMetric: String, Sendable, CaseIterable {
    case timeToDetect = "time_to_detect"
    case timeToAcknowledge = "time_to_acknowledge"
    case timeToMitigate = "time_to_mitigate"
    case timeToResolve = "time_to_resolve"

    /// The status an incident has reached once this duration can be known: an incident below it
    /// is not late with the figure, it has not got there yet.
    var reached: IncidentStatus? {
        switch self {
        case .timeToDetect: return nil  // detection precedes the incident's declaration
        case .timeToAcknowledge: return .acknowledged
        case .timeToMitigate: return .mitigated
        case .timeToResolve: return .resolved
        }
    }

    /// The clock point the duration ends at.
    var end: ClockPoint {
        switch self {
        case .timeToDetect: return .detected
        case .timeToAcknowledge: return .acknowledged
        case .timeToMitigate: return .mitigated
        case .timeToResolve: return .resolved
        }
    }

    /// The definition in words, printed next to the numbers so nobody has to guess which MTTA this is.
    public func definition(clockStart: ClockStart) -> String {
        if self == .timeToDetect { return "detected_at − started_at" }
        switch clockStart {
        case .detected: return "\(end.key) − detected_at (opened_at when detected_at is unknown)"
        case .opened: return "\(end.key) − opened_at"
        case .started: return "\(end.key) − started_at (missing when started_at is unknown)"
        }
    }
}

/// Response times (`ops stats`): each figure over every incident that reached its clock point,
/// resolved or not (docs/DESIGN.md §4); incidents not yet resolved listed apart too, data errors left out.
public struct ResponseStats: Sendable, Encodable {
    public let schemaVersion: Int
    public let clockStart: ClockStart
    /// Metric JSON name → its definition in words.
    public let definitions: [String: String]
    public let scope: Scope?
    /// The "all" group first, then one per key of the grouping.
    public let groups: [Group]
    /// Incidents in scope not yet resolved, by opened_at: in the figures they have reached, and listed here.
    public let open: [OpenIncident]
    /// Incidents with clock points out of order, by id: left out of everything else.
    public let dataErrors: [DataError]
    /// Which clock points came from which tool, for imported incidents in scope.
    public let clockSources: [String]

    /// The opened_at window the report covers: [since, until).
    public struct Scope: Sendable, Encodable {
        @NullWhenNil public private(set) var label: String?
        public let since: Date
        public let until: Date
    }

    /// The figures for one group of incidents.
    public struct Group: Sendable, Encodable {
        public let key: String
        /// Nil for the "all" group.
        public let grouping: StatsGrouping?
        /// Incidents with clock points in order, resolved or not.
        public let incidents: Int
        /// Of those, the resolved and closed ones.
        public let settled: Int
        /// Fewer than `ResponseMetrics.smallSample` incidents: one outlier moves the mean.
        public let smallSample: Bool
        /// One per `ResponseMetric`, in its order.
        public let metrics: [MetricSummary]

        public subscript(metric: ResponseMetric) -> MetricSummary { metrics.first { $0.metric == metric }! }

        public func encode(to encoder: Encoder) throws {
            try encoder.encodeObject(
                CodingKeys.self,
                [
                    .key: key, .grouping: grouping?.rawValue ?? "all", .incidents: incidents, .settled: settled, .smallSample: smallSample,
                    .metrics: Dictionary(metrics.map { ($0.metric.rawValue, $0) }, uniquingKeysWith: { $1 }),
                ])
        }

        enum CodingKeys: String, CodingKey {
            case key, grouping, incidents, settled, smallSample = "small_sample", metrics
        }
    }

    /// Count and distribution of one metric in one group; seconds are nil when `count` is 0.
    public struct MetricSummary: Sendable, Encodable {
        public let metric: ResponseMetric
        /// Incidents with both clock points.
        public let count: Int
        /// Incidents that reached the figure's status but lack one of its clock points: never counted as zero.
        public let missing: Int
        /// `count` below `ResponseMetrics.smallSample`: one outlier moves the mean.
        public let smallSample: Bool
        @JSONNumber public private(set) var mean: Double?
        @JSONNumber public private(set) var median: Double?
        @JSONNumber public private(set) var p90: Double?
        @JSONNumber public private(set) var max: Double?

        init(metric: ResponseMetric, values: [Double], missing: Int) {
            let sorted = values.sorted()
            self.metric = metric
            count = sorted.count
            self.missing = missing
            smallSample = count < ResponseMetrics.smallSample
            mean = sorted.isEmpty ? nil : sorted.reduce(0, +) / Double(sorted.count)
            median = ResponseMetrics.median(sorted)
            p90 = ResponseMetrics.nearestRank(percent: 90, sorted)
            max = sorted.last
        }

        enum CodingKeys: String, CodingKey {
            case count, missing, smallSample = "small_sample", mean = "mean_seconds", median = "median_seconds", p90 = "p90_seconds", max = "max_seconds"
        }
    }

    /// An incident in scope not yet resolved.
    public struct OpenIncident: Sendable, Encodable {
        public let id: String
        public let title: String
        public let severity: String
        public let status: IncidentStatus
        public let openedAt: Date?
        /// now − opened_at; nil when opened_at is unknown.
        public let age: Double?

        public func encode(to encoder: Encoder) throws {
            try encoder.encodeObject(
                CodingKeys.self,
                [.id: id, .title: title, .severity: severity, .status: status.rawValue, .openedAt: openedAt, .age: JSONNumber(age)])
        }

        enum CodingKeys: String, CodingKey {
            case id, title, severity, status, openedAt = "opened_at", age = "age_seconds"
        }
    }

    /// An incident left out because its clock points are out of order.
    public struct DataError: Sendable, Encodable {
        public let id: String
        /// Which points, e.g. `acknowledged_at before detected_at`; several joined by "; ".
        public let problem: String
    }

    public func encode(to encoder: Encoder) throws {
        try encoder.encodeObject(
            CodingKeys.self,
            [
                .schemaVersion: schemaVersion, .clockStart: clockStart.rawValue, .definitions: definitions, .scope: scope, .groups: groups, .open: open,
                .dataErrors: dataErrors, .clockSources: clockSources,
            ])
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", clockStart = "clock_start", definitions, scope, groups, open, dataErrors = "data_errors"
        case clockSources = "clock_sources"
    }
}

/// Computes `ops stats` (docs/DESIGN.md §4).
public enum ResponseMetrics {
    /// Groups and figures with fewer incidents than this are flagged `small_sample`.
    public static let smallSample = 5

    /// incidents: all incidents; scope: only those whose opened_at is in [start, end) count (nil = all).
    public static func compute(
        _ incidents: [Incident], config: OpsConfig, scope: DateInterval?, scopeLabel: String?,
        groupBy: StatsGrouping?, now: Date
    ) -> ResponseStats {
        compute(IncidentColumns(incidents), config: config, scope: scope, scopeLabel: scopeLabel, groupBy: groupBy, now: now)
    }

    /// `compute` over the columns of every incident (IncidentColumns), rows by number.
    public static func compute(
        _ table: IncidentColumns, config: OpsConfig, scope: DateInterval?, scopeLabel: String?,
        groupBy: StatsGrouping?, now: Date
    ) -> ResponseStats {
        let inScope = (0..<table.count).filter { row in
            guard let scope else { return true }
            // An incident without opened_at cannot be placed in a window, so a scoped report leaves it out.
            guard let opened = table.seconds(.opened, row) else { return false }
            return opened >= scope.start.timeIntervalSinceReferenceDate && opened < scope.end.timeIntervalSinceReferenceDate
        }
        var counted: [Int] = []
        var open: [ResponseStats.OpenIncident] = []
        var dataErrors: [ResponseStats.DataError] = []
        for row in inScope {
            let violations = table.clockOrderViolations(row)
            if !violations.isEmpty {
                let problem = violations.map { "\($0.later.key) before \($0.earlier.key)" }.joined(separator: "; ")
                dataErrors.append(.init(id: table.ids[row], problem: problem))
                continue
            }
            // Each clock point counts on its own: an acknowledged incident is in time to
            // acknowledge before it is resolved, so a bad week with everything open still has an MTTA.
            counted.append(row)
            if !table.isSettled(row) {
                let opened = table.date(.opened, row)
                open.append(
                    .init(
                        id: table.ids[row], title: table.titles[row], severity: table.severities[row], status: table.statuses[row],
                        openedAt: opened, age: opened.map { now.timeIntervalSince($0) }))
            }
        }
        open.sort { ($0.openedAt ?? .distantFuture, $0.id) < ($1.openedAt ?? .distantFuture, $1.id) }
        dataErrors.sort { $0.id < $1.id }

        var groups = [group(key: "all", grouping: nil, counted, of: table, config: config)]
        if let groupBy {
            let keyed = Dictionary(grouping: counted, by: keys(of: table, by: groupBy, config: config))
            for key in keyed.keys.sorted(by: order(groupBy, config: config)) {
                groups.append(group(key: key, grouping: groupBy, keyed[key]!, of: table, config: config))
            }
        }
        return ResponseStats(
            schemaVersion: 1,
            clockStart: config.clockStart,
            definitions: Dictionary(uniqueKeysWithValues: ResponseMetric.allCases.map { ($0.rawValue, $0.definition(clockStart: config.clockStart)) }),
            scope: scope.map { .init(label: scopeLabel, since: $0.start, until: $0.end) },
            groups: groups,
            open: open,
            dataErrors: dataErrors,
            clockSources: ImportTool.clockSourceLines(for: inScope.map { table.sources[$0] })
        )
    }

    static let noKey = "(none)"

    private static func group(key: String, grouping: StatsGrouping?, _ rows: [Int], of table: IncidentColumns, config: OpsConfig) -> ResponseStats.Group {
        let metrics = ResponseMetric.allCases.map { metric in
            // Missing only where the incident got there: an open incident without acknowledged_at
            // is not missing its time to acknowledge, it has none yet.
            var values: [Double] = [], missing = 0
            values.reserveCapacity(rows.count)
            for row in rows {
                if let value = table.duration(metric, clockStart: config.clockStart, row) {
                    values.append(value)
                } else if metric.reached.map({ table.statuses[row] >= $0 }) ?? true || table.seconds(metric.end, row) != nil {
                    missing += 1
                }
            }
            return ResponseStats.MetricSummary(metric: metric, values: values, missing: missing)
        }
        return .init(
            key: key, grouping: grouping, incidents: rows.count, settled: rows.filter(table.isSettled).count,
            smallSample: rows.count < smallSample, metrics: metrics)
    }

    /// The group key of each row: severities by the configured level they name (worked out once
    /// per spelling), services trimmed, weeks in the team's time zone.
    private static func keys(of table: IncidentColumns, by grouping: StatsGrouping, config: OpsConfig) -> (Int) -> String {
        switch grouping {
        case .severity:
            var levels: [String: String] = [:]
            for name in Set(table.severities) { levels[name] = config.severity(named: name)?.id ?? name }
            return { levels[table.severities[$0]]! }
        case .service:
            return { row in
                let service = table.services[row]?.trimmingCharacters(in: .whitespaces) ?? ""
                return service.isEmpty ? noKey : service
            }
        case .week:
            return { row in table.date(.opened, row).map { ISOWeek(containing: $0, zone: config.timeZone).description } ?? noKey }
        }
    }

    /// Severities by rank (unknown ones after, by name), services alphabetically, weeks in time; "(none)" last.
    private static func order(_ grouping: StatsGrouping, config: OpsConfig) -> (String, String) -> Bool {
        func rank(_ key: String) -> (Int, String) {
            if key == noKey { return (Int.max, key) }
            switch grouping {
            case .severity: return (config.severity(named: key)?.rank ?? config.severities.count, key)
            case .service: return (0, key.lowercased() + "\u{0}" + key)
            case .week: return (0, key)  // `2026-W47` sorts in time as text
            }
        }
        return { rank($0) < rank($1) }
    }

    /// The middle value; the mean of the two middle values for an even count. `sorted` is ascending.
    static func median(_ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Nearest rank: the smallest value with at least `percent` % of the values at or below it,
    /// `sorted[ceil(percent/100 · n) − 1]`; integer arithmetic, since 0.9 · 20 is not 18 in binary.
    static func nearestRank(percent: Int, _ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = (percent * sorted.count + 99) / 100
        return sorted[Swift.max(rank, 1) - 1]
    }
}
