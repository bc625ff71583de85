import Foundation

extension SignalsReport {
    /// The version of `ops signals status --format json`; bumped when a field changes meaning or goes.
    public static let schemaVersion = 1

    /// Breaches, unit cost and what could not be judged (table); every check (JSON, schema in
    /// README; CSV, one row per check).
    public func render(_ format: OutputFormat) throws -> String {
        switch format {
        case .table: return table
        case .json: return try JSONOutput.render(JSONSignals(self))
        case .csv: return csv
        }
    }

    private func day(_ date: Date) -> String { String(LocalTime.format(date, zone: zone).prefix(10)) }

    private var span: String {
        let days = interval
        return "\(String(Timestamp.format(days.start).prefix(10))) to \(String(Timestamp.format(days.end.addingTimeInterval(-1)).prefix(10))), UTC"
    }

    // MARK: Table

    private var table: String {
        var lines = ["Signals for \(week) (\(span)); changes against \(baselineWeek)"]
        let judged = useCases.filter { $0.readings > 0 }
        let breaches = judged.flatMap { useCase in useCase.breaches.map { (useCase.useCase, $0) } }
        lines.append("")
        if judged.isEmpty {
            lines.append("No signal readings for \(week). Import them: ops slo import --csv signals.csv")
            return lines.joined(separator: "\n") + "\n"
        }
        if breaches.isEmpty {
            lines.append("No breaches.")
        } else {
            lines.append("\(breaches.count) breach\(breaches.count == 1 ? "" : "es"):")
            let rows = breaches.map { useCase, check in
                [
                    useCase, check.area.label, check.label, worst(check), check.breachText, check.level,
                    "\(check.breachingReadings) of \(check.readings)", check.channel ?? "– (no \(check.route ?? "route") channel)",
                ]
            }
            lines.append(
                TextTable(
                    headers: ["USE CASE", "AREA", "METRIC", "WORST", "BREACH WHEN", "LEVEL", "READINGS", "CHANNEL"],
                    rows: rows
                ).text.trimmingCharacters(in: .newlines))
        }

        let costs = judged.compactMap { useCase in useCase.unitCost.map { (useCase.useCase, $0) } }
        if !costs.isEmpty {
            lines += ["", "Unit cost per request (spend / requests over the week):"]
            let rows = costs.map { useCase, cost -> [String] in
                let target = cost.target.map { "≤ " + SignalFormat.value($0, unit: "usd") } ?? "–"
                let change = cost.change.map { (($0 >= 0 ? "+" : "") + SLONumber.percent($0)) } ?? "–"
                let over = cost.target.map { cost.ucr > $0 ? "OVER TARGET" : "ok" } ?? ""
                return [useCase, SignalFormat.value(cost.ucr, unit: "usd"), target, change, over]
            }
            lines.append(
                TextTable(headers: ["USE CASE", "UCR", "TARGET", "VS \(baselineWeek)", ""], rows: rows).text
                    .trimmingCharacters(in: .newlines))
        }

        lines.append("")
        let within = judged.map { "\($0.useCase) \($0.checks.count - $0.breaches.count) of \($0.checks.count)" }
        lines.append("Within thresholds: " + within.joined(separator: ", ") + " checks.")
        let silent = useCases.filter { $0.readings == 0 }.map(\.useCase)
        if !silent.isEmpty { lines.append("No readings for \(week): \(silent.joined(separator: ", ")).") }
        for (text, names) in grouped(judged.map { ($0.useCase, $0.missing.isEmpty ? nil : $0.missing.joined(separator: ", ")) }) {
            lines.append("Not judged, no readings: \(text) (\(names)).")
        }
        for (text, names) in grouped(judged.flatMap { useCase in useCase.notes.map { (useCase.useCase, Optional($0)) } }) {
            lines.append("Note: \(text) (\(names)).")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `0.34 on 2026-11-21`, `0.001957 USD, week`, `mean 4.1, was 4.45`.
    private func worst(_ check: SignalCheck) -> String {
        let value = SignalFormat.value(check.value, unit: check.unit)
        switch check.kind {
        case .drop: return "mean \(value), was \(SignalFormat.value(check.baseline ?? 0, unit: check.unit))"
        case .target, .threshold: return check.at.map { "\(value) on \(day($0))" } ?? "\(value), week"
        }
    }

    /// Identical texts said once, with the use cases they apply to (`every use case` for all).
    private func grouped(_ items: [(useCase: String, text: String?)]) -> [(String, String)] {
        var order: [String] = []
        var names: [String: [String]] = [:]
        for item in items {
            guard let text = item.text else { continue }
            if names[text] == nil { order.append(text) }
            names[text, default: []].append(item.useCase)
        }
        return order.map { text in
            (text, names[text]!.count == useCases.count && useCases.count > 1 ? "every use case" : names[text]!.joined(separator: ", "))
        }
    }

    // MARK: CSV

    static let csvHeaders = [
        "week", "use_case", "area", "metric", "kind", "value", "at", "baseline", "breach_when", "threshold",
        "level", "breached", "readings", "breaching_readings", "route", "channel", "subject",
    ]

    private var csv: String {
        let rows = useCases.flatMap { useCase in
            useCase.checks.map { check -> [String] in
                [
                    week.description, useCase.useCase, check.area.rawValue, check.metric, check.kind.rawValue, check.value.description,
                    check.at.map(Timestamp.format) ?? "", check.baseline?.description ?? "", check.breachWhen.comparison,
                    check.breachWhen.value.description, check.level, check.breached ? "yes" : "no", "\(check.readings)",
                    "\(check.breachingReadings)", check.route ?? "", check.channel ?? "", check.subject ?? "",
                ]
            }
        }
        return CSV.render(headers: Self.csvHeaders, rows: rows)
    }
}

/// The JSON document of `ops signals status --format json` (README, Release gate and signals).
private struct JSONSignals: Encodable {
    var schema_version = SignalsReport.schemaVersion
    var week: String
    var start: Date
    var end: Date
    var baseline_week: String
    var use_cases: [UseCase]

    init(_ report: SignalsReport) {
        week = report.week.description
        start = report.interval.start
        end = report.interval.end
        baseline_week = report.baselineWeek.description
        use_cases = report.useCases.map(UseCase.init)
    }

    struct UseCase: Encodable {
        var use_case: String
        var readings: Int
        var breaches: Int
        var checks: [Check]
        @NullWhenNil var unit_cost: Cost?
        var missing: [String]
        var notes: [String]

        init(_ signals: UseCaseSignals) {
            use_case = signals.useCase
            readings = signals.readings
            breaches = signals.breaches.count
            checks = signals.checks.map(Check.init)
            unit_cost = signals.unitCost.map(Cost.init)
            missing = signals.missing
            notes = signals.notes
        }
    }

    struct Check: Encodable {
        let check: SignalCheck

        init(_ check: SignalCheck) { self.check = check }

        func encode(to encoder: Encoder) throws {
            enum Key: String, CodingKey {
                case area, metric, subject, unit, kind, value, at, baseline, breach_when, threshold, level, breached, readings,
                    breaching_readings, route, channel
            }
            try encoder.encodeObject(
                Key.self,
                [
                    .area: check.area.rawValue, .metric: check.metric, .subject: check.subject, .unit: check.unit, .kind: check.kind.rawValue,
                    .value: check.value, .at: check.at,
                    .baseline: check.baseline, .breach_when: check.breachWhen.comparison, .threshold: check.breachWhen.value, .level: check.level,
                    .breached: check.breached, .readings: check.readings, .breaching_readings: check.breachingReadings, .route: check.route,
                    .channel: check.channel,
                ])
        }
    }

    struct Cost: Encodable {
        let cost: UnitCost

        init(_ cost: UnitCost) { self.cost = cost }

        func encode(to encoder: Encoder) throws {
            enum Key: String, CodingKey { case spend_usd, requests, ucr_usd, target, previous_ucr_usd, change }
            try encoder.encodeObject(
                Key.self,
                [
                    .spend_usd: cost.spend, .requests: cost.requests, .ucr_usd: cost.ucr, .target: cost.target, .previous_ucr_usd: cost.previous,
                    .change: cost.change,
                ])
        }
    }
}
