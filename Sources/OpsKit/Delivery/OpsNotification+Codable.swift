import Foundation

// How a notification is kept in the outbox (`.git/ops/outbox/`, README "The outbox"): one flat
// object, the event's name as the webhook has it, times in UTC; the outbox's coder writes the
// keys in snake_case (`OutboxMessage.encoded`). Written by hand rather than synthesized, because
// Swift's form for enum payloads (`{"acknowledged": {"_0": …, "by": …}}`) would tie the files on
// disk to the Swift case and label names. The facts' own fields are synthesized.

extension OpsNotification: Codable {
    private enum CodingKeys: String, CodingKey {
        case event, at, incident, by, text, budget, signal, week, summary
        case previousSeverity, escalatedTo, ackWithinSeconds, packPath
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind.rawValue, forKey: .event)
        try container.encode(Timestamp.format(at), forKey: .at)
        try container.encodeIfPresent(incident, forKey: .incident)
        switch event {
        case .incidentOpened:
            break
        case .severityRaised(_, let from):
            try container.encode(from, forKey: .previousSeverity)
        case .acknowledged(_, let person), .mitigated(_, let person), .resolved(_, let person):
            try container.encode(person, forKey: .by)
        case .stakeholderUpdate(_, let text, let person):
            try container.encode(text, forKey: .text)
            try container.encode(person, forKey: .by)
        case .escalated(_, let person, let seconds):
            try container.encode(person, forKey: .escalatedTo)
            try container.encode(seconds, forKey: .ackWithinSeconds)
        case .budgetThresholdCrossed(let budget):
            try container.encode(budget, forKey: .budget)
        case .signalBreached(let signal):
            try container.encode(signal, forKey: .signal)
        case .weeklyPackCommitted(let week, let summary, let path):
            try container.encode(week, forKey: .week)
            try container.encode(summary, forKey: .summary)
            try container.encode(path, forKey: .packPath)
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .event)
        guard let kind = Kind(rawValue: name) else {
            throw DecodingError.dataCorruptedError(forKey: .event, in: container, debugDescription: "unknown event '\(name)'")
        }
        let time = try container.decode(String.self, forKey: .at)
        guard let at = Timestamp.parse(time) else {
            throw DecodingError.dataCorruptedError(forKey: .at, in: container, debugDescription: "'\(time)' is not a time")
        }
        func incident() throws -> IncidentFacts { try container.decode(IncidentFacts.self, forKey: .incident) }
        func string(_ key: CodingKeys) throws -> String { try container.decode(String.self, forKey: key) }
        let event: Event
        switch kind {
        case .incidentOpened: event = .incidentOpened(try incident())
        case .severityRaised: event = .severityRaised(try incident(), from: try string(.previousSeverity))
        case .acknowledged: event = .acknowledged(try incident(), by: try string(.by))
        case .mitigated: event = .mitigated(try incident(), by: try string(.by))
        case .resolved: event = .resolved(try incident(), by: try string(.by))
        case .stakeholderUpdate: event = .stakeholderUpdate(try incident(), text: try string(.text), by: try string(.by))
        case .escalated:
            event = .escalated(try incident(), to: try string(.escalatedTo), ackWithin: try container.decode(Int.self, forKey: .ackWithinSeconds))
        case .budgetThresholdCrossed: event = .budgetThresholdCrossed(try container.decode(BudgetFacts.self, forKey: .budget))
        case .signalBreached: event = .signalBreached(try container.decode(SignalFacts.self, forKey: .signal))
        case .weeklyPackCommitted:
            event = .weeklyPackCommitted(
                week: try string(.week), summary: try container.decode([String].self, forKey: .summary), packPath: try string(.packPath))
        }
        self.init(event: event, at: at)
    }
}
