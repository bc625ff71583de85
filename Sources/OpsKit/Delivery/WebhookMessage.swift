import Foundation

/// The generic webhook's JSON (README, "Webhook messages"): `schema_version`, `event`,
/// `idempotency_key`, `at`, a plain-text `summary`, the `commands` to act on it, and the
/// event's own fields in snake_case. Text is as written, not escaped: the receiver is a
/// program, and JSON already quotes it. A key of an event's group (`incident`, `budget`,
/// `signal`, `pack`) is always there, null when unknown; a group or field that does not belong
/// to the event is left out.
struct WebhookMessage: Encodable {
    /// Raised only when a field changes meaning or goes away; new fields keep version 1.
    var schemaVersion = 1
    var event: String
    var idempotencyKey: String
    /// ISO 8601 UTC, whole seconds.
    var at: String
    var summary: String
    var commands: [String]
    var incident: Incident?
    /// Who acknowledged, mitigated, resolved or wrote the update.
    var by: String?
    /// The severity before it was raised.
    var previousSeverity: String?
    /// A stakeholder update's text.
    var text: String?
    var escalatedTo: String?
    var ackWithinSeconds: Int?
    var budget: Budget?
    var signal: Signal?
    var pack: Pack?

    struct Incident: Encodable {
        var id: String
        /// What `ops incident ack` takes.
        var shortId: String
        var title: String
        var severity: String
        @NullWhenNil var service: String?
        @NullWhenNil var onCall: String?
        @NullWhenNil var runbook: String?
    }

    struct Budget: Encodable {
        var useCase: String
        var thresholdPercent: Int
        @JSONNumber var consumedPercent: Double?
        var window: String
        var actions: [String]
    }

    struct Signal: Encodable {
        var name: String
        var area: String
        @NullWhenNil var useCase: String?
        @JSONNumber var value: Double?
        @JSONNumber var pageThreshold: Double?
        var period: String
        @NullWhenNil var runbook: String?
    }

    struct Pack: Encodable {
        var week: String
        var summary: [String]
        var path: String
    }

    init(_ notification: OpsNotification) {
        event = notification.kind.rawValue
        idempotencyKey = notification.idempotencyKey
        at = Timestamp.format(notification.at)
        summary = notification.content.headline
        commands = notification.commands
        incident = notification.incident.map { facts in
            Incident(
                id: facts.id, shortId: ShortName.incident(facts.id), title: facts.title, severity: facts.severity, service: facts.service,
                onCall: facts.onCall, runbook: facts.runbook)
        }
        switch notification.event {
        case .incidentOpened: break
        case .severityRaised(_, let from): previousSeverity = from
        case .acknowledged(_, let person), .mitigated(_, let person), .resolved(_, let person): by = person
        case .stakeholderUpdate(_, let text, let person): (self.text, by) = (text, person)
        case .escalated(_, let person, let seconds): (escalatedTo, ackWithinSeconds) = (person, seconds)
        case .budgetThresholdCrossed(let facts):
            budget = Budget(
                useCase: facts.useCase, thresholdPercent: facts.threshold, consumedPercent: facts.consumed, window: facts.window,
                actions: facts.actions)
        case .signalBreached(let facts):
            signal = Signal(
                name: facts.signal, area: facts.area, useCase: facts.useCase, value: facts.value, pageThreshold: facts.threshold,
                period: facts.period, runbook: facts.runbook)
        case .weeklyPackCommitted(let week, let lines, let path):
            pack = Pack(week: week, summary: lines, path: path)
        }
    }

    static func body(for notification: OpsNotification) -> Data { DeliveryJSON.encode(WebhookMessage(notification), snakeCase: true) }
}
