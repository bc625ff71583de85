import Foundation

extension ReleaseGate {
    /// The audit trail of an exception to a full freeze: an accepted decision linked to the week
    /// it was granted in, which the weekly Ops Review lists. One per change, approver and week,
    /// however many checks ask at once (a pipeline retried, several jobs of one deploy): its id
    /// is derived from those three and the use case, and it is written only if no decision with
    /// that id is in the commit it builds on, under the writers' lock. A second check finds it.
    func record(
        _ verdict: inout ReleaseVerdict, status: ErrorBudgetStatus, policy: ErrorBudgetPolicy, criterion: String,
        approver: String, approval: CheckedApproval, approverHandle: String?, config: OpsConfig, author: () throws -> Author
    ) throws {
        let week = ISOWeek(containing: verdict.at, zone: config.timeZone)
        let title = IncidentService.printable("Release exception: \(criterion) on \(status.useCase)")
        let signed = IncidentService.printable("Approved by: \(approver)")
        let service = DecisionService(workspace)
        let id = Self.exceptionID(useCase: status.useCase, criterion: criterion, approver: approver, week: week, zone: config.timeZone)
        // Found without asking who is recording: the id, or a record written before ids were
        // derived (same title, approver and week).
        for existing in try service.list().decisions
        where existing.id == id.description
            || (existing.status == "accepted" && existing.title == title && existing.reviews.contains(week.description))
        {
            if existing.id != id.description {
                guard let text = try workspace.committedText(existing.path),
                    text.split(whereSeparator: \.isNewline).contains(where: { $0.trimmingCharacters(in: .whitespaces) == signed })
                else { continue }
            }
            verdict.decision = existing
            verdict.reason += "; recorded already as \(existing.id)"
            return
        }
        let trigger = "\(verdict.freeze.action!) (at \(SLONumber.percentText(verdict.freeze.threshold!)))"
        var draft = DecisionService.Draft(title: title)
        draft.status = "accepted"
        draft.kind = Decision.releaseExceptionKind
        draft.tags = config.backlogTags.filter { $0.caseInsensitiveCompare("SLO") == .orderedSame }
        draft.deciders = approverHandle.map { [$0] } ?? []
        draft.reviews = [week.description]
        draft.context = """
            \(status.useCase)'s \(status.sli) error budget is \(SLONumber.percent(status.consumed ?? 0)) consumed over \(status.window) \
            (to \(LocalTime.formatWithZone(verdict.at, zone: config.timeZone))). \(policy.path) calls for \(trigger), which holds every \
            release except \(Self.alternatives(policy.freezeExceptions?.criteria ?? [])) approved by \(approver).
            """
        draft.options = ["Hold the release until the budget recovers", "Ship it as a \(criterion) exception, approved by \(approver)"]
        draft.decision = """
            Ship the \(criterion) release of \(status.useCase) during the freeze, as an exception (`ops release check`).

            \(signed)

            Signed approval: \(approval.approval.id) (\(approval.approval.path)), commit \(approval.commit.prefix(12)), until \(Timestamp.format(approval.approval.until)).
            """
        draft.consequences = "The freeze stays for every other change. This record is the audit trail of the exception: the weekly Ops Review lists it."
        // A check that raced this one may have committed the record since the list above:
        // createOnce looks again inside the commit and then writes nothing.
        let (decision, created) = try service.createOnce(draft, id: id, author: try author())
        verdict.decision = decision
        verdict.decisionIsNew = created
        verdict.reason += created ? "; recorded as \(decision.id)" : "; recorded already as \(decision.id)"
    }

    /// The id of the exception record for a change of `useCase` under `criterion`, approved by
    /// `approver` in `week`: `D-<the week's Monday>-<8 characters of a SHA-256>`. The same four
    /// give the same id on every machine, so concurrent checks (and clones that record the same
    /// exception offline) name one file. Criterion and approver are keyed as the policy compares
    /// them (`security_fix` = `Security fix`; case and runs of spaces aside).
    static func exceptionID(useCase: String, criterion: String, approver: String, week: ISOWeek, zone: TimeZone) -> DocumentID {
        let approverKey = approver.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let key = ["release-exception", useCase, criterionKey(criterion), approverKey, week.description].joined(separator: "\n")
        let monday = ISOWeek.calendar(zone).dateComponents([.year, .month, .day], from: week.interval(in: zone).start)
        let date = String(format: "%04d%02d%02d", monday.year!, monday.month!, monday.day!)
        return DocumentID.derived(kind: "D", date: date, key: key)
    }
}

extension Decision {
    /// The `kind` of the record `ops release check` writes for an exception to a freeze.
    static let releaseExceptionKind = "release_exception"

    /// Whether this decision records a release exception, which the weekly pack lists apart. Records
    /// written before the `kind` field existed have only their title to tell (`ops release check`
    /// has always titled them `Release exception: ...`); repositories keep those, so a decision
    /// with no kind and that title still counts.
    var isReleaseException: Bool {
        kind.map { $0 == Self.releaseExceptionKind } ?? title.hasPrefix("Release exception:")
    }
}
