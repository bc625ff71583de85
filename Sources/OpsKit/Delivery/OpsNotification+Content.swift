import Foundation

/// What a chat message says, before it is escaped for Slack or Teams: one model, so both
/// channels tell a person the same facts in the same order.
struct MessageContent: Sendable, Equatable {
    /// One line: what happened, to what.
    var headline: String
    /// Label → value, in the order they are shown; missing values are left out.
    var facts: [(label: String, value: String)]
    /// Free text that follows the facts: a stakeholder update, the pack's summary lines.
    var detail: [String]
    /// The `ops` commands that act on it, shown as code.
    var commands: [String]

    static func == (a: MessageContent, b: MessageContent) -> Bool {
        a.headline == b.headline && a.facts.map(\.label) == b.facts.map(\.label) && a.facts.map(\.value) == b.facts.map(\.value)
            && a.detail == b.detail && a.commands == b.commands
    }
}

extension OpsNotification {
    /// The `ops` commands a reader would type next for this event.
    var commands: [String] {
        if let incident {
            let short = ShortName.incident(incident.id)
            switch event {
            case .incidentOpened, .severityRaised, .escalated: return ["ops incident ack \(short)", "ops incident show \(short)"]
            case .acknowledged: return ["ops incident mitigate \(short)", "ops incident show \(short)"]
            case .mitigated: return ["ops incident resolve \(short)", "ops incident show \(short)"]
            case .resolved: return ["ops postmortem new \(short)"]
            default: return ["ops incident show \(short)"]
            }
        }
        switch event {
        case .budgetThresholdCrossed(let budget): return ["ops slo status", "ops release check --use-case \(budget.useCase)"]
        case .signalBreached: return ["ops signals status"]
        default: return []
        }
    }

    var content: MessageContent {
        switch event {
        case .incidentOpened(let incident):
            return incidentContent(incident, "\(incident.severity) incident opened: \(incident.title)")
        case .severityRaised(let incident, let from):
            return incidentContent(incident, "Severity raised to \(incident.severity) (was \(from)): \(incident.title)")
        case .acknowledged(let incident, let person):
            return incidentContent(incident, "Acknowledged by \(person): \(incident.title)")
        case .mitigated(let incident, let person):
            return incidentContent(incident, "Mitigated by \(person): \(incident.title)")
        case .resolved(let incident, let person):
            return incidentContent(incident, "Resolved by \(person): \(incident.title)")
        case .stakeholderUpdate(let incident, let text, let person):
            return incidentContent(incident, "Update from \(person): \(incident.title)", detail: [text])
        case .escalated(let incident, let person, let seconds):
            let reason = "not acknowledged within \(DurationFormat.short(Double(seconds)))"
            return incidentContent(incident, "Escalated to \(person): \(incident.title)", extra: [("Why", reason)])
        case .budgetThresholdCrossed(let budget):
            let facts: [(String, String?)] = [
                ("Use case", budget.useCase), ("Threshold", "\(budget.threshold)%"), ("Consumed", Self.percent(budget.consumed)),
                ("Window", budget.window), ("Actions", budget.actions.isEmpty ? nil : budget.actions.joined(separator: ", ")),
            ]
            return MessageContent(
                headline: "Error budget of \(budget.useCase) past \(budget.threshold)%: \(Self.percent(budget.consumed)) consumed",
                facts: Self.present(facts), detail: [], commands: commands)
        case .signalBreached(let signal):
            let facts: [(String, String?)] = [
                ("Signal", signal.signal), ("Area", signal.area), ("Use case", signal.useCase), ("Value", Self.number(signal.value)),
                ("Page at", Self.number(signal.threshold)), ("Period", signal.period), ("Runbook", signal.runbook),
            ]
            return MessageContent(
                headline: "Signal \(signal.signal) breached its page level in \(signal.period)", facts: Self.present(facts), detail: [],
                commands: commands)
        case .weeklyPackCommitted(let week, let summary, let path):
            return MessageContent(
                headline: "Ops Review pack \(week) committed", facts: [("Week", week), ("Pack", path)], detail: summary, commands: commands)
        }
    }

    private func incidentContent(
        _ incident: IncidentFacts, _ headline: String, extra: [(String, String?)] = [], detail: [String] = []
    ) -> MessageContent {
        let facts: [(String, String?)] = [
            ("Severity", incident.severity), ("Service", incident.service), ("On call", incident.onCall), ("Runbook", incident.runbook),
            ("Incident", incident.id),
        ]
        return MessageContent(headline: headline, facts: Self.present(facts + extra), detail: detail, commands: commands)
    }

    private static func present(_ facts: [(String, String?)]) -> [(label: String, value: String)] {
        facts.compactMap { label, value in value.map { (label, $0) } }
    }

    /// `78.4%`: one decimal.
    static func percent(_ value: Double) -> String { value.isFinite ? String(format: "%.1f%%", value) : "–" }

    /// Whole numbers without a decimal point, others to at most three decimals; `–` when not finite.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
