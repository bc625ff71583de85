public import Foundation

extension ResponseStats {
    /// The report as a table for a person at a terminal, JSON, or CSV (one row per group × metric).
    public func render(_ format: OutputFormat, zone: TimeZone) throws -> String {
        switch format {
        case .json: return try JSONOutput.render(self)
        case .csv: return csv
        case .table: return table(zone: zone)
        }
    }

    static let csvHeaders = [
        "group_by", "group", "metric", "count", "missing", "mean_seconds", "median_seconds",
        "p90_seconds", "max_seconds", "small_sample",
    ]

    private var csv: String {
        let rows = groups.flatMap { group in
            group.metrics.map { summary in
                [group.grouping?.rawValue ?? "all", group.key, summary.metric.rawValue, String(summary.count), String(summary.missing)]
                    + [summary.mean, summary.median, summary.p90, summary.max].map(Self.seconds)
                    + [String(summary.smallSample)]
            }
        }
        return CSV.render(headers: Self.csvHeaders, rows: rows)
    }

    /// Seconds as in the JSON: whole when whole, else a fraction; empty when unknown.
    private static func seconds(_ value: Double?) -> String {
        guard let value else { return "" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private func table(zone: TimeZone) -> String {
        var lines = ["Response times, \(scopeTitle(zone: zone)) (\(clockStartPhrase))", ""]

        // The star sits on each figure's own count: time to resolve can rest on two incidents
        // while time to acknowledge rests on ten.
        let anySmall = groups.contains { $0.metrics.contains(where: \.smallSample) }
        var table = TextTable(headers: ["GROUP", "METRIC", "N", "MISSING", "MEAN", "MEDIAN", "P90", "MAX"], rightAligned: [2, 3, 4, 5, 6, 7])
        for group in groups {
            for summary in group.metrics {
                let first = summary.metric == group.metrics.first?.metric
                // The space keeps counts aligned with those that carry the small-sample star.
                let mark = summary.smallSample ? "*" : anySmall ? " " : ""
                table.rows.append(
                    [first ? group.key : "", Self.shortName(summary.metric), String(summary.count) + mark, String(summary.missing)]
                        + [summary.mean, summary.median, summary.p90, summary.max].map { $0.map(DurationFormat.short) ?? "–" })
            }
        }
        lines.append(table.text.trimmingCharacters(in: .newlines))
        if anySmall {
            lines.append("* fewer than \(ResponseMetrics.smallSample) incidents in the figure: one outlier moves the mean.")
        }

        if !open.isEmpty {
            lines += ["", "Not yet resolved (in the figures they have reached):"]
            let columns = Self.aligned(
                open.map { item in
                    [item.id, item.severity, item.status.rawValue, item.age.map { DurationFormat.short($0) + " ago" } ?? "–"]
                })
            // The title takes what is left of 80 columns, so the ids and ages stay on one line.
            lines += zip(columns, open).map { line, item in line + "  " + IncidentRendering.oneLine(item.title, limit: Swift.max(16, 78 - line.count)) }
        }
        if !dataErrors.isEmpty {
            lines += ["", "Data errors (left out):"]
            // One pair per line (the JSON joins them with "; "), aligned under the first.
            for error in dataErrors {
                for (index, pair) in error.problem.components(separatedBy: "; ").enumerated() {
                    lines.append("  " + (index == 0 ? error.id : String(repeating: " ", count: error.id.count)) + "  " + pair)
                }
            }
        }

        lines += [
            "", "Each figure counts every incident that reached its clock point, resolved or not",
            "(time to resolve: resolved ones). Time to detect = detected_at − started_at.",
            "Acknowledge, mitigate, resolve count from \(clockStartDefinition).",
            "Missing: a clock point unknown, never counted as 0. Median: the middle value",
            "(mean of the two middle ones). p90: nearest rank, the smallest value with at",
            "least 90 % of the values at or below it.",
        ]
        lines += clockSources
        return lines.joined(separator: "\n") + "\n"
    }

    private func scopeTitle(zone: TimeZone) -> String {
        guard let scope else { return "all incidents" }
        if let label = scope.label { return label }
        return "\(LocalTime.format(scope.since, zone: zone)) to \(LocalTime.format(scope.until, zone: zone))"
    }

    private var clockStartPhrase: String {
        switch clockStart {
        case .started: return "clock starts at impact"
        case .detected: return "clock starts at detection"
        case .opened: return "clock starts when opened"
        }
    }

    private var clockStartDefinition: String {
        switch clockStart {
        case .started: return "started_at (missing when unknown)"
        case .detected: return "detected_at (opened_at when unknown)"
        case .opened: return "opened_at"
        }
    }

    private static func shortName(_ metric: ResponseMetric) -> String {
        switch metric {
        case .timeToDetect: return "detect"
        case .timeToAcknowledge: return "acknowledge"
        case .timeToMitigate: return "mitigate"
        case .timeToResolve: return "resolve"
        }
    }

    /// Rows in aligned columns, indented, without a header line (TextTable's header is just the first row).
    private static func aligned(_ rows: [[String]]) -> [String] {
        guard let first = rows.first else { return [] }
        return TextTable(headers: first, rows: Array(rows.dropFirst())).text
            .split(separator: "\n").map { "  " + $0 }
    }
}
