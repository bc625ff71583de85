public import Foundation

/// An incident: its current state (front matter) and its timeline (body), as read from
/// `incidents/YYYY/MM/<ID>/incident.md`.
public struct Incident: Sendable, Equatable {
    public var id: String
    public var title: String
    public var severity: String
    public var status: IncidentStatus
    public var service: String?
    public var useCase: String?
    public var commander: String?
    /// Role → handle, in file order.
    public var roles: [(role: String, person: String)]
    /// The person paged for it (oncall.yaml): the rotation's on-call when it opened, or whoever
    /// it escalated to since. Nil when no route matched or nobody was on call.
    public var oncall: String? = nil
    /// The rotation the route gave it to.
    public var rotation: String? = nil
    /// The channel its announcements go to (`#sre-oncall`).
    public var channel: String? = nil
    public var tags: [String]
    public var runbook: String?
    /// Fingerprints of the alerts that opened or joined this incident.
    public var alerts: [String]
    /// Where an imported incident came from (`pagerduty:Q0F38LOFAQXIKU`).
    public var source: String?
    public var clock: [ClockPoint: Date]
    public var timeline: [TimelineEntry]
    /// The file it was read from.
    public var path: String

    public static func == (a: Incident, b: Incident) -> Bool {
        a.id == b.id && a.title == b.title && a.severity == b.severity && a.status == b.status && a.service == b.service
            && a.useCase == b.useCase && a.commander == b.commander && a.roles.map(\.role) == b.roles.map(\.role)
            && a.roles.map(\.person) == b.roles.map(\.person) && a.oncall == b.oncall && a.rotation == b.rotation
            && a.channel == b.channel && a.tags == b.tags && a.runbook == b.runbook
            && a.alerts == b.alerts && a.source == b.source && a.clock == b.clock && a.timeline == b.timeline && a.path == b.path
    }

    /// Resolved or closed: its response times are final.
    public var isSettled: Bool { status == .resolved || status == .closed }
}

/// Where an incident is in its life. Moves forward one way; `reopen` moves it back.
public enum IncidentStatus: String, Sendable, CaseIterable, Comparable {
    case open, acknowledged, mitigated, resolved, closed

    /// Its place in `allCases` (a switch: metrics compare statuses of every incident).
    var order: Int {
        switch self {
        case .open: return 0
        case .acknowledged: return 1
        case .mitigated: return 2
        case .resolved: return 3
        case .closed: return 4
        }
    }
    public static func < (a: IncidentStatus, b: IncidentStatus) -> Bool { a.order < b.order }

    /// The clock point that marks reaching this status.
    public var clockPoint: ClockPoint {
        switch self {
        case .open: return .opened
        case .acknowledged: return .acknowledged
        case .mitigated: return .mitigated
        case .resolved: return .resolved
        case .closed: return .closed
        }
    }
}

/// The raw timestamps metrics are computed from (docs/DESIGN.md §4), in the order they must hold.
public enum ClockPoint: String, Sendable, CaseIterable, Comparable, Hashable {
    case started, detected, opened, acknowledged, mitigated, resolved, closed

    /// The front-matter key: `started_at`, `detected_at`, ...
    public var key: String { rawValue + "_at" }

    /// Its place in `allCases`.
    var order: Int {
        switch self {
        case .started: return 0
        case .detected: return 1
        case .opened: return 2
        case .acknowledged: return 3
        case .mitigated: return 4
        case .resolved: return 5
        case .closed: return 6
        }
    }
    public static func < (a: ClockPoint, b: ClockPoint) -> Bool { a.order < b.order }
}

extension Incident {
    /// Pairs of clock points out of order (a later point before an earlier one), for data errors.
    public var clockOrderViolations: [(earlier: ClockPoint, later: ClockPoint)] { ClockPoint.orderViolations(seconds) }
}
