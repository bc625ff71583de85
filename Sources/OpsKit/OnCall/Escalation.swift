import Foundation

/// One step of a page's escalation (issue 18): who is paged next, as which layer, and when.
struct EscalationStep: Sendable, Equatable {
    var person: String
    /// What the timeline names in parentheses: the secondary rotation, or `last resort of sre`.
    var layer: String
    /// When the step falls due: the opening plus one `ack_within` per step.
    var due: Date
    /// Seconds from the opening to `due`: how long the page has gone unacknowledged.
    var waited: Int

    /// The timeline entry that records the step. Dated when the step fell due, not when a timer
    /// noticed: two clones, or a restarted `ops serve`, write the same line for the same step,
    /// which a sync merges into one, and the message carries the same idempotency key.
    var entry: TimelineEntry {
        TimelineEntry(
            at: due, actor: "ops", kind: Escalation.kind,
            text: "\(person) (\(layer)): not acknowledged within \(DurationFormat.short(Double(waited)))")
    }
}

extension OnCallSchedule {
    /// The escalation of a page to `rotation` made at `opened`, in order: the person on call in
    /// its `secondary` when the first `ack_within` runs out, then its `last_resort` one
    /// `ack_within` later. With no secondary, or nobody holding it then, the last resort comes
    /// first. Empty without `ack_within`, or when the rotation is not in the file.
    func escalationSteps(of rotation: String, openedAt opened: Date) -> [EscalationStep] {
        guard let found = self.rotation(named: rotation), let ackWithin = found.ackWithin, ackWithin > 0 else { return [] }
        var steps: [EscalationStep] = []
        func add(_ person: String, _ layer: String) {
            let waited = ackWithin * (steps.count + 1)
            steps.append(EscalationStep(person: person, layer: layer, due: opened.addingTimeInterval(Double(waited)), waited: waited))
        }
        let firstDue = opened.addingTimeInterval(Double(ackWithin))
        if let secondary = onCall(found.name, at: firstDue, layer: .secondary) {
            add(secondary.person, secondary.rotation)
        }
        if let lastResort = found.lastResort {
            add(lastResort, "last resort of \(found.name)")
        }
        return steps
    }
}

/// The escalation timers' rule, read from the incident itself so that it holds across restarts
/// and clones: which steps the timeline records already, and which are due now.
enum Escalation {
    static let kind = "escalated"

    /// The steps taken: ops's `escalated` entries, each distinct line counted once. Two clones
    /// that took the same step wrote the same line, and a sync keeps one; a copy pasted by hand
    /// must not skip the next step either.
    static func stepsTaken(_ incident: Incident) -> Int {
        Set(incident.timeline.filter { $0.actor == "ops" && $0.kind == kind }.map(\.markdown)).count
    }

    /// True while escalation can still apply: routed, open, never acknowledged.
    static func isWaiting(_ incident: Incident) -> Bool {
        incident.rotation != nil && incident.status == .open && incident.clock[.acknowledged] == nil
    }

    /// The steps due at `now` that the timeline does not record yet, in order; none once the
    /// incident is acknowledged (or further along).
    static func due(_ incident: Incident, schedule: OnCallSchedule, at now: Date) -> [EscalationStep] {
        guard isWaiting(incident), let rotation = incident.rotation, let opened = incident.clock[.opened] else { return [] }
        return schedule.escalationSteps(of: rotation, openedAt: opened).dropFirst(stepsTaken(incident)).filter { $0.due <= now }
    }

    /// When the incident's first step falls due, read from its front matter alone, so the timers
    /// pass over incidents without reading their timelines; nil when it does not escalate.
    static func earliest(_ incident: Incident, schedule: OnCallSchedule) -> Date? {
        guard isWaiting(incident), let rotation = incident.rotation, let opened = incident.clock[.opened],
            let ackWithin = schedule.rotation(named: rotation)?.ackWithin
        else { return nil }
        return opened.addingTimeInterval(Double(ackWithin))
    }
}
