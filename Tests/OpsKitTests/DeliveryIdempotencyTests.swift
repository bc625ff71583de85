import Foundation
import Testing

@testable import OpsKit

/// Issue 18, "Nothing lost, nothing twice": a message's idempotency key names its event, the
/// same in every run and clone, and no two events share one.
@Suite struct DeliveryIdempotencyTests {
    typealias Samples = DeliverySamples

    @Test func theKeyIsTheDocumentedHashAsPythonComputesIt() throws {
        // Pinned against an independent SHA-256, so a key built from the run (a hash seed, the
        // clock, a random number) cannot pass: the retrying clone must compute the same one.
        let script = "import hashlib;print(hashlib.sha256(b'incident_opened\\n2026-11-18-7f3a9c1e\\n2026-11-18T14:03:00Z').hexdigest())"
        let digest = try run(["python3", "-c", script]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Samples.all[0].idempotencyKey == "incident_opened-" + digest)
    }

    @Test func theSameEventGivesTheSameKeyAndTheSameBytesTwice() {
        for (first, second) in zip(Samples.all, Samples.all) {
            #expect(first.idempotencyKey == second.idempotencyKey)
            #expect(WebhookMessage.body(for: first) == WebhookMessage.body(for: second))
            #expect(SlackMessage.body(for: first) == SlackMessage.body(for: second))
            #expect(TeamsMessage.body(for: first) == TeamsMessage.body(for: second))
        }
    }

    @Test func differentEventsHaveDifferentKeys() {
        let keys = Samples.all.map { $0.idempotencyKey }
        #expect(Set(keys).count == keys.count)
        let opened = Samples.all[0]
        var other = Samples.incident
        other.id = "2026-11-18-0b1d2e3f"
        #expect(OpsNotification(event: .incidentOpened(other), at: Samples.at).idempotencyKey != opened.idempotencyKey)
        #expect(OpsNotification(event: opened.event, at: Samples.at + 60).idempotencyKey != opened.idempotencyKey)

        // Two updates in the same second differ by their text; a raise to another severity by that severity.
        let update = { (text: String) in OpsNotification(event: .stakeholderUpdate(Samples.incident, text: text, by: "carol"), at: Samples.at) }
        #expect(update("one").idempotencyKey != update("two").idempotencyKey)
        var raised = Samples.incident
        raised.severity = "SEV1"
        #expect(
            OpsNotification(event: .severityRaised(raised, from: "SEV2"), at: Samples.at).idempotencyKey != Samples.all[1].idempotencyKey)
    }

    @Test func aBudgetCrossingIsOneEventPerWindowWhenEverItIsSeen() {
        var budget = Samples.budget
        let seen = OpsNotification(event: .budgetThresholdCrossed(budget), at: Samples.at)
        budget.consumed = 81
        let laterInAnotherClone = OpsNotification(event: .budgetThresholdCrossed(budget), at: Samples.at + 3600)
        #expect(seen.idempotencyKey == laterInAnotherClone.idempotencyKey)
        budget.window = "2026-12"
        #expect(OpsNotification(event: .budgetThresholdCrossed(budget), at: Samples.at).idempotencyKey != seen.idempotencyKey)
        budget.window = "2026-11"
        budget.threshold = 100
        #expect(OpsNotification(event: .budgetThresholdCrossed(budget), at: Samples.at).idempotencyKey != seen.idempotencyKey)
    }

    @Test func theKeyIsAShortASCIIHeaderValueWhateverTheNamesHold() {
        var incident = Samples.incident
        incident.id = String(repeating: "é\n", count: 500)
        let key = OpsNotification(event: .incidentOpened(incident), at: Samples.at).idempotencyKey
        #expect(key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        #expect(key.count == "incident_opened-".count + 64)
    }
}
