public import Foundation
import GitStore

/// The escalation timers (issue 18; `ops serve` runs them every few seconds): a routed incident
/// still open when its rotation's `ack_within` runs out is handed to the secondary's person,
/// then, one `ack_within` later, to the last resort. Each step is one commit that appends an
/// `escalated` entry, makes the person the incident's `oncall`, and announces the step in the
/// incident's channel through the outbox.
///
/// What was done is read from the timeline, never from memory, so a restart repeats nothing.
/// Two clones that both run the timers each take the step in their own history, with the same
/// entry and the same message key (`EscalationStep.entry`): a sync merges the two entries into
/// one line, and a webhook receiver can drop the second message; Slack and Teams show both.
/// Run `ops serve` in one clone.
public struct EscalationService {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// One step taken.
    public struct Escalated: Sendable, Equatable, Encodable {
        public var incident: String
        /// Who was paged.
        public var person: String
        /// The secondary rotation, or `last resort of ROTATION`.
        public var layer: String
        /// Where the step was announced; nil for an incident without a channel.
        public var channel: String?
        /// When the step fell due (its timeline entry's time).
        public var due: Date
    }

    /// What one run of the timers did.
    public struct Report: Sendable, Encodable {
        public var escalated: [Escalated] = []
        /// What kept an incident, or every incident, from being looked at: oncall.yaml does not
        /// read, a write failed. The next run tries again.
        public var problems: [String] = []
    }

    /// Runs the timers once for `now`: takes every step due by then that the timelines do not
    /// record yet, one commit each, signed by `author`. Messages are left in the outbox for the
    /// caller to send (`ops serve` drains it). Throws only when ops.yaml does not read.
    public func run(at now: Date, author: Author) throws -> Report {
        let config = try workspace.config()
        let routing = IncidentRouting.load(workspace, config: config)
        var report = Report()
        guard let schedule = routing.schedule else {
            if let problem = routing.problem { report.problems.append("not escalating: \(problem)") }
            return report
        }
        let waiting = try IncidentCatalog.load(workspace) { incident in
            Escalation.earliest(incident, schedule: schedule).map { $0 <= now } ?? false
        }
        for incident in waiting.incidents {
            do {
                // A step that fell due while the timers were not running is taken now, in order.
                while let step = try escalate(IncidentRef(id: incident.id, path: incident.path), schedule: schedule, at: now, author: author) {
                    report.escalated.append(step)
                }
            } catch {
                report.problems.append("\(incident.id) not escalated: \(OpsError.from(error).message)")
            }
        }
        return report
    }

    /// Takes the incident's next step if it is due, in one commit that reads the incident again
    /// in the snapshot, so an acknowledgement that lands first stops it; nil when nothing was due.
    private func escalate(_ ref: IncidentRef, schedule: OnCallSchedule, at now: Date, author: Author) throws -> Escalated? {
        var taken: Escalated?
        var announcements: [Announcement] = []
        var title = ""
        // The subject and the announcements are read after the build, from the file just read.
        let commit = try workspace.commit(
            action: "incident.escalate", id: ref.id, subject: IncidentService(workspace).subject("escalate", ref.id, title), author: author,
            announcing: announcements
        ) { snapshot in
            taken = nil
            announcements = []
            guard let data = try snapshot.read(ref.path) else { return [] }
            var document = try IncidentDocument(text: UTF8Text.decode(data, path: ref.path), path: ref.path)
            guard let step = Escalation.due(document.incident, schedule: schedule, at: now).first else { return [] }
            try document.setText("oncall", step.person)
            try document.append(step.entry)
            let incident = document.incident
            title = incident.title
            if let channel = incident.channel {
                let event = OpsNotification.Event.escalated(.init(incident), to: step.person, ackWithin: step.waited)
                announcements = [Announcement(channel: channel, notification: OpsNotification(event: event, at: step.due))]
            }
            taken = Escalated(incident: incident.id, person: step.person, layer: step.layer, channel: incident.channel, due: step.due)
            return [.write(ref.path, document.text)]
        }
        return commit == nil ? nil : taken
    }
}
