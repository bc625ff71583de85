public import Foundation

/// Which decisions `ops decision list` shows; a field left nil does not filter.
public struct DecisionFilter: Sendable {
    /// Only this status (any case).
    public var status: String?
    /// Only decisions carrying this tag (any case).
    public var tag: String?
    /// Only decisions made on or after the day this moment falls on, in the team's time zone.
    public var since: Date?

    public init(status: String? = nil, tag: String? = nil, since: Date? = nil) {
        self.status = status
        self.tag = tag
        self.since = since
    }
}

extension DecisionService {
    /// The decisions that pass `filter`, newest first, and the files that could not be read.
    public func list(_ filter: DecisionFilter) throws -> (decisions: [Decision], problems: [Problem]) {
        var (decisions, problems) = try list()
        if let status = filter.status?.lowercased() { decisions.removeAll { $0.status != status } }
        if let tag = filter.tag { decisions.removeAll { !$0.tags.contains { $0.caseInsensitiveCompare(tag) == .orderedSame } } }
        if let since = filter.since {
            let day = LocalTime.format(since, zone: try workspace.config().timeZone).prefix(10)
            decisions.removeAll { $0.date < day }
        }
        return (decisions, problems)
    }
}
