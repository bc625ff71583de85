import Foundation
import Testing

@testable import OpsKit

/// One notification of each kind, about the same incident where there is one.
enum DeliverySamples {
    static let at = Timestamp.parse("2026-11-18T14:03:00Z")!

    static let incident = OpsNotification.IncidentFacts(
        id: "2026-11-18-7f3a9c1e", title: "Checkout p99 above 1.2s", severity: "SEV2", service: "ops_copilot", onCall: "alice",
        runbook: "model-serving-degradation")

    static let budget = OpsNotification.BudgetFacts(
        useCase: "ops_copilot", threshold: 75, consumed: 78.44, window: "2026-11", actions: ["notify:#sre", "freeze_releases"])

    static let signal = OpsNotification.SignalFacts(
        signal: "embedding_drift", area: "drift", useCase: "ops_copilot", value: 0.31, threshold: 0.25, period: "2026-W47",
        runbook: "drift-response")

    static func events(_ incident: OpsNotification.IncidentFacts = incident) -> [OpsNotification.Event] {
        [
            .incidentOpened(incident),
            .severityRaised(incident, from: "SEV3"),
            .acknowledged(incident, by: "alice"),
            .mitigated(incident, by: "bob"),
            .resolved(incident, by: "bob"),
            .stakeholderUpdate(incident, text: "Rolled back model v42; errors falling", by: "carol"),
            .escalated(incident, to: "bob", ackWithin: 900),
            .budgetThresholdCrossed(budget),
            .signalBreached(signal),
            .weeklyPackCommitted(week: "2026-W47", summary: ["3 incidents, MTTA 4m", "2 SLOs in breach"], packPath: "reviews/2026-W47/pack.html"),
        ]
    }

    static var all: [OpsNotification] { events().map { OpsNotification(event: $0, at: at) } }

    static func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
