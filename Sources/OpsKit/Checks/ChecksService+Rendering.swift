import Foundation

extension ChecksService.Run {
    /// The version of `ops checks run --format json`; bumped when a field changes meaning or goes.
    public static let schemaVersion = 1

    /// Every check with what it computed and how it was judged (table: a block per check;
    /// JSON: schema in README; CSV: one row per check).
    public func render(_ format: OutputFormat) throws -> String {
        switch format {
        case .table: return table
        case .json: return try JSONOutput.render(JSONRun(self))
        case .csv: return csv
        }
    }

    private var table: String {
        var lines = ["Checks for \(week) (readings filed at \(Timestamp.format(at)))"]
        for useCase in Self.ordered(results.map(\.useCase)) {
            lines.append("")
            lines.append(useCase)
            for result in results where result.useCase == useCase {
                let verdict: String
                if let note = result.note {
                    verdict = "not judged: \(note)"
                } else if let level = result.level {
                    verdict = "\(level.uppercased()) (\(result.threshold))"
                } else {
                    verdict = "ok (\(result.threshold))"
                }
                lines.append("  \(result.test.label) of \(result.subject): \(result.valueText) — \(verdict)")
                if !result.computed.isEmpty { lines.append("    \(result.computed)") }
                if !result.rows.isEmpty { lines.append("    on \(result.rows)") }
                for example in result.examples { lines.append("    e.g. \(example)") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func ordered(_ names: [String]) -> [String] {
        var seen: [String] = []
        for name in names where !seen.contains(name) { seen.append(name) }
        return seen
    }

    static let csvHeaders = ["week", "use_case", "dataset", "test", "subject", "metric", "value", "level", "threshold", "note"]

    private var csv: String {
        CSV.render(
            headers: Self.csvHeaders,
            rows: results.map { result in
                [
                    week.description, result.useCase, result.dataset, result.test.rawValue, result.subject, result.test.metric,
                    result.recorded?.description ?? "", result.level ?? "", result.threshold, result.note ?? "",
                ]
            })
    }
}

/// The JSON document of `ops checks run --format json` (README, Drift and data-quality checks).
private struct JSONRun: Encodable {
    var schema_version = ChecksService.Run.schemaVersion
    var week: String
    var filed_at: Date
    var commit: String?
    var written: [String]
    var opened: [String]
    var checks: [Check]

    init(_ run: ChecksService.Run) {
        week = run.week.description
        filed_at = run.at
        commit = run.commit
        written = run.written
        opened = run.incidents.opened
        checks = run.results.map(Check.init)
    }

    struct Check: Encodable {
        let result: CheckResult

        init(_ result: CheckResult) { self.result = result }

        func encode(to encoder: Encoder) throws {
            enum Key: String, CodingKey {
                case use_case, dataset, test, subject, metric, value, statistic, level, threshold, computed, rows, examples, note
            }
            try encoder.encodeObject(
                Key.self,
                [
                    .use_case: result.useCase, .dataset: result.dataset, .test: result.test.rawValue, .subject: result.subject,
                    .metric: result.test.metric, .value: result.recorded, .statistic: result.statistic, .level: result.level,
                    .threshold: result.threshold, .computed: result.computed, .rows: result.rows, .examples: result.examples, .note: result.note,
                ])
        }
    }
}
