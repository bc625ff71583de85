public import Foundation

/// `ops release check`: may a release of a use case ship now? Its error-budget policy decides,
/// over every SLI of the use case: the SLI with the most of its budget spent governs, the burn
/// thresholds it has crossed call for actions, an action that freezes releases holds every
/// change but the exceptions the policy lists, and an exception to a full freeze needs the
/// policy's approver and is recorded as an accepted decision. An alert-only policy
/// (`error_budget_policy: alert`) freezes nothing. Allowed with less than 10 % of the budget
/// left is allowed with a warning, as the seed's `should_allow_deployment` says "proceed with
/// caution"; a burn rate above the policy's `alert_burn_rate` is reported.
public struct ReleaseGate {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// What is being released, and the exception it claims.
    public struct Request: Sendable {
        public var useCase: String
        /// The exception criterion the change falls under (`security_fix`), as the policy's
        /// `freeze_release_exceptions.criteria` name it; nil for an ordinary release.
        public var change: String?
        /// Who approved the exception: the policy's approver (or the person holding that title).
        public var approvedBy: String?

        public init(useCase: String, change: String? = nil, approvedBy: String? = nil) {
            self.useCase = useCase
            self.change = change
            self.approvedBy = approvedBy
        }
    }

    /// The exception a request claims, checked against the policy: the names as the policy
    /// writes them.
    struct Claim: Sendable, Equatable {
        var criterion: String?
        var approver: String?
        /// The ops.yaml person the approver is, when exactly one matches: the decider on record.
        var approverHandle: String?
        /// The signed approval of the criterion that lets it through a full freeze now.
        var approval: CheckedApproval?
        /// Without one: the newest approval of the criterion, and why it does not count.
        var refused: CheckedApproval?
    }

    /// Judges the release as of the workspace clock. Bad input (an unknown use case, no policy,
    /// a change no criterion matches, an approver who is not the policy's) throws before anything
    /// is read or written. An approved exception to a full freeze is recorded as an accepted
    /// decision, once per change, approver and week; `author` is asked only then.
    public func check(_ request: Request, author: () throws -> Author) throws -> ReleaseVerdict {
        let config = try workspace.config()
        let policy = try Self.policy(of: request.useCase, in: workspace)
        var claim = try Self.claim(request, policy: policy, config: config)
        let now = workspace.clock()
        let report = try SLOStatusService(workspace).status(useCase: request.useCase, at: now)
        let statuses = report.slos.filter { $0.useCase == request.useCase }
        guard !statuses.isEmpty else {
            throw OpsError.input(
                "\(request.useCase) has no indicator with an error budget in \(SLOCatalog.path) for \(policy.path) to govern. Add one, like availability: {objective: 99.9%, window: rolling_30d}, or give a gauge an objective and a window: latency_p95_ms: {at_most: 1200, objective: 90%, window: rolling_30d}"
            )
        }
        var verdict = Self.verdict(statuses, policy: policy, claim: claim, at: now)
        // A full freeze lets a change through only on a signed approval: looked for only then, as
        // checking a signature runs ssh-keygen.
        if !verdict.allowed, verdict.freeze.scope == .all, let criterion = claim.criterion {
            let search = try ApprovalService(workspace).search(useCase: request.useCase, criterion: criterion, policy: policy, at: now)
            claim.approval = search.valid
            claim.refused = search.refused
            if let approver = claim.approval?.approver {
                claim.approver = approver
                claim.approverHandle = config.people.first { $0.email.caseInsensitiveCompare(approver) == .orderedSame }?.handle
            }
            verdict = Self.verdict(statuses, policy: policy, claim: claim, at: now)
            verdict.notes += search.unreadable.map { "\($0) (this approval is not read)" }
        }
        if verdict.allowed && verdict.exception && verdict.freeze.scope == .all, let criterion = claim.criterion,
            let approval = claim.approval, let approver = approval.approver,
            let status = statuses.first(where: { $0.sli == verdict.sli })
        {
            // A pipeline that checks out a commit (detached HEAD) has no branch to record on: the
            // signed approval is the record then, and the line says so.
            if try workspace.isOnBranch() {
                try record(
                    &verdict, status: status, policy: policy, criterion: criterion, approver: approver, approval: approval,
                    approverHandle: claim.approverHandle, config: config, author: author)
            } else {
                verdict.notes.append(
                    "HEAD is detached, so the exception is not recorded as a decision here; the signed approval \(approval.approval.path) is its record")
            }
        }
        return verdict
    }

    // MARK: Checking the request

    /// The error-budget policy of a use case the catalog knows; an unknown use case, or one with
    /// no policy, is bad input.
    static func policy(of useCase: String, in workspace: Workspace) throws -> ErrorBudgetPolicy {
        let catalog = try SLOCatalog.load(from: workspace)
        guard catalog.useCase(useCase) != nil else {
            throw OpsError.input("unknown use case '\(useCase)'. \(SLOCatalog.path) knows \(catalog.useCases.map(\.name).joined(separator: ", "))")
        }
        guard let policy = try ErrorBudgetPolicy.load(for: useCase, from: workspace) else {
            throw OpsError.input(
                "\(useCase) has no error-budget policy (\(ErrorBudgetPolicy.path(for: useCase))), so the release gate has nothing to enforce. Write one (README, Error-budget policies)"
            )
        }
        return policy
    }

    /// Checks `--change` and `--approved-by` against the policy, whatever the budget: a typo is
    /// caught the day it is made, not the day the freeze starts.
    static func claim(_ request: Request, policy: ErrorBudgetPolicy, config: OpsConfig) throws -> Claim {
        let exceptions = policy.freezeExceptions
        var claim = Claim()
        if let change = request.change {
            claim.criterion = try criterion(change, in: policy)
        }
        if let given = request.approvedBy {
            guard claim.criterion != nil else {
                throw OpsError.input(
                    "--approved-by approves an exception: name it with --change (one of \(exceptions?.criteria.joined(separator: ", ") ?? "the policy's criteria"))"
                )
            }
            guard let approver = exceptions?.approver, !approver.isEmpty else {
                throw OpsError.file(
                    policy.path, line: nil, "names no freeze_release_exceptions approver, so no one can approve an exception",
                    fix: "Add approver: \"VP Platform\" (a title or a person) to the policy")
            }
            let holders = config.people.filter { person in
                [person.handle, person.name, person.title].compactMap { $0 }.contains { sameName($0, approver) }
            }
            let givenIsHolder = holders.contains { sameName($0.handle, given) || sameName($0.name, given) }
            guard sameName(given, approver) || givenIsHolder else {
                throw OpsError.input("'\(IncidentService.printable(given))' is not the approver of release exceptions in \(policy.path): \(approver) is")
            }
            claim.approver = approver
            claim.approverHandle = holders.count == 1 ? holders[0].handle : nil
        }
        return claim
    }

    /// The policy's exception criterion that `change` names, as the policy writes it.
    static func criterion(_ change: String, in policy: ErrorBudgetPolicy) throws -> String {
        guard let criteria = policy.freezeExceptions?.criteria, !criteria.isEmpty else {
            throw OpsError.file(
                policy.path, line: nil, "lists no freeze_release_exceptions criteria, so no change is an exception",
                fix: "Leave out --change for an ordinary release, or add criteria to the policy")
        }
        guard let criterion = criteria.first(where: { criterionKey($0) == criterionKey(change) }) else {
            throw OpsError.input(
                "'\(IncidentService.printable(change))' is not a release exception in \(policy.path) (criteria: \(criteria.joined(separator: ", "))). Leave out --change for an ordinary release"
            )
        }
        return criterion
    }

    /// `security_fix`, `Security fix` and `security-fix` name the same criterion; so do
    /// `sev-1 remediation` and `SEV1 remediation`.
    static func criterionKey(_ text: String) -> String {
        String(text.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// Names compare without case and with runs of spaces as one.
    static func sameName(_ a: String, _ b: String) -> Bool {
        func key(_ text: String) -> String { text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        return key(a) == key(b)
    }

    // MARK: The verdict

    /// The SLI that governs: the most of its budget consumed, the first of equals in catalog
    /// order; nil when none has data.
    static func governing(_ statuses: [ErrorBudgetStatus]) -> ErrorBudgetStatus? {
        var worst: ErrorBudgetStatus?
        for status in statuses {
            guard let consumed = status.consumed else { continue }
            if worst == nil || consumed > worst!.consumed! { worst = status }
        }
        return worst
    }

    /// The verdict for a use case's SLIs under its policy: pure, so every threshold can be tested
    /// without a repository. The SLI with the most of its budget spent governs and is named.
    static func verdict(_ statuses: [ErrorBudgetStatus], policy: ErrorBudgetPolicy, claim: Claim, at: Date) -> ReleaseVerdict {
        precondition(!statuses.isEmpty, "a verdict needs an SLI")
        let several = statuses.count > 1
        let status = governing(statuses) ?? statuses.first(where: \.isPolicySLI) ?? statuses[0]
        let freeze = ReleaseFreeze(crossed: status.crossed)
        var verdict = ReleaseVerdict(
            useCase: status.useCase, sli: status.sli, at: at, allowed: true, reason: "", policyPath: policy.path,
            consumed: status.consumed, crossed: status.crossed, freeze: freeze, criterion: claim.criterion,
            approvedBy: claim.approver, exception: false, decision: nil, decisionIsNew: false, notes: [])
        verdict.slis = statuses
        verdict.mode = policy.mode
        verdict.alertBurnRate = policy.effectiveAlertBurnRate
        verdict.burnRateAlerts = statuses.flatMap { slo in
            slo.burnRateAlerts.map { BurnRateAlert(sli: slo.sli, span: $0.span, rate: $0.rate, alertBurnRate: slo.alertBurnRate) }
        }
        for slo in statuses {
            let notes = slo.notes.filter { !$0.hasPrefix("no imported events") && !$0.hasPrefix("no imported readings") }
            verdict.notes += several ? notes.map { "\(slo.sli): \($0)" } : notes
            if several, slo.consumed == nil, status.consumed != nil {
                let what = slo.kind == .threshold ? "readings" : "events"
                verdict.notes.append("\(slo.useCase) \(slo.sli) has no imported \(what) in its \(slo.window) window, so it is not judged")
            }
        }
        let subject = "\(status.useCase) \(status.sli)"
        let exceptions = policy.freezeExceptions?.criteria ?? []
        let criteria = Self.alternatives(exceptions)
        let alertOnly = "\(policy.path) only alerts (error_budget_policy: alert)"

        guard let consumed = status.consumed else {
            // No evidence of a spent budget is not evidence of a healthy one: say so, and let the
            // release through rather than turn a broken metrics export into a release outage.
            verdict.reason =
                several
                ? "ALLOWED: no imported data for \(status.useCase) \(Self.alternatives(statuses.map(\.sli))) in their windows, so their budgets cannot be judged and nothing is frozen; import them (ops slo import) for the gate to enforce \(policy.path)"
                : "ALLOWED: no imported events for \(subject) in its \(status.window) window, so its budget cannot be judged and nothing is frozen; import them (ops slo import) for the gate to enforce \(policy.path)"
            return verdict
        }
        let used = "\(subject) has used \(SLONumber.percent(consumed)) of its error budget"
        let trigger = freeze.action.map { action in "\(action) (at \(SLONumber.percentText(freeze.threshold!)))" } ?? ""

        switch freeze.scope {
        case .none:
            var parts = [used]
            if let last = status.crossed.last {
                let actions = status.actions
                parts.append("due from \(SLONumber.percentText(last.at)): \(actions.isEmpty ? "no actions" : actions.joined(separator: ", "))")
            }
            if policy.mode == .alert {
                parts.append("\(alertOnly), so it freezes no releases")
            } else {
                let next = policy.burnAlerts.first { alert in alert.actions.contains { ReleaseFreeze.scope(of: $0) != .none } }
                parts.append(next.map { "no release freeze before \(SLONumber.percentText($0.at))" } ?? "\(policy.path) freezes no releases")
            }
            verdict.reason = "ALLOWED: " + parts.joined(separator: "; ")

        case _ where policy.mode == .alert:
            verdict.reason = "ALLOWED: \(used); \(trigger) is reported, not enforced: \(alertOnly)"

        case .noncritical:
            if let criterion = claim.criterion {
                verdict.exception = true
                verdict.reason = "ALLOWED: \(used); \(trigger) holds other releases, and \(criterion) is an exception"
            } else {
                verdict.allowed = false
                verdict.reason =
                    exceptions.isEmpty
                    ? "FROZEN: \(used); \(trigger) holds every non-critical release, and \(policy.path) lists no freeze_release_exceptions"
                    : "FROZEN: \(used); \(trigger) lets through only \(criteria) (--change)"
            }

        case .all:
            let approver = policy.freezeExceptions?.approver.flatMap { $0.isEmpty ? nil : $0 }
            if let criterion = claim.criterion, let approval = claim.approval, let approvedBy = approval.approver {
                verdict.exception = true
                verdict.approvedBy = approvedBy
                verdict.approval = approval
                verdict.reason =
                    "ALLOWED: \(used); \(trigger) holds every release, and \(criterion) is an exception approved by \(approvedBy) (\(approval.approval.id), signed, until \(Timestamp.format(approval.approval.until)))"
            } else {
                verdict.allowed = false
                verdict.approvedBy = nil
                guard let approver, !exceptions.isEmpty else {
                    verdict.reason =
                        "FROZEN: \(used); \(trigger) holds every release, and \(policy.path) names no exception \(exceptions.isEmpty ? "criteria" : "approver")"
                    return verdict
                }
                guard let criterion = claim.criterion else {
                    verdict.reason =
                        "FROZEN: \(used); \(trigger) lets through only \(criteria) with a signed approval by \(approver) (--change; ops release approve)"
                    return verdict
                }
                let typed = claim.approver != nil ? " (--approved-by alone no longer passes a full freeze)" : ""
                if let refused = claim.refused, let problem = refused.problem {
                    verdict.reason =
                        "FROZEN: \(used); \(trigger) lets \(criterion) through only with a signed approval, and \(refused.approval.id) does not count: \(problem)\(typed)"
                } else {
                    verdict.reason =
                        "FROZEN: \(used); \(trigger) lets \(criterion) through only with a signed approval by \(approver): they run ops release approve \(status.useCase) --change \(criterion.contains(" ") ? "'\(criterion)'" : criterion)\(typed)"
                }
            }
        }
        // Allowed with less than 10 % of the budget left (more than 90 % spent, compared exactly):
        // the seed's should_allow_deployment, "proceed with caution".
        if verdict.allowed, status.spentMoreThan(Decimal(string: "0.9")!) {
            verdict.warning =
                status.bad >= status.budget * status.total
                ? "\(subject) has spent its error budget (\(SLONumber.percent(consumed)) used): proceed with caution"
                : "only \(SLONumber.percent(1 - consumed)) of \(subject)'s error budget is left (\(SLONumber.percent(consumed)) used): proceed with caution"
        }
        return verdict
    }

    /// `a`, `a or b`, `a, b or c`.
    static func alternatives(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}

/// What the policy's crossed thresholds do to releases: nothing, a freeze of non-critical
/// releases, or a freeze of all of them; with the action and threshold that imposed it.
public struct ReleaseFreeze: Sendable, Equatable {
    public enum Scope: String, Sendable, Comparable, CaseIterable {
        case none, noncritical, all

        public static func < (a: Scope, b: Scope) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var scope: Scope
    /// The action that imposed it (`feature_freeze_all`), as the policy writes it.
    public var action: String?
    /// The threshold of budget consumed that action belongs to.
    public var threshold: Decimal?

    /// The actions the gate enforces (case, `-` and spaces aside); any other action is for people.
    static let actions: [String: Scope] = [
        "freeze_noncritical_releases": .noncritical, "freeze_non_critical_releases": .noncritical,
        "feature_freeze_all": .all, "freeze_all_releases": .all,
    ]

    public static func scope(of action: String) -> Scope {
        let key = action.lowercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        return actions[key] ?? .none
    }

    /// The strictest freeze the crossed thresholds call for; the lowest threshold imposing it.
    init(crossed: [ErrorBudgetPolicy.BurnAlert]) {
        scope = .none
        for alert in crossed {
            for action in alert.actions where Self.scope(of: action) > scope {
                scope = Self.scope(of: action)
                self.action = action
                threshold = alert.at
            }
        }
    }
}

/// The answer of `ops release check`, with why.
public struct ReleaseVerdict: Sendable {
    public var useCase: String
    public var sli: String
    public var at: Date
    public var allowed: Bool
    /// One line: the verdict, the budget used, and what to do.
    public var reason: String
    public var policyPath: String
    /// Budget consumed; nil without imported events.
    public var consumed: Double?
    public var crossed: [ErrorBudgetPolicy.BurnAlert]
    public var freeze: ReleaseFreeze
    /// The exception criterion claimed, as the policy writes it.
    public var criterion: String?
    /// The approver, as the policy writes it.
    public var approvedBy: String?
    /// Let through a freeze as an exception.
    public var exception: Bool
    /// The signed approval that let it through a full freeze.
    public var approval: CheckedApproval? = nil
    /// The decision recording an exception to a full freeze (new or found).
    public var decision: Decision?
    public var decisionIsNew: Bool
    /// What the reader should know about the figures (data ending early, ...).
    public var notes: [String]
    /// Every SLI of the use case that was judged, in catalog order; `sli` names the governing one.
    public var slis: [ErrorBudgetStatus] = []
    /// `error_budget_policy`: with `alert`, `freeze` is what the thresholds call for, not enforced.
    public var mode: ErrorBudgetPolicy.Mode = .freeze
    /// Set when the release is allowed with less than 10 % of the governing SLI's budget left
    /// (or none): "proceed with caution".
    public var warning: String?
    /// The policy's `alert_burn_rate` (2 when it names none).
    public var alertBurnRate: Decimal = ErrorBudgetPolicy.defaultAlertBurnRate
    /// Each SLI's spans burning faster than `alertBurnRate`.
    public var burnRateAlerts: [BurnRateAlert] = []

    /// The actions of every threshold crossed, in the policy's order.
    public var actions: [String] { crossed.flatMap(\.actions) }

    /// Whether the freeze the thresholds call for holds releases (not with an alert-only policy).
    public var freezeEnforced: Bool { mode == .freeze }

    /// The warnings for a person, one line each: the budget nearly or wholly spent, then each
    /// SLI burning faster than `alert_burn_rate`.
    public var warnings: [String] {
        var lines = warning.map { [$0] } ?? []
        var seen: [String] = []
        for alert in burnRateAlerts where !seen.contains(alert.sli) {
            seen.append(alert.sli)
            let spans = burnRateAlerts.filter { $0.sli == alert.sli }.map { "\(BurnRateAlert.rate($0.rate)) over \($0.span.rawValue)" }
            lines.append(
                "\(useCase) \(alert.sli) is burning its error budget faster than alert_burn_rate \(alert.alertBurnRate): \(spans.joined(separator: ", "))")
        }
        return lines
    }

    /// 0 allowed, 1 frozen (docs/DESIGN.md §9: a check said no).
    public var exitCode: Int32 { allowed ? 0 : 1 }
}

/// A span of an SLI whose burn rate is above the policy's `alert_burn_rate`.
public struct BurnRateAlert: Sendable, Equatable {
    public var sli: String
    public var span: BurnSpan
    public var rate: Double
    public var alertBurnRate: Decimal

    /// `14.4×`: two decimals at most.
    static func rate(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "×"
    }
}
