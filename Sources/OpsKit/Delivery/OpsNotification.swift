internal import Crypto
import Foundation

/// One event ops announces to a channel (docs/DESIGN.md §11, issue 18 "What is sent"): what
/// happened, when, and the facts a person needs to act on it. Rendered for Slack, Teams or a
/// signed webhook by `DeliveryRequest`; sending is the outbox's job, not this value's. Not
/// called `Notification`: Foundation has one, and every file that imports both would have to spell it out.
struct OpsNotification: Sendable, Equatable {
    var event: Event
    /// When the event happened: the timeline entry's time for an incident, the time the
    /// threshold or breach was seen, the pack's commit time.
    var at: Date

    /// The incident an event is about, as a message shows it.
    struct IncidentFacts: Sendable, Equatable, Codable {
        var id: String
        var title: String
        var severity: String
        var service: String?
        /// The person the route gave it to (oncall.yaml), if routed.
        var onCall: String?
        var runbook: String?
    }

    /// An error budget that crossed one of its policy's thresholds for the first time in a window.
    struct BudgetFacts: Sendable, Equatable, Codable {
        var useCase: String
        /// Percent of the budget at which the policy acts (50, 75, 100).
        var threshold: Int
        /// Percent of the budget consumed when it was seen.
        var consumed: Double
        /// The budget window the crossing belongs to (`2026-11`, `2026-W47`): it is announced once per window.
        var window: String
        /// The policy's actions, as written (`notify:#sre`, `freeze_releases`).
        var actions: [String]
    }

    /// A signal (drift, data quality, groundedness) past its page-level threshold.
    struct SignalFacts: Sendable, Equatable, Codable {
        var signal: String
        var area: String
        var useCase: String?
        var value: Double
        var threshold: Double
        /// The period the value was measured over (`2026-W47`): a breach is announced once per period.
        var period: String
        var runbook: String?
    }

    enum Event: Sendable, Equatable {
        case incidentOpened(IncidentFacts)
        case severityRaised(IncidentFacts, from: String)
        case acknowledged(IncidentFacts, by: String)
        case mitigated(IncidentFacts, by: String)
        case resolved(IncidentFacts, by: String)
        case stakeholderUpdate(IncidentFacts, text: String, by: String)
        /// Not acknowledged within the rotation's `ack_within` (seconds), so handed to `to` (the next layer or the last resort).
        case escalated(IncidentFacts, to: String, ackWithin: Int)
        case budgetThresholdCrossed(BudgetFacts)
        case signalBreached(SignalFacts)
        case weeklyPackCommitted(week: String, summary: [String], packPath: String)
    }

    /// The event's name in the webhook JSON and in the idempotency key.
    enum Kind: String, Sendable, CaseIterable {
        case incidentOpened = "incident_opened"
        case severityRaised = "severity_raised"
        case acknowledged = "incident_acknowledged"
        case mitigated = "incident_mitigated"
        case resolved = "incident_resolved"
        case stakeholderUpdate = "stakeholder_update"
        case escalated = "incident_escalated"
        case budgetThresholdCrossed = "budget_threshold_crossed"
        case signalBreached = "signal_breached"
        case weeklyPackCommitted = "weekly_pack_committed"
    }

    var kind: Kind {
        switch event {
        case .incidentOpened: return .incidentOpened
        case .severityRaised: return .severityRaised
        case .acknowledged: return .acknowledged
        case .mitigated: return .mitigated
        case .resolved: return .resolved
        case .stakeholderUpdate: return .stakeholderUpdate
        case .escalated: return .escalated
        case .budgetThresholdCrossed: return .budgetThresholdCrossed
        case .signalBreached: return .signalBreached
        case .weeklyPackCommitted: return .weeklyPackCommitted
        }
    }

    /// The incident the event is about, for the incident events.
    var incident: IncidentFacts? {
        switch event {
        case .incidentOpened(let facts), .severityRaised(let facts, _), .acknowledged(let facts, _), .mitigated(let facts, _),
            .resolved(let facts, _), .stakeholderUpdate(let facts, _, _), .escalated(let facts, _, _):
            return facts
        case .budgetThresholdCrossed, .signalBreached, .weeklyPackCommitted:
            return nil
        }
    }

    /// A stable name for this event, the same on every run and in every clone, so a receiver
    /// can drop a message sent twice (a crash between sending and marking it sent). It is the
    /// kind and the hex SHA-256 of the event's identity, one part per line:
    /// - incident events: the incident ID, the kind, and the timeline entry's time (`at`,
    ///   whole seconds in UTC); a severity raise adds the new severity, an escalation the
    ///   person, a stakeholder update its text (two updates can share a second);
    /// - a budget threshold: use case, threshold and window (once per window, whenever seen);
    /// - a signal breach: signal, area, use case and period (once per period);
    /// - the weekly pack: the week.
    /// Only facts written in the repository go in, never the run's clock, host or a random
    /// number, so the clone that retries computes the same key. Hashed so the key is ASCII and
    /// short enough for an HTTP header whatever the names hold.
    var idempotencyKey: String {
        var parts: [String]
        switch event {
        case .incidentOpened(let facts), .acknowledged(let facts, _), .mitigated(let facts, _), .resolved(let facts, _):
            parts = [facts.id, Timestamp.format(at)]
        case .severityRaised(let facts, _):
            parts = [facts.id, Timestamp.format(at), facts.severity]
        case .stakeholderUpdate(let facts, let text, _):
            parts = [facts.id, Timestamp.format(at), text]
        case .escalated(let facts, let person, _):
            parts = [facts.id, Timestamp.format(at), person]
        case .budgetThresholdCrossed(let budget):
            parts = [budget.useCase, String(budget.threshold), budget.window]
        case .signalBreached(let signal):
            parts = [signal.signal, signal.area, signal.useCase ?? "", signal.period]
        case .weeklyPackCommitted(let week, _, _):
            parts = [week]
        }
        let identity = ([kind.rawValue] + parts).joined(separator: "\n")
        let digest = SHA256.hash(data: Data(identity.utf8)).map { String(format: "%02x", $0) }.joined()
        return kind.rawValue + "-" + digest
    }
}
