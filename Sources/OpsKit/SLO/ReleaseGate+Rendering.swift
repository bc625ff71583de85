import Foundation

extension ReleaseVerdict {
    /// The version of `ops release check --format json`; bumped when a field changes meaning or goes.
    public static let schemaVersion = 1

    /// The reason on one line (table), a JSON document (schema in README, Release gate and
    /// signals), or one CSV row.
    public func render(_ format: OutputFormat) throws -> String {
        switch format {
        case .table: return reason + "\n"
        case .json: return try JSONOutput.render(JSONVerdict(self))
        case .csv:
            return CSV.render(
                headers: [
                    "use_case", "sli", "verdict", "budget_consumed", "freeze", "freeze_action", "change", "approved_by",
                    "exception", "decision", "reason",
                ],
                rows: [
                    [
                        useCase, sli, allowed ? "allowed" : "frozen", consumed.map { "\($0)" } ?? "", freeze.scope.rawValue,
                        freeze.action ?? "", criterion ?? "", approvedBy ?? "", exception ? "yes" : "no", decision?.id ?? "", reason,
                    ]
                ])
        }
    }
}

/// The JSON document of `ops release check --format json`.
private struct JSONVerdict: Encodable {
    struct Freeze: Encodable {
        var scope: String
        var action: String?
        var at: Decimal?

        enum CodingKeys: String, CodingKey { case scope, action, at }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(scope, forKey: .scope)
            try container.encode(action, forKey: .action)
            try container.encode(at, forKey: .at)
        }
    }

    struct Crossed: Encodable {
        var at: Decimal
        var actions: [String]
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
    var budget_consumed: Double?
    var thresholds_crossed: [Crossed]
    var actions: [String]
    var freeze: Freeze
    var change: String?
    var approved_by: String?
    var exception: Bool
    var decision: Recorded?
    var notes: [String]

    init(_ verdict: ReleaseVerdict) {
        at = verdict.at
        use_case = verdict.useCase
        sli = verdict.sli
        self.verdict = verdict.allowed ? "allowed" : "frozen"
        allowed = verdict.allowed
        reason = verdict.reason
        policy = verdict.policyPath
        budget_consumed = verdict.consumed
        thresholds_crossed = verdict.crossed.map { Crossed(at: $0.at, actions: $0.actions) }
        actions = verdict.actions
        freeze = Freeze(scope: verdict.freeze.scope.rawValue, action: verdict.freeze.action, at: verdict.freeze.threshold)
        change = verdict.criterion
        approved_by = verdict.approvedBy
        exception = verdict.exception
        decision = verdict.decision.map { Recorded(id: $0.id, path: $0.path, new: verdict.decisionIsNew) }
        notes = verdict.notes
    }

    // Optionals are written as null, so every key is always there.
    func encode(to encoder: Encoder) throws {
        enum Key: String, CodingKey {
            case schema_version, at, use_case, sli, verdict, allowed, reason, policy, budget_consumed, thresholds_crossed, actions,
                freeze, change, approved_by, exception, decision, notes
        }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(schema_version, forKey: .schema_version)
        try container.encode(at, forKey: .at)
        try container.encode(use_case, forKey: .use_case)
        try container.encode(sli, forKey: .sli)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(allowed, forKey: .allowed)
        try container.encode(reason, forKey: .reason)
        try container.encode(policy, forKey: .policy)
        try container.encode(budget_consumed, forKey: .budget_consumed)
        try container.encode(thresholds_crossed, forKey: .thresholds_crossed)
        try container.encode(actions, forKey: .actions)
        try container.encode(freeze, forKey: .freeze)
        try container.encode(change, forKey: .change)
        try container.encode(approved_by, forKey: .approved_by)
        try container.encode(exception, forKey: .exception)
        try container.encode(decision, forKey: .decision)
        try container.encode(notes, forKey: .notes)
    }
}
