import Foundation
import Testing

@testable import OpsKit

@Suite struct IncidentDuplicateTests {
    /// Issue 15: a second incident for the same trouble was opened silently.
    @Test func aNearIdenticalOpenOnTheSameServiceWithinTheHourIsNamedUnlessForced() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let first = try ops.open("Checkout p99 above 1.2s")
        ops.clock.advance(minutes: 20)
        let count = try ops.commitCount()
        let short = String(first.id.suffix(8).prefix(4)).lowercased()
        #expect(
            throws: OpsError.input(
                "\(first.id) is already open on ops_copilot: \"Checkout p99 above 1.2s\", opened 2026-11-22 18:58 Europe/Berlin. "
                    + "Add to it (ops incident note \(short) \"...\"), or open another anyway with --force")
        ) {
            try ops.open("checkout  P99 above 1.2s!")
        }
        #expect(throws: OpsError.self) { try ops.open("Checkout p99 above 1.2 s") }
        #expect(try ops.commitCount() == count)

        // Forced, another service, another title, or an hour later: opened.
        let forced = try ops.incidents.open(
            IncidentService.OpenRequest(title: "Checkout p99 above 1.2s", severity: "SEV2", service: "ops_copilot"),
            author: ops.alice, force: true)
        #expect(forced.id != first.id)
        _ = try ops.open("Checkout p99 above 1.2s", service: "fraud_scoring")
        _ = try ops.open("Checkout error rate above 2%")
        _ = try ops.open("Checkout p99 above 1.5s")
        #expect(try ops.commitCount() == count + 4)
        ops.clock.advance(minutes: 61)
        _ = try ops.open("Checkout p99 above 1.2s")
    }

    @Test func aSettledIncidentIsNoTwin() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let first = try ops.open("Checkout p99 above 1.2s")
        ops.clock.advance(minutes: 5)
        _ = try ops.incidents.change(first.id, .move(to: .resolved), at: nil, author: ops.alice)
        #expect(try ops.open("Checkout p99 above 1.2s").id != first.id)
    }

    @Test func titlesMatchWhenEqualOrAFewCharactersApart() {
        func same(_ a: String, _ b: String) -> Bool { IncidentTwins.nearlyIdentical(IncidentTwins.words(a), IncidentTwins.words(b)) }
        #expect(same("Checkout p99 > 1.2s", "checkout p99 >1.2s!"))
        #expect(same("Fraud scores stale", "Fraud score stale"))
        #expect(!same("Checkout latency", "Checkout errors"))
        #expect(!same("Search down", "Fraud down"))
        #expect(!same("Node 3 down", "Node 4 down") && !same("Unrelated 1", "Unrelated 2"))
    }

    /// Issue 15: closing a SEV1/SEV2 without a postmortem passed without a word.
    @Test func closingASeverityThatNeedsAPostmortemWithoutOneWarnsButCloses() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let sev2 = try ops.open("Checkout p99 above 1.2s")
        let sev3 = try ops.open("Search p95 above 800ms", sev: "SEV3", service: "search_ranking")
        let written = try ops.open("Fraud scores stale", sev: "SEV1", service: "fraud_scoring")
        ops.clock.advance(minutes: 30)
        for incident in [sev2, sev3, written] { _ = try ops.incidents.change(incident.id, .move(to: .resolved), at: nil, author: ops.alice) }
        _ = try PostmortemService(ops.workspace).create(written.id, author: ops.alice)
        let closed = try ops.incidents.change(sev2.id, .move(to: .closed), at: nil, author: ops.alice)
        #expect(closed.committed && closed.incident.status == .closed)
        let short = String(sev2.id.suffix(8).prefix(4)).lowercased()
        #expect(
            closed.warnings == [
                "\(sev2.id) is SEV2 and has no postmortem; ops.yaml wants one within 5 business days of resolution. Write it: ops postmortem new \(short)"
            ])
        #expect(try ops.incidents.change(sev3.id, .move(to: .closed), at: nil, author: ops.alice).warnings.isEmpty)
        #expect(try ops.incidents.change(written.id, .move(to: .closed), at: nil, author: ops.alice).warnings.isEmpty)
        // Closing twice changes nothing and says nothing more.
        #expect(try ops.incidents.change(sev2.id, .move(to: .closed), at: nil, author: ops.alice).warnings.isEmpty)
    }
}
