public import Foundation
import Yams

/// The team's configuration, read from `ops.yaml` at the root of the ops repository.
public struct OpsConfig: Sendable {
    public static let path = "ops.yaml"
    public static let knownKeys = [
        "team", "timezone", "severities", "services", "use_cases", "people", "teams",
        "channels", "roles", "metrics", "backlog_tags", "postmortems", "groups", "sync",
        "delivery",
    ]

    public var team: String
    public var timeZone: TimeZone
    /// Severity levels, most severe first.
    public var severities: [SeverityLevel]
    public var services: [Service]
    public var useCases: [String]
    public var people: [Person]
    public var teams: [Team]
    /// Channels by purpose (`incidents`, `data_quality`, `cost`, `safety`).
    public var channels: [String: String]
    /// Incident roles a person can be assigned to (commander, comms, scribe, ...).
    public var roles: [String]
    /// Where response clocks start (docs/DESIGN.md §4).
    public var clockStart: ClockStart
    public var backlogTags: [String]
    /// Severity id → business days after resolution by which a postmortem is due.
    public var postmortemDeadlines: [String: Int]
    /// Audiences beyond teams (`ELT`, `Org`), for RACI.
    public var groups: [String]
    /// `sync: auto`: after every change, try `ops sync` for a few seconds (it never fails the change).
    public var autoSync = false
    /// Channel (`#sre-oncall`) → how it is reached; the URLs and secrets stay outside the repository.
    public var delivery: [String: ChannelDelivery] = [:]

    /// True when `name` is a person (handle, name or title), a team or a group.
    public func knowsParty(_ name: String) -> Bool {
        let key = name.lowercased()
        return people.contains { [$0.handle, $0.name, $0.title].compactMap { $0?.lowercased() }.contains(key) }
            || teams.contains { $0.name.lowercased() == key } || groups.contains { $0.lowercased() == key }
    }

    /// The level `name` stands for: its id, an alias, or either spelled with other case,
    /// dashes or spaces (`SEV1`, `sev-1`, `P1`). Nil when no level matches.
    public func severity(named name: String) -> SeverityLevel? {
        let key = SeverityLevel.normalize(name)
        return severities.first { $0.names.contains(key) }
    }

    public func person(_ handle: String) -> Person? {
        people.first { $0.handle.caseInsensitiveCompare(handle) == .orderedSame }
    }

    public func service(named name: String) -> Service? {
        services.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }
}

/// One severity level: its id (`SEV1`), an optional name, and the other names people type for it.
public struct SeverityLevel: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var aliases: [String]
    /// Position in the list: 0 is the most severe.
    public var rank: Int

    /// Every spelling that names this level, normalised.
    var names: Set<String> { Set(([id] + aliases).map(Self.normalize)) }

    /// Lower case without dashes, underscores or spaces: `SEV-1`, `sev_1` and `Sev 1` are the same.
    static func normalize(_ text: String) -> String {
        String(text.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " })
    }
}

/// A service incidents are opened against, with the team that owns it when known.
public struct Service: Sendable, Equatable {
    public var name: String
    public var team: String?
}

/// Someone who takes part in incidents. `--as HANDLE` signs commits with their name and email.
public struct Person: Sendable, Equatable {
    public var handle: String
    public var name: String
    public var email: String
    public var team: String?
    /// Their role in the organisation (`Head of SRE`), for RACI.
    public var title: String?
}

/// A team and the channels it is reached on.
public struct Team: Sendable, Equatable {
    public var name: String
    public var channels: [String]
}

/// Which clock point response metrics count from (docs/DESIGN.md §4).
public enum ClockStart: String, Sendable, CaseIterable {
    /// Impact began (`started_at`).
    case started
    /// The first alert or signal (`detected_at`), falling back to `opened_at`.
    case detected
    /// The incident was declared (`opened_at`).
    case opened
}
