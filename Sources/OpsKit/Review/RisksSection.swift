import Foundation

/// 5. Risks and decisions: release freezes in force at the week's end, release exceptions
/// granted, decisions made or linked to the week, and proposed decisions past their due date.
struct RisksSection: ReviewSection {
    /// What a freeze holds: `all` or `noncritical` in metrics.json, words in the template.
    struct Scope: ReviewFigure {
        var scope: ReleaseFreeze.Scope

        var markdown: String { scope == .all ? "every release" : "non-critical releases" }
        var json: String { scope.rawValue }
    }

    /// The policy threshold a freeze comes from: the ratio in metrics.json, `75 %` in the template.
    struct Threshold: ReviewFigure {
        var value: Decimal?

        var markdown: String { value.map { SLONumber.percentText($0) } ?? "–" }
        var json: JSONNumber { JSONNumber(value) }
    }

    struct Freeze: Encodable {
        var useCase: UserText
        var scope: Scope
        var action: UserText
        var at: Threshold
        var budgetConsumed: Percent

        enum CodingKeys: String, ReviewTemplateKey {
            case useCase = "use_case", scope, action, at, budgetConsumed = "budget_consumed"

            var templateName: String? { self == .budgetConsumed ? "consumed" : nil }
        }
    }

    struct DecisionRow: Encodable {
        var id: String
        var title: UserText
        var status: UserText
        var date: UserText
        var owner: UserText
        var due: UserText
        var deciders: Names

        init(_ decision: Decision) {
            id = decision.id
            title = UserText(decision.title)
            status = UserText(decision.status)
            date = UserText(decision.date)
            owner = UserText(decision.owner)
            due = UserText(decision.due)
            deciders = Names(decision.deciders, absent: "")
        }
    }

    var freezes: [Freeze]
    var releaseExceptions: [DecisionRow]
    var decisions: [DecisionRow]
    var decisionsPastDue: [DecisionRow]
    var week: String
    /// When freezes are judged, in words: `at the end of the week`.
    var judged: String

    enum CodingKeys: String, CodingKey {
        case freezes, releaseExceptions = "release_exceptions", decisions, decisionsPastDue = "decisions_past_due"
    }

    /// `statuses` as of `judged` (in words); `days` the week's days and `dueBy` the last whose
    /// due dates have passed, in the team's zone.
    init(
        _ statuses: [ErrorBudgetStatus], decisions all: [Decision], week: ISOWeek, judged: String, days: Set<String>, dueBy: String,
        outputs: inout [ReviewOutput]
    ) {
        self.judged = judged
        freezes = []
        for status in statuses where status.total > 0 {
            let freeze = ReleaseFreeze(crossed: status.crossed)
            guard freeze.scope != .none, let action = freeze.action else { continue }
            freezes.append(
                Freeze(
                    useCase: UserText(status.useCase), scope: Scope(scope: freeze.scope), action: UserText(action),
                    at: Threshold(value: freeze.threshold), budgetConsumed: Percent(value: status.consumed)))
            outputs.append(
                .decision(
                    "\(status.useCase): \(action) is in force (\(ReviewMarkdown.percent(status.consumed)) of the budget used): keep it, or lift it and say why")
            )
        }
        let sorted = all.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        let ofWeek = sorted.filter { days.contains($0.date) || $0.reviews.contains(week.description) }
        releaseExceptions = ofWeek.filter(\.isReleaseException).map(DecisionRow.init)
        decisions = ofWeek.filter { !$0.isReleaseException }.map(DecisionRow.init)
        // A decision past its due day while still only proposed: the meeting has to take it.
        let pastDue = sorted.filter { $0.status == "proposed" && ($0.due.map { $0 <= dueBy } ?? false) }
        for decision in pastDue {
            outputs.append(.decision("\(decision.id) \"\(decision.title)\" was due \(decision.due ?? ""): accept, reject or set a new date"))
        }
        decisionsPastDue = pastDue.map(DecisionRow.init)
        self.week = week.description
    }

    struct Template: Encodable {
        var freezes: [Freeze]
        var freezesNone: String
        var exceptions: [DecisionRow]
        var exceptionsNone: String
        var decisions: [DecisionRow]
        var decisionsNone: String
        var decisionsPastDue: [DecisionRow]
        var pastDueNone: String

        enum CodingKeys: String, CodingKey {
            case freezes, freezesNone = "freezes_none", exceptions, exceptionsNone = "exceptions_none", decisions, decisionsNone = "decisions_none",
                decisionsPastDue = "decisions_past_due", pastDueNone = "past_due_none"
        }
    }

    var template: Template {
        Template(
            freezes: freezes, freezesNone: freezes.isEmpty ? "No release freeze in force \(judged)." : "",
            exceptions: releaseExceptions, exceptionsNone: releaseExceptions.isEmpty ? "No release exception granted." : "",
            decisions: decisions, decisionsNone: decisions.isEmpty ? "No decision made or linked to \(week)." : "",
            decisionsPastDue: decisionsPastDue, pastDueNone: decisionsPastDue.isEmpty ? "No proposed decision is past its due date." : "")
    }
}
