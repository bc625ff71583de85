internal import CSV
import Foundation

/// The two CSV shapes `ops slo import --csv` reads (README, SLOs and error budgets):
/// event counts per window (`window_start,window_end,use_case,sli,good,total`) and
/// long-format gauge signals (`timestamp,use_case,metric,value,unit`). Columns may come in
/// any order; other columns are ignored.
enum SLOCSV {
    static let eventColumns = ["window_start", "window_end", "use_case", "sli", "good", "total"]
    static let signalColumns = ["timestamp", "use_case", "metric", "value", "unit"]

    /// A record and the file line it starts on.
    struct Row {
        var line: Int
        var fields: [String: String]
    }

    enum Shape { case events, signals }

    struct Table {
        var shape: Shape
        var rows: [Row]
    }

    /// Parses with yaslab/CSV.swift (RFC 4180 quoting); lines are counted here, since a quoted
    /// field may hold line breaks and errors must name the line a person sees in an editor.
    static func read(_ data: Data, file: String) throws -> Table {
        guard var text = String(data: data, encoding: .utf8) else {
            throw OpsError.file(file, line: nil, "is not UTF-8 text", fix: "Save it as UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: true)
        var line = 1
        var header: [String]?
        var headerIndex: [String: Int] = [:]
        var shape = Shape.events
        var rows: [Row] = []
        while let record = reader.next() {
            let start = line
            line += 1 + record.reduce(0) { $0 + lineBreaks(in: $1) }
            if record.allSatisfy(\.isEmpty) { continue }  // a blank line
            guard let columns = header else {
                let names = record.map { $0.lowercased() }
                if Set(eventColumns).isSubset(of: names) {
                    shape = .events
                } else if Set(signalColumns).isSubset(of: names) {
                    shape = .signals
                } else {
                    throw OpsError.file(
                        file, line: start, "the header is neither of the two shapes ops reads",
                        fix: "Use \(eventColumns.joined(separator: ",")) (event counts) or \(signalColumns.joined(separator: ",")) (signals)")
                }
                header = names
                for (index, name) in names.enumerated() where headerIndex[name] == nil { headerIndex[name] = index }
                continue
            }
            guard record.count == columns.count else {
                throw OpsError.file(
                    file, line: start, "\(record.count) fields, but the header has \(columns.count)",
                    fix: "Quote fields that hold a comma")
            }
            var fields: [String: String] = [:]
            for (name, index) in headerIndex { fields[name] = record[index] }
            rows.append(Row(line: start, fields: fields))
        }
        if let error = reader.error { throw OpsError.file(file, line: line, "cannot be read as CSV: \(error)") }
        guard header != nil else { throw OpsError.file(file, line: 1, "is empty: it has no header line") }
        guard !rows.isEmpty else { throw OpsError.file(file, line: 2, "has a header but no rows") }
        return Table(shape: shape, rows: rows)
    }

    /// Line breaks inside a quoted field (CRLF counted once), to keep file lines right.
    static func lineBreaks(in field: String) -> Int {
        var count = 0
        var previousCR = false
        for scalar in field.unicodeScalars {
            if scalar == "\r" { count += 1 } else if scalar == "\n" && !previousCR { count += 1 }
            previousCR = scalar == "\r"
        }
        return count
    }

    // MARK: Checked rows

    /// Event counts by use case and indicator, each series in time order without overlaps.
    static func events(_ table: Table, file: String, catalog: SLOCatalog) throws -> [Series: [EventCounts]] {
        var result: [Series: [EventCounts]] = [:]
        var lastLine: [Series: Int] = [:]
        for row in table.rows {
            func fail(_ problem: String, fix: String? = nil) -> OpsError { OpsError.file(file, line: row.line, problem, fix: fix) }
            let useCase = row.fields["use_case"]!, sli = row.fields["sli"]!
            try checkIndicator(useCase: useCase, sli: sli, catalog: catalog, fail: fail)
            guard let start = Timestamp.parse(row.fields["window_start"]!), let end = Timestamp.parse(row.fields["window_end"]!) else {
                throw fail("window_start and window_end must be times like 2026-11-16T00:00:00Z")
            }
            guard end > start else { throw fail("window_end is not after window_start") }
            guard let good = SLONumber.decimal(row.fields["good"]!), let total = SLONumber.decimal(row.fields["total"]!) else {
                throw fail("good `\(row.fields["good"]!)` and total `\(row.fields["total"]!)` must be numbers")
            }
            guard good >= 0, total >= 0 else { throw fail("negative count (good \(good), total \(total)): a count of events cannot be") }
            guard good <= total else { throw fail("good (\(good)) is more than total (\(total))") }
            let series = Series(useCase: useCase, name: sli)
            let step = EventCounts(start: start, end: end, good: good, total: total)
            if let previous = result[series]?.last {
                if previous.start == start {
                    throw fail("\(useCase) \(sli) from \(Timestamp.format(start)) is listed twice (also line \(lastLine[series]!))")
                }
                if start < previous.end {
                    throw fail(
                        "\(useCase) \(sli) from \(Timestamp.format(start)) is out of order or overlaps line \(lastLine[series]!) (which ends \(Timestamp.format(previous.end)))",
                        fix: "Sort by window_start; windows must not overlap")
                }
            }
            result[series, default: []].append(step)
            lastLine[series] = row.line
        }
        return result
    }

    /// Signal readings by use case, each metric in time order, units as the catalog says.
    static func signals(_ table: Table, file: String, catalog: SLOCatalog) throws -> [String: [SignalValue]] {
        var result: [String: [SignalValue]] = [:]
        var last: [Series: (at: Date, line: Int)] = [:]
        for row in table.rows {
            func fail(_ problem: String, fix: String? = nil) -> OpsError { OpsError.file(file, line: row.line, problem, fix: fix) }
            let useCase = row.fields["use_case"]!, metricName = row.fields["metric"]!, unit = row.fields["unit"]!
            guard catalog.useCase(useCase) != nil else {
                throw fail("unknown use case `\(useCase)`", fix: "\(SLOCatalog.path) knows \(catalog.useCases.map(\.name).joined(separator: ", "))")
            }
            guard let metric = catalog.metric(metricName) else {
                throw fail(
                    "unknown metric `\(metricName)`",
                    fix: "Add it to `metrics` in \(SLOCatalog.path), or use one of \(catalog.metrics.map(\.name).joined(separator: ", "))")
            }
            guard unit == metric.unit else {
                throw fail(
                    "unit `\(unit)` of \(metricName) contradicts \(SLOCatalog.path), which says \(metric.unit)",
                    fix: "Convert the values to \(metric.unit)")
            }
            guard let at = Timestamp.parse(row.fields["timestamp"]!) else {
                throw fail("timestamp `\(row.fields["timestamp"]!)` is not a time like 2026-11-16T12:00:00Z")
            }
            guard let value = SLONumber.decimal(row.fields["value"]!) else {
                throw fail("value `\(row.fields["value"]!)` of \(metricName) is not a number")
            }
            let series = Series(useCase: useCase, name: metricName)
            if let previous = last[series] {
                if previous.at == at { throw fail("\(useCase) \(metricName) at \(Timestamp.format(at)) is listed twice (also line \(previous.line))") }
                if at < previous.at {
                    throw fail(
                        "\(useCase) \(metricName) at \(Timestamp.format(at)) is out of order: line \(previous.line) has \(Timestamp.format(previous.at))",
                        fix: "Sort by timestamp")
                }
            }
            last[series] = (at, row.line)
            result[useCase, default: []].append(SignalValue(at: at, metric: metricName, value: value, unit: unit))
        }
        return result
    }

    /// A use case and an indicator or metric.
    struct Series: Hashable, Comparable {
        var useCase: String
        var name: String

        static func < (a: Series, b: Series) -> Bool { (a.useCase, a.name) < (b.useCase, b.name) }
    }

    /// The use case must be in the catalog and the indicator one of its event-based ones.
    static func checkIndicator(useCase: String, sli: String, catalog: SLOCatalog, fail: (String, String?) -> OpsError) throws {
        guard let entry = catalog.useCase(useCase) else {
            throw fail("unknown use case `\(useCase)`", "\(SLOCatalog.path) knows \(catalog.useCases.map(\.name).joined(separator: ", "))")
        }
        guard let indicator = entry.indicator(sli), indicator.isEventBased else {
            let known = entry.eventIndicators.map(\.name)
            throw fail(
                entry.indicator(sli) == nil
                    ? "unknown SLI `\(sli)` for \(useCase)" : "\(useCase) \(sli) is a gauge in \(SLOCatalog.path), not counted from good and total events",
                known.isEmpty ? "Give it an objective and window in \(SLOCatalog.path)" : "Event-based SLIs of \(useCase): \(known.joined(separator: ", "))")
        }
    }
}
