/// Which postmortem requirements `ops postmortem list` shows.
public struct PostmortemFilter: Sendable {
    /// Only incidents with no postmortem yet.
    public var missing = false
    /// Only those past their due day and not yet reviewed.
    public var overdue = false

    public init(missing: Bool = false, overdue: Bool = false) {
        self.missing = missing
        self.overdue = overdue
    }
}

extension PostmortemService {
    /// The settled incidents that need a postmortem (per ops.yaml) and pass `filter`.
    public func requirements(_ filter: PostmortemFilter) throws -> [Requirement] {
        var rows = try requirements()
        if filter.missing { rows.removeAll { $0.status != "missing" } }
        if filter.overdue { rows.removeAll { !$0.overdue } }
        return rows
    }
}
