import Foundation

extension OpsNotification.IncidentFacts {
    /// The incident as a message shows it, as it is after the change being announced.
    init(_ incident: Incident) {
        self.init(
            id: incident.id, title: incident.title, severity: incident.severity, service: incident.service,
            onCall: incident.oncall, runbook: incident.runbook)
    }
}

/// The messages a change to an incident sends to the incident's channel (the one its route gave
/// it): one for each timeline entry the change added whose event people are told of (issue 18,
/// "What is sent"). Read from the timeline, so a time corrected with `--at`, a note or a
/// severity lowered sends nothing, and the message's time is the entry's.
enum IncidentAnnouncements {
    static func of(before: Incident?, after: Incident, config: OpsConfig) -> [Announcement] {
        guard let channel = after.channel else { return [] }
        let facts = OpsNotification.IncidentFacts(after)
        return added(before?.timeline ?? [], after.timeline).compactMap { entry in
            event(for: entry, facts: facts, config: config).map {
                Announcement(channel: channel, notification: OpsNotification(event: $0, at: entry.at))
            }
        }
    }

    /// The entries of `after` that `before` does not hold, counting repeats.
    static func added(_ before: [TimelineEntry], _ after: [TimelineEntry]) -> [TimelineEntry] {
        var old = before
        return after.filter { entry in
            guard let index = old.firstIndex(of: entry) else { return true }
            old.remove(at: index)
            return false
        }
    }

    private static func event(for entry: TimelineEntry, facts: OpsNotification.IncidentFacts, config: OpsConfig) -> OpsNotification.Event? {
        switch entry.kind {
        case "opened": return .incidentOpened(facts)
        case "acknowledged": return .acknowledged(facts, by: entry.actor)
        case "mitigated": return .mitigated(facts, by: entry.actor)
        case "resolved": return .resolved(facts, by: entry.actor)
        case "update": return .stakeholderUpdate(facts, text: entry.text, by: entry.actor)
        case "severity":
            // "SEV3 → SEV1": only a raise is announced.
            let parts = entry.text.components(separatedBy: " → ")
            guard parts.count == 2, let from = config.severity(named: parts[0]), let to = config.severity(named: parts[1]),
                to.rank < from.rank
            else { return nil }
            return .severityRaised(facts, from: from.id)
        default: return nil
        }
    }
}

/// What became of one message a command announced, for the line the command prints.
public struct AnnouncementResult: Sendable, Equatable {
    public var channel: String
    /// The event's name (`incident_opened`).
    public var event: String
    /// Sent and answered by the receiver within the command's wait.
    public var sent: Bool
    /// Why it was not sent yet (it waits in the outbox, or failed); nil when sent.
    public var problem: String?
}

extension NotifyService {
    /// How long a command waits for its messages before leaving them to the outbox.
    static let commandWait: TimeInterval = 5

    /// After a command committed `announcements`: sends what is due for at most `seconds`,
    /// then says what became of each. Never throws and never takes longer than the wait.
    func announce(_ announcements: [Announcement], within seconds: TimeInterval = NotifyService.commandWait) -> [AnnouncementResult] {
        guard !announcements.isEmpty else { return [] }
        _ = deliver(within: seconds)
        let messages = Dictionary(
            workspace.outbox.entries().compactMap { entry in entry.message.map { (entry.name, $0) } }, uniquingKeysWith: { a, _ in a })
        return announcements.map { announcement in
            let name = OutboxMessage.name(channel: announcement.channel, key: announcement.notification.idempotencyKey)
            let event = announcement.notification.kind.rawValue
            guard let message = messages[name] else {
                return AnnouncementResult(channel: announcement.channel, event: event, sent: false, problem: "it is not in the outbox")
            }
            let sent = message.state == .sent
            return AnnouncementResult(
                channel: announcement.channel, event: event, sent: sent,
                problem: sent ? nil : (message.lastError ?? "it waits to be sent"))
        }
    }
}
