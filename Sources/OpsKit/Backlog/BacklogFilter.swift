import Foundation

/// Which backlog items `ops backlog list` shows; a field left nil (or false) does not filter.
public struct BacklogFilter: Sendable {
    /// Only this status (any case); nil shows the items still open or in progress.
    public var status: String?
    /// Only items carrying this tag (any case).
    public var tag: String?
    /// Only items of this person (any case).
    public var owner: String?
    /// Only items past their due day (team time zone) and not done.
    public var overdue = false

    public init(status: String? = nil, tag: String? = nil, owner: String? = nil, overdue: Bool = false) {
        self.status = status
        self.tag = tag
        self.owner = owner
        self.overdue = overdue
    }
}

extension BacklogService {
    /// The items that pass `filter`, by priority then due date, and the files that could not be read.
    public func list(_ filter: BacklogFilter) throws -> (items: [BacklogItem], problems: [Problem]) {
        if let status = filter.status?.lowercased(), !BacklogItem.statuses.contains(status) {
            throw OpsError.input(
                "unknown status '\(filter.status!)'. Use one of: \(BacklogItem.statuses.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: ", "))")
        }
        var (items, problems) = try list()
        if let status = filter.status?.lowercased() { items.removeAll { $0.status != status } } else { items.removeAll { !$0.isOpen } }
        if let tag = filter.tag { items.removeAll { !$0.tags.contains { $0.caseInsensitiveCompare(tag) == .orderedSame } } }
        if let owner = filter.owner { items.removeAll { $0.owner?.caseInsensitiveCompare(owner) != .orderedSame } }
        if filter.overdue {
            let zone = try workspace.config().timeZone
            let now = workspace.clock()
            items.removeAll { !$0.isOverdue(now: now, zone: zone) }
        }
        return (items, problems)
    }
}
