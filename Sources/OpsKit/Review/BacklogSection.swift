import Foundation

/// 6. Backlog: the open items tagged with one of ops.yaml's `backlog_tags`, sorted as
/// `ops backlog list` sorts them.
struct BacklogSection: ReviewSection {
    /// A due day: the day (null when none) in metrics.json; in the template `–` when none, and
    /// `(overdue)` after it when it had passed at the week's end.
    struct Due: ReviewFigure {
        var day: String?
        var overdue: Bool

        var markdown: String { ReviewMarkdown.text(day ?? "–") + (overdue ? " (overdue)" : "") }
        var json: String? { day }
    }

    struct Item: Encodable {
        var id: String
        var title: UserText
        var priority: UserText
        var status: UserText
        var owner: UserText
        var due: Due
        var tags: Names
        var overdue: Bool
    }

    var items: [Item]
    var tags: [String]

    init(_ backlog: [BacklogItem], tags: [String], judgedAt end: Date, zone: TimeZone, outputs: inout [ReviewOutput]) {
        let wanted = Set(tags.map { $0.lowercased() })
        items = BacklogService.sorted(backlog).filter { item in item.isOpen && item.tags.contains { wanted.contains($0.lowercased()) } }.map { item in
            let overdue = item.isOverdue(now: end, zone: zone)
            return Item(
                id: item.id, title: UserText(item.title), priority: UserText(item.priority), status: UserText(item.status), owner: UserText(item.owner),
                due: Due(day: item.due, overdue: overdue), tags: Names(item.tags, absent: ""), overdue: overdue)
        }
        for item in items where item.owner.value == nil {
            outputs.append(.owner("\(item.id) \"\(item.title.value ?? "")\" has no owner: name one"))
        }
        self.tags = tags
    }

    func encode(to encoder: any Encoder) throws { var container = encoder.singleValueContainer(); try container.encode(items) }

    struct Template: Encodable {
        var backlog: [Item]
        var backlogNone: String
        var backlogTags: Names

        enum CodingKeys: String, CodingKey { case backlog, backlogNone = "backlog_none", backlogTags = "backlog_tags" }
    }

    var template: Template {
        Template(
            backlog: items, backlogNone: items.isEmpty ? "No open backlog item tagged \(tags.joined(separator: ", "))." : "",
            backlogTags: Names(tags, absent: ""))
    }
}
