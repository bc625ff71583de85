import Foundation

extension ReleaseVerdict {
    /// The version of `ops release check --format json`; bumped when a field changes meaning or goes.
    public static let schemaVersion = 1

    /// `allowed` or `frozen`: the verdict in one word, as the JSON and CSV of `ops release check`
    /// and the JSON of `ops slo status` write it.
    var word: String { allowed ? "allowed" : "frozen" }

    /// The reason on one line (table; warnings go to standard error), a JSON document (schema in README, Release gate and
    /// signals), or one CSV row.
    public func render(_ format: OutputFormat) throws -> String {
        switch format {
        case .table: return reason + "\n"
        case .json: return try JSONOutput.render(JSONVerdict(self))
        case .csv:
            return CSV.render(
                headers: [
                    "use_case", "sli", "verdict", "budget_consumed", "freeze", "freeze_action", "change", "approved_by",
                    "exception", "decision", "reason", "error_budget_policy", "warning", "burn_rate_alerts",
                ],
                rows: [
                    [
                        useCase, sli, word, consumed.map { "\($0)" } ?? "", freeze.scope.rawValue,
                        freeze.action ?? "", criterion ?? "", approvedBy ?? "", exception ? "yes" : "no", decision?.id ?? "", reason,
                        mode.rawValue, warning ?? "", burnRateAlerts.map { "\($0.sli) \($0.span.rawValue) \($0.rate)" }.joined(separator: ";"),
                    ]
                ])
        }
    }
}

/// The JSON document of `ops release check --format json`.
private struct JSONVerdict: Encodable {
    /// One SLI of the use case as the gate judged it.
    struct SLI: Encodable {
        var sli: String
        var kind: String
        var governing: Bool
        @NullWhenNil var budget_consumed: Double?
        @NullWhenNil var budget_remaining: Double?
        var thresholds_crossed: [Decimal]
    }

    /// The signed approval that let the change through a full freeze.
    struct Approval: Encodable {
        var id: String
        var path: String
        var commit: String
        var approver: String
        var until: Date
    }

    struct Recorded: Encodable {
        var id: String
        var path: String
        var new: Bool
    }

    var schema_version = ReleaseVerdict.schemaVersion
    var at: Date
    var use_case: String
    var sli: String
    var verdict: String
    var allowed: Bool
    var reason: String
    var policy: String
    @NullWhenNil var budget_consumed: Double?
    var thresholds_crossed: [SLOJSON.Crossed]
    var actions: [String]
    var freeze: SLOJSON.Freeze
    @NullWhenNil var change: String?
    @NullWhenNil var approved_by: String?
    @NullWhenNil var approval: Approval?
    var exception: Bool
    @NullWhenNil var decision: Recorded?
    var notes: [String]
    var error_budget_policy: String
    var slis: [SLI]
    @NullWhenNil var warning: String?
    var alert_burn_rate: Decimal
    var burn_rate_alerts: [SLOJSON.BurnAlert]

    init(_ verdict: ReleaseVerdict) {
        at = verdict.at
        use_case = verdict.useCase
        sli = verdict.sli
        self.verdict = verdict.word
        allowed = verdict.allowed
        reason = verdict.reason
        policy = verdict.policyPath
        budget_consumed = verdict.consumed
        thresholds_crossed = verdict.crossed.map(SLOJSON.Crossed.init)
        actions = verdict.actions
        freeze = SLOJSON.Freeze(verdict)
        change = verdict.criterion
        approved_by = verdict.approvedBy
        approval = verdict.approval.map { checked in
            Approval(
                id: checked.approval.id.description, path: checked.approval.path, commit: checked.commit, approver: checked.approver ?? "",
                until: checked.approval.until)
        }
        exception = verdict.exception
        decision = verdict.decision.map { Recorded(id: $0.id, path: $0.path, new: verdict.decisionIsNew) }
        notes = verdict.notes
        error_budget_policy = verdict.mode.rawValue
        slis = verdict.slis.map { slo in
            SLI(
                sli: slo.sli, kind: slo.kind.rawValue, governing: slo.sli == verdict.sli, budget_consumed: slo.consumed,
                budget_remaining: slo.remaining, thresholds_crossed: slo.crossed.map(\.at))
        }
        warning = verdict.warning
        alert_burn_rate = verdict.alertBurnRate
        burn_rate_alerts = verdict.burnRateAlerts.map(SLOJSON.BurnAlert.init)
    }
}
