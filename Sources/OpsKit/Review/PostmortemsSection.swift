import Foundation

/// 2b. Postmortems: the top root causes of the last weeks, the postmortems missing or late, and
/// the action items of every postmortem (open, overdue at the week's end, done in the week).
struct PostmortemsSection: ReviewSection {
    struct RootCause: Encodable {
        var rank: Int
        var category: UserText
        var count: Int
        var incidents: Names
    }

    struct Late: Encodable {
        var incident: String
        var title: UserText
        var severity: UserText
        var due: String
        /// `missing`, or the postmortem's own status.
        var status: String
        var overdue: Bool
        /// The two above in words: `missing, overdue`, `overdue (Draft)`.
        var state: UserText
    }

    struct ActionItem: Encodable {
        var incident: String
        var text: UserText
        var owner: UserText
        var due: UserText
    }

    struct DoneItem: Encodable {
        var incident: String
        var text: UserText
        var owner: UserText
        var done: UserText
    }

    struct ActionItems: Encodable {
        var open: Int
        var done: Int
        /// Ticked without a `done:` day, so in no week.
        var doneUndated: Int
        var overdueItems: [ActionItem]
        var doneThisWeekItems: [DoneItem]

        enum CodingKeys: String, CodingKey {
            case open, done, doneThisWeek = "done_this_week", doneUndated = "done_undated", overdue, overdueItems = "overdue_items",
                doneThisWeekItems = "done_this_week_items"
        }

        func encode(to encoder: any Encoder) throws {
            try encoder.encodeObject(
                CodingKeys.self,
                [
                    .open: open, .done: done, .doneThisWeek: doneThisWeekItems.count, .doneUndated: doneUndated, .overdue: overdueItems.count,
                    .overdueItems: overdueItems, .doneThisWeekItems: doneThisWeekItems,
                ])
        }
    }

    var late: [Late]
    var rootCauses: [RootCause]
    var actionItems: ActionItems
    /// How many weeks the root causes cover.
    var trendWeeks: Int
    /// `judgedAt` in words, for the template: `at the end of the week`.
    var judged: String

    enum CodingKeys: String, CodingKey { case late, rootCauses = "root_causes", actionItems = "action_items" }

    /// `recent` the ids of the incidents opened in the `trendWeeks` weeks to this one; `requirements` the
    /// postmortems ops.yaml asks for; `judgedAt` the moment deadlines are judged (the week's end, or
    /// its as-of moment while it runs), `judged` the same in words; `days` the week's days, `doneBy` the last day whose ticks
    /// count and `dueBy` the last whose due dates have passed, in the team's zone.
    init(
        postmortems: [String: Postmortem], recent: Set<String>, requirements: [PostmortemService.Requirement], interval: DateInterval,
        zone: TimeZone, judgedAt: Date, judged: String, days: Set<String>, doneBy: String, dueBy: String, trendWeeks: Int,
        outputs: inout [ReviewOutput]
    ) {
        self.trendWeeks = trendWeeks
        self.judged = judged
        // Top root causes over the trend's weeks: one week rarely has enough postmortems to rank.
        var causes: [String: (count: Int, incidents: [String])] = [:]
        for (id, postmortem) in postmortems where recent.contains(id) {
            guard let category = postmortem.rootCauseCategory?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !category.isEmpty else { continue }
            causes[category, default: (0, [])].count += 1
            causes[category, default: (0, [])].incidents.append(id)
        }
        rootCauses = causes.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.prefix(3).enumerated().map { index, entry in
            RootCause(rank: index + 1, category: UserText(entry.key), count: entry.value.count, incidents: Names(entry.value.incidents.sorted(), absent: ""))
        }

        // Postmortems due under the ops.yaml policy, judged at the end of the week (or as of now).
        let calendar = Calendar.gregorian(zone)
        late = []
        for requirement in requirements where requirement.resolvedAt < interval.end {
            let normalized = Postmortem.status(named: requirement.status) ?? requirement.status
            let finished = normalized == "Reviewed" || normalized == "Closed"
            let overdue =
                !finished && (TimeInput.day(requirement.due, zone: zone).map { judgedAt >= calendar.date(byAdding: .day, value: 1, to: $0)! } ?? false)
            guard requirement.status == "missing" || overdue else { continue }
            let state = requirement.status == "missing" ? (overdue ? "missing, overdue" : "missing") : "overdue (\(requirement.status))"
            late.append(
                Late(
                    incident: requirement.incident, title: UserText(requirement.title), severity: UserText(requirement.severity),
                    due: requirement.due, status: requirement.status, overdue: overdue, state: UserText(state)))
            outputs.append(
                .owner("Postmortem for \(requirement.incident) (\(requirement.severity), due \(requirement.due)) is \(state): confirm its author and date"))
        }

        // Action items of every postmortem: open, overdue at the week's end, done in the week
        // (by the done:YYYY-MM-DD day on the line), done in all.
        var open = 0, done = 0, undated = 0
        var overdue: [ActionItem] = []
        var doneThisWeek: [(day: String, incident: String, text: String, owner: String?)] = []
        var overdueOwners = Set<String>()
        for id in postmortems.keys.sorted() {
            for item in postmortems[id]!.actionItems {
                let text = Self.actionText(item.text)
                // Ticked after the week (a postmortem copied in later carries today's ticks): open then.
                if item.done, item.doneOn.map({ $0 <= doneBy }) ?? true {
                    done += 1
                    guard let day = item.doneOn else { undated += 1; continue }
                    guard days.contains(day) else { continue }
                    doneThisWeek.append((day, id, text, item.owner))
                    continue
                }
                open += 1
                guard let due = item.due, due <= dueBy else { continue }  // its day ended by the week's end (or by now)
                overdueOwners.insert(item.owner ?? "none named")
                overdue.append(ActionItem(incident: id, text: UserText(text), owner: UserText(item.owner), due: UserText(due)))
            }
        }
        overdue.sort { ($0.due.markdown, $0.incident) < ($1.due.markdown, $1.incident) }
        doneThisWeek.sort { ($0.day, $0.incident, $0.text) < ($1.day, $1.incident, $1.text) }
        if !overdue.isEmpty {
            outputs.append(
                .owner(
                    "\(overdue.count) action items overdue (owners: \(overdueOwners.sorted().joined(separator: ", "))): each owner confirms the item or a new due date"
                ))
        }
        actionItems = ActionItems(
            open: open, done: done, doneUndated: undated, overdueItems: overdue,
            doneThisWeekItems: doneThisWeek.map {
                DoneItem(incident: $0.incident, text: UserText($0.text), owner: UserText($0.owner), done: UserText($0.day))
            })
    }

    /// An action item as a person reads it: without its backlog link comment.
    static func actionText(_ text: String) -> String {
        var text = text
        if let range = text.range(of: "<!--") { text = String(text[..<range.lowerBound]) }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The template reads this section's figures at its top level, named `actions_…`.
    struct Template: Encodable {
        var rootCauses: [RootCause]
        var rootCausesNone: String
        var postmortemsLate: [Late]
        var postmortemsNone: String
        var actionsOpen: Int
        var actionsDone: Int
        var actionsDoneWeek: Int
        var actionsUndated: String
        var actionsOverdue: Int
        var actionsJudged: String
        var actionsOverdueRows: [ActionItem]
        var actionsDoneRows: [DoneItem]

        enum CodingKeys: String, CodingKey {
            case rootCauses = "root_causes", rootCausesNone = "root_causes_none", postmortemsLate = "postmortems_late", postmortemsNone = "postmortems_none",
                actionsOpen = "actions_open", actionsDone = "actions_done", actionsDoneWeek = "actions_done_week", actionsUndated = "actions_undated",
                actionsOverdue = "actions_overdue", actionsJudged = "actions_judged", actionsOverdueRows = "actions_overdue_rows", actionsDoneRows =
                "actions_done_rows"
        }
    }

    var template: Template {
        let undated = actionItems.doneUndated
        return Template(
            rootCauses: rootCauses, rootCausesNone: rootCauses.isEmpty ? "No postmortem of the last \(trendWeeks) weeks names a root_cause_category." : "",
            postmortemsLate: late, postmortemsNone: late.isEmpty ? "Every required postmortem is written and on time." : "",
            actionsOpen: actionItems.open, actionsDone: actionItems.done, actionsDoneWeek: actionItems.doneThisWeekItems.count,
            actionsUndated: undated > 0 ? "\(undated) ticked without a done: day (`ops backlog sync` writes it), not counted in any week." : "",
            actionsOverdue: actionItems.overdueItems.count, actionsJudged: judged, actionsOverdueRows: actionItems.overdueItems,
            actionsDoneRows: actionItems.doneThisWeekItems)
    }
}
