import Foundation

extension SLOStatusReport {
    /// The version of `ops slo status --format json`; bumped when a field changes meaning or goes.
    public static let schemaVersion = 1

    /// A block per SLO, and per use case the SLI that governs its gate, for a person (ANSI colour only when `colour`; the word carries it too),
    /// JSON (schema in README), or CSV (one row per SLO).
    public func render(_ format: OutputFormat, colour: Bool = false) throws -> String {
        switch format {
        case .json: return try JSONOutput.render(JSONReport(self))
        case .csv: return csv
        case .table: return table(colour: colour)
        }
    }

    // MARK: Table

    private func table(colour: Bool) -> String {
        var lines = ["SLO status at \(LocalTime.formatWithZone(at, zone: zone))"]
        if slos.isEmpty {
            lines += ["", "No SLOs with an error budget in \(SLOCatalog.path)."]
        }
        for (index, slo) in slos.enumerated() {
            defer {
                // After a use case's last SLO: which of them governs its release gate.
                if index == slos.count - 1 || slos[index + 1].useCase != slo.useCase,
                    let budget = useCases.first(where: { $0.useCase == slo.useCase })
                {
                    lines += Self.summary(budget)
                }
            }
            lines.append("")
            let word = slo.colour.map { $0.rawValue.uppercased() } ?? "NO DATA"
            let painted = colour ? Self.paint(word, slo.colour) : word
            lines.append("\(painted)  \(slo.useCase) \(slo.sli)")
            let span = "\(LocalTime.format(slo.interval.start, zone: zone)) to \(LocalTime.format(slo.interval.end, zone: zone))"
            lines.append("  objective    \(SLONumber.percent(SLONumber.double(slo.objective), digits: 4)) over \(slo.window) (\(span))")
            if let bound = slo.readingBound {
                let target = "\(bound.comparison.symbol) \(SignalFormat.value(bound.value, unit: slo.unit ?? ""))"
                lines.append(
                    "  readings     \(SLONumber.count(slo.good)) of \(SLONumber.count(slo.total)) met \(target), \(SLONumber.count(slo.bad)) missed")
            } else {
                lines.append("  events       \(SLONumber.count(slo.good)) good of \(SLONumber.count(slo.total)), \(SLONumber.count(slo.bad)) bad")
            }
            if let ratio = slo.errorRatio, let consumed = slo.consumed, let remaining = slo.remaining {
                lines.append("  error ratio  \(SLONumber.percent(ratio, digits: 4)) (budget \(SLONumber.percent(SLONumber.double(slo.budget), digits: 4)))")
                lines.append("  budget       \(SLONumber.percent(consumed)) consumed, \(SLONumber.percent(remaining)) left")
            }
            let rates = slo.burnRates.map { "\($0.span.rawValue) \($0.rate.map { String(format: "%.2f", $0) } ?? "–")" }
            lines.append("  burn rate    " + rates.joined(separator: "  "))
            let alerts = slo.burnRateAlerts
            if !alerts.isEmpty {
                let spans = alerts.map { "\(BurnRateAlert.rate($0.rate)) over \($0.span.rawValue)" }
                lines.append("  BURN ALERT   above alert_burn_rate \(slo.alertBurnRate): \(spans.joined(separator: ", "))")
            }
            if slo.crossed.isEmpty {
                lines.append(
                    "  thresholds   "
                        + (slo.policy.map { policy in
                            policy.burnAlerts.isEmpty ? "none in the policy" : "none crossed (first at \(SLONumber.percentText(policy.burnAlerts[0].at)))"
                        } ?? "no policy"))
            } else {
                lines += SLOReportText.labelled("  crossed      ", slo.crossed.map { "\(SLONumber.percentText($0.at)) → \(SLOReportText.actions($0.actions))" })
            }
            if let policy = slo.policy { lines.append("  policy       \(policy.path)") }
            if let caution = slo.caution { lines.append("  CAUTION      \(caution)") }
            for note in slo.notes { lines.append("  note         \(note)") }
        }
        lines += [
            "", "Consumed = bad / (budget × total events in the window); burn rate = error ratio / budget",
            "(1 = spending exactly the budget over the window). – : no imported step lies wholly in that span.",
            "A threshold SLI counts each reading as an event, bad when it misses its target. The SLI with",
            "the most of its budget consumed governs the use case's release gate (ops release check).",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A use case's governing SLI and what the gate answers an ordinary release.
    private static func summary(_ budget: UseCaseBudget) -> [String] {
        var lines = [""]
        if let governing = budget.governing, let consumed = governing.consumed {
            let of = budget.slis.count > 1 ? "; the worst of \(budget.slis.count) SLIs" : ""
            lines.append("\(budget.useCase)  governed by \(governing.sli) (\(SLONumber.percent(consumed)) of its budget used\(of))")
        } else {
            lines.append("\(budget.useCase)  no SLI has data")
        }
        if let verdict = budget.verdict {
            lines.append("  release      \(verdict.reason)")
            if let warning = verdict.warning { lines.append("  WARNING      \(warning)") }
        } else {
            lines.append(
                "  release      no error-budget policy (\(ErrorBudgetPolicy.path(for: budget.useCase))): the release gate has nothing to enforce")
        }
        return lines
    }

    private static func paint(_ word: String, _ colour: BudgetColour?) -> String {
        let code: String
        switch colour {
        case .green: code = "32"
        case .yellow: code = "33"
        case .red: code = "31"
        case nil: code = "2"
        }
        return "\u{1B}[1;\(code)m\(word)\u{1B}[0m"
    }

    // MARK: CSV

    static let csvHeaders =
        [
            "use_case", "sli", "objective", "window", "window_start", "window_end", "good", "total", "bad",
            "error_ratio", "budget_consumed", "budget_remaining",
        ]
        + BurnSpan.allCases.map { "burn_rate_\($0.rawValue)" }
        + ["colour", "thresholds_crossed", "actions", "policy", "caution", "kind", "target", "alert_burn_rate", "burn_rate_alerts"]

    private var csv: String {
        let rows = slos.map { slo -> [String] in
            [
                slo.useCase, slo.sli, slo.objective.description, slo.window.description, Timestamp.format(slo.interval.start),
                Timestamp.format(slo.interval.end), slo.good.description, slo.total.description, slo.bad.description,
                Self.number(slo.errorRatio), Self.number(slo.consumed), Self.number(slo.remaining),
            ]
                + slo.burnRates.map { Self.number($0.rate) }
                + [
                    slo.colour?.rawValue ?? "", slo.crossed.map { $0.at.description }.joined(separator: ";"),
                    slo.actions.joined(separator: ";"), slo.policy?.path ?? "", slo.caution ?? "", slo.kind.rawValue,
                    slo.readingBound.map { "\($0.comparison.rawValue) \($0.value)" } ?? "", slo.alertBurnRate.description,
                    slo.burnRateAlerts.map { $0.span.rawValue }.joined(separator: ";"),
                ]
        }
        return CSV.render(headers: Self.csvHeaders, rows: rows)
    }

    private static func number(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
}

/// The JSON document of `ops slo status --format json` (README, SLOs and error budgets).
private struct JSONReport: Encodable {
    var schema_version = SLOStatusReport.schemaVersion
    var at: Date
    var slos: [JSONStatus]
    var use_cases: [JSONUseCase]

    init(_ report: SLOStatusReport) {
        at = report.at
        slos = report.slos.map(JSONStatus.init)
        use_cases = report.useCases.map(JSONUseCase.init)
    }
}

/// A use case's SLIs judged together: the governing one and the gate's answer to an ordinary release.
private struct JSONUseCase: Encodable {
    var use_case: String
    @NullWhenNil var policy: String?
    @NullWhenNil var error_budget_policy: String?
    var slis: [String]
    @NullWhenNil var governing_sli: String?
    @NullWhenNil var budget_consumed: Double?
    @NullWhenNil var verdict: String?
    @NullWhenNil var reason: String?
    @NullWhenNil var freeze: SLOJSON.Freeze?
    @NullWhenNil var warning: String?
    var burn_rate_alerts: [SLOJSON.BurnAlert]

    init(_ budget: UseCaseBudget) {
        use_case = budget.useCase
        policy = budget.policy?.path
        error_budget_policy = budget.policy?.mode.rawValue
        slis = budget.slis.map(\.sli)
        governing_sli = budget.governing?.sli
        budget_consumed = budget.governing?.consumed
        let verdict = budget.verdict
        self.verdict = verdict?.word
        reason = verdict?.reason
        freeze = verdict.map(SLOJSON.Freeze.init)
        warning = verdict?.warning
        burn_rate_alerts = budget.slis.flatMap { slo in slo.burnRateAlerts.map { SLOJSON.BurnAlert(sli: slo.sli, span: $0.span, rate: $0.rate) } }
    }
}

private struct JSONStatus: Encodable {
    let status: ErrorBudgetStatus

    init(_ status: ErrorBudgetStatus) { self.status = status }

    struct Window: Encodable {
        var name: String
        var start: Date
        var end: Date
    }

    struct Target: Encodable {
        var comparison: String
        var value: Decimal
        var unit: String
    }

    struct BurnAlert: Encodable {
        var span: String
        var rate: Double
    }

    enum Key: String, CodingKey {
        case use_case, sli, kind, target, objective, budget, window, policy, good, total, bad, data_until, error_ratio,
            budget_consumed, budget_remaining, burn_rates, alert_burn_rate, burn_rate_alerts, thresholds_crossed, actions,
            colour, caution, notes
    }

    func encode(to encoder: Encoder) throws {
        // A span's rate is null when the span has no readings: the key stays.
        let rates = Dictionary(status.burnRates.map { ($0.span.rawValue, NullWhenNil(wrappedValue: $0.rate)) }, uniquingKeysWith: { $1 })
        try encoder.encodeObject(
            Key.self,
            [
                .use_case: status.useCase, .sli: status.sli, .kind: status.kind.rawValue,
                .target: status.readingBound.map { Target(comparison: $0.comparison.rawValue, value: $0.value, unit: status.unit ?? "") },
                .objective: status.objective, .budget: status.budget,
                .window: Window(name: status.window.description, start: status.interval.start, end: status.interval.end), .policy: status.policy?.path,
                .good: status.good, .total: status.total, .bad: status.bad, .data_until: status.dataUntil, .error_ratio: status.errorRatio,
                .budget_consumed: status.consumed, .budget_remaining: status.remaining, .burn_rates: rates,
                .alert_burn_rate: status.alertBurnRate,
                .burn_rate_alerts: status.burnRateAlerts.map { BurnAlert(span: $0.span.rawValue, rate: $0.rate) },
                .thresholds_crossed: status.crossed.map(SLOJSON.Crossed.init), .actions: status.actions,
                .colour: status.colour?.rawValue, .caution: status.caution, .notes: status.notes,
            ])
    }
}
