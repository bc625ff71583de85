public import Foundation
import Yams

/// A backlog or action item (`backlog/BL-YYYYMMDD-XXXXXXXX-<slug>.md`).
public struct BacklogItem: Sendable, Encodable {
    public static let statuses = ["open", "in progress", "done", "dropped"]
    public static let priorities = ["P0", "P1", "P2", "P3"]
    public static let fieldOrder = ["id", "title", "status", "priority", "owner", "due", "tags", "source", "created_at"]

    public var id: String
    public var title: String
    public var status: String
    public var priority: String?
    public var owner: String?
    /// `YYYY-MM-DD`, in the team's zone.
    public var due: String?
    public var tags: [String]
    /// Where it came from: `incident:INC-…`, `postmortem:INC-…`, `decision:D-…`, `review:2026-W47`.
    public var source: String?
    public var path: String

    public var isOpen: Bool { status == "open" || status == "in progress" }

    /// Past its due day (in `zone`) and still open.
    public func isOverdue(now: Date, zone: TimeZone) -> Bool {
        guard isOpen, let due, let day = TimeInput.day(due, zone: zone) else { return false }
        return now >= Calendar.gregorian(zone).date(byAdding: .day, value: 1, to: day)!
    }
}

extension BacklogItem {
    init(_ document: MarkdownDocument) throws {
        guard let yaml = document.frontMatter else {
            throw OpsError.file(document.path, line: 1, "has no front matter", fix: "A backlog item starts with --- and id:, title:, status: lines")
        }
        func text(_ key: String) -> String? { yaml[key]?.scalarText.flatMap { $0.isEmpty ? nil : $0 } }
        guard let id = text("id"), let title = text("title") else { throw OpsError.file(document.path, line: nil, "needs `id:` and `title:`") }
        let status = text("status") ?? "open"
        guard Self.statuses.contains(status) else {
            throw OpsError.file(document.path, line: yaml.line(of: "status"), "status `\(status)` is not one of: \(Self.statuses.joined(separator: ", "))")
        }
        let tags: [String] = yaml["tags"].map { node in node.scalarText.map { [$0] } ?? node.array().compactMap(\.scalarText) } ?? []
        self.init(
            id: id, title: title, status: status, priority: text("priority"), owner: text("owner"), due: text("due"),
            tags: tags.filter { !$0.isEmpty }, source: text("source"), path: document.path)
    }

    /// `ops lint` for a backlog item: priority P0–P3, a due date that reads, tags from ops.yaml.
    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        MarkdownDocument.lint(text, path: path, reading: BacklogItem.init(_:)) { document, item in
            func at(_ key: String) -> Location { Location(path: path, line: document.frontMatter?.line(of: key)) }
            var problems: [Problem] = []
            if let priority = item.priority, !priorities.contains(priority) {
                problems.append(Problem(at("priority"), "priority `\(priority)` is not one of P0, P1, P2, P3"))
            }
            if let due = item.due, TimeInput.day(due, zone: TimeZone(identifier: "UTC")!) == nil {
                problems.append(Problem(at("due"), "due `\(due)` is not a date like 2026-12-01"))
            }
            if let config {
                for tag in item.tags where !config.backlogTags.contains(tag) {
                    problems.append(Problem(at("tags"), "tag `\(tag)` is not in ops.yaml backlog_tags (\(config.backlogTags.joined(separator: ", ")))"))
                }
            }
            return problems
        }
    }
}
