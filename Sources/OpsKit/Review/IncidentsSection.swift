import Foundation

/// 2. Incidents: how many opened by severity, response times against the week before, the trend
/// of the last weeks, and what was still open at the week's end.
struct IncidentsSection: ReviewSection {
    static let responseMetrics: [(metric: ResponseMetric, label: String)] = [
        (.timeToAcknowledge, "TTA"), (.timeToMitigate, "TTM"), (.timeToResolve, "TTR"),
    ]

    /// One response metric over one week's incidents.
    struct Summary: Encodable {
        var count: Int
        var missing: Int
        var median: Seconds
        var p90: Seconds

        init(_ summary: ResponseStats.MetricSummary) {
            count = summary.count
            missing = summary.missing
            median = Seconds(value: summary.median)
            p90 = Seconds(value: summary.p90)
        }

        enum CodingKeys: String, CodingKey { case count, missing, median = "median_seconds", p90 = "p90_seconds" }
    }

    /// A change in seconds from the week before: `+12m`, `−3m`, `±0s` in the template.
    struct Change: ReviewFigure {
        var now: Double?
        var before: Double?

        var markdown: String { ReviewMarkdown.change(now, before) }
        var json: JSONNumber { JSONNumber(now.flatMap { now in before.map { now - $0 } }) }
    }

    /// This week's figure of one metric, and last week's.
    struct Response: Encodable {
        var metric: ResponseMetric
        var now: Summary
        var previous: Summary

        enum CodingKeys: String, CodingKey {
            case count, missing, median = "median_seconds", p90 = "p90_seconds", previousMedian = "previous_median_seconds",
                previousP90 = "previous_p90_seconds", medianChange = "median_change_seconds", p90Change = "p90_change_seconds"
        }

        var medianChange: Change { Change(now: now.median.value, before: previous.median.value) }
        var p90Change: Change { Change(now: now.p90.value, before: previous.p90.value) }

        func encode(to encoder: any Encoder) throws {
            try encoder.encodeObject(
                CodingKeys.self,
                [
                    .count: now.count, .missing: now.missing, .median: now.median, .p90: now.p90, .previousMedian: previous.median,
                    .previousP90: previous.p90, .medianChange: medianChange, .p90Change: p90Change,
                ])
        }
    }

    /// The response figures of one week of the trend.
    struct TrendWeek: Encodable {
        var week: String
        var incidents: Int
        var settled: Int
        var metrics: [String: Summary]

        subscript(metric: ResponseMetric) -> Summary { metrics[metric.rawValue]! }
    }

    struct OpenIncident: Encodable {
        var id: String
        var title: UserText
        var severity: UserText
        var status: String
    }

    struct DataError: Encodable {
        var id: String
        var problem: UserText
    }

    var opened: Int
    var active: Int
    var counted: Int
    var settled: Int
    var smallSample: Bool
    /// Every level of ops.yaml (zeros too, so weeks compare), then unknown ones.
    var bySeverity: [(severity: String, count: Int)]
    var clockStart: String
    var response: [Response]
    var trend: [TrendWeek]
    var open: [OpenIncident]
    var dataErrors: [DataError]

    enum CodingKeys: String, CodingKey {
        case opened, active, counted, settled, smallSample = "small_sample", bySeverity = "by_severity", clockStart = "clock_start",
            response, trend, open, dataErrors = "data_errors"
    }

    /// `openedIncidents` the incidents opened in the week, `active` how many overlap it; `trend`
    /// the response figures of each week of the trend, oldest first, ending with this one.
    init(opened openedIncidents: [Incident], active: Int, config: OpsConfig, trend: [(week: ISOWeek, stats: ResponseStats)]) {
        precondition(trend.count >= 2, "the trend holds at least this week and the one before")
        let current = trend[trend.count - 1].stats, all = current.groups[0], before = trend[trend.count - 2].stats.groups[0]
        opened = openedIncidents.count
        self.active = active
        counted = all.incidents
        settled = all.settled
        smallSample = all.smallSample
        let unknown = Dictionary(grouping: openedIncidents.filter { config.severity(named: $0.severity) == nil }, by: \.severity)
        bySeverity =
            config.severities.map { level in (level.id, openedIncidents.filter { config.severity(named: $0.severity)?.id == level.id }.count) }
            + unknown.keys.sorted().map { ($0, unknown[$0]!.count) }
        clockStart = config.clockStart.rawValue
        response = Self.responseMetrics.map { Response(metric: $0.metric, now: Summary(all[$0.metric]), previous: Summary(before[$0.metric])) }
        self.trend = trend.map { week, stats in
            let group = stats.groups[0]
            return TrendWeek(
                week: week.description, incidents: group.incidents, settled: group.settled,
                metrics: Dictionary(uniqueKeysWithValues: Self.responseMetrics.map { ($0.metric.rawValue, Summary(group[$0.metric])) }))
        }
        open = current.open.map { OpenIncident(id: $0.id, title: UserText($0.title), severity: UserText($0.severity), status: $0.status.rawValue) }
        dataErrors = current.dataErrors.map { DataError(id: $0.id, problem: UserText($0.problem)) }
    }

    func encode(to encoder: any Encoder) throws {
        try encoder.encodeObject(
            CodingKeys.self,
            [
                .opened: opened, .active: active, .counted: counted, .settled: settled, .smallSample: smallSample,
                .bySeverity: Dictionary(bySeverity.map { ($0.severity, $0.count) }, uniquingKeysWith: +), .clockStart: clockStart,
                .response: Dictionary(uniqueKeysWithValues: response.map { ($0.metric.rawValue, $0) }), .trend: trend, .open: open, .dataErrors: dataErrors,
            ])
    }

    struct Template: Encodable {
        struct Severity: Encodable {
            var severity: UserText
            var count: Int
        }

        struct ResponseRow: Encodable {
            var metric: String
            var name: String
            var n: Int
            var missing: Int
            var median: Seconds
            var p90: Seconds
            var medianChange: Change
            var p90Change: Change

            enum CodingKeys: String, CodingKey { case metric, name, n, missing, median, p90, medianChange = "median_change", p90Change = "p90_change" }
        }

        struct TrendRow: Encodable {
            var week: String
            var n: Int
            var tta: Seconds
            var ttm: Seconds
            var ttr: Seconds
            var ttrP90: Seconds

            enum CodingKeys: String, CodingKey { case week, n, tta, ttm, ttr, ttrP90 = "ttr_p90" }
        }

        var opened: Int
        var active: Int
        var incidentsNone: String
        var severities: [Severity]
        var counted: Int
        var settled: Int
        var smallSample: String
        var response: [ResponseRow]
        var trend: [TrendRow]
        var openIncidents: [OpenIncident]
        var dataErrors: [DataError]

        enum CodingKeys: String, CodingKey {
            case opened, active, incidentsNone = "incidents_none", severities, counted, settled, smallSample = "small_sample", response, trend,
                openIncidents = "open_incidents", dataErrors = "data_errors"
        }
    }

    var template: Template {
        // Each figure has its own n: flag the ones resting on too few incidents.
        let label = Dictionary(uniqueKeysWithValues: Self.responseMetrics.map { ($0.metric, $0.label) })
        let small = response.filter { $0.now.count < ResponseMetrics.smallSample }.map { label[$0.metric]! }
        return Template(
            opened: opened, active: active, incidentsNone: active == 0 ? "No incidents were open during this week." : "",
            severities: bySeverity.map { Template.Severity(severity: UserText($0.severity), count: $0.count) },
            counted: counted, settled: settled,
            smallSample: small.isEmpty
                ? ""
                : "Fewer than \(ResponseMetrics.smallSample) incidents behind \(small.joined(separator: ", ")): one outlier moves \(small.count == 1 ? "it" : "them").",
            response: response.map {
                Template.ResponseRow(
                    metric: label[$0.metric]!, name: $0.metric.rawValue.replacingOccurrences(of: "_", with: " "), n: $0.now.count,
                    missing: $0.now.missing, median: $0.now.median, p90: $0.now.p90, medianChange: $0.medianChange, p90Change: $0.p90Change)
            },
            trend: trend.map {
                Template.TrendRow(
                    week: $0.week, n: $0.incidents, tta: $0[.timeToAcknowledge].median, ttm: $0[.timeToMitigate].median,
                    ttr: $0[.timeToResolve].median, ttrP90: $0[.timeToResolve].p90)
            },
            openIncidents: open, dataErrors: dataErrors)
    }
}
