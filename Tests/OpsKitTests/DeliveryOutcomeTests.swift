import Foundation
import Testing

@testable import OpsKit

/// How each answer a receiver gives is read: sent, retried (when), or failed for good (why).
@Suite struct DeliveryOutcomeTests {
    static let now = DeliverySamples.at

    static func classify(_ status: Int, _ body: String = "", retryAfter: String? = nil) -> DeliveryOutcome {
        DeliveryOutcome.classify(status: status, body: body, retryAfter: retryAfter, now: now, longestWait: 3600)
    }

    @Test func twoHundredsAreDelivered() {
        for status in [200, 201, 202, 204] { #expect(Self.classify(status, "ok") == .delivered) }
    }

    @Test func rateLimitsTimeoutsAndServerErrorsAreRetried() {
        #expect(Self.classify(429, "rate_limited", retryAfter: "30") == .retry("HTTP 429 rate_limited (Retry-After 30 s)", after: 30))
        #expect(Self.classify(429, "", retryAfter: nil) == .retry("HTTP 429", after: nil))
        // A receiver cannot park a message for a week.
        #expect(Self.classify(429, "", retryAfter: "604800") == .retry("HTTP 429 (Retry-After 3600 s)", after: 3600))
        #expect(Self.classify(408) == .retry("HTTP 408", after: nil))
        #expect(Self.classify(500, "oops\nstack trace") == .retry("HTTP 500 oops", after: nil))
        #expect(Self.classify(503) == .retry("HTTP 503", after: nil))
    }

    @Test func slacksDocumentedErrorsAndOtherClientErrorsArePermanentAndSayWhatToDo() {
        guard case .permanent(let reason) = Self.classify(403, "invalid_token") else {
            Issue.record("403 is retried")
            return
        }
        #expect(reason.hasPrefix("HTTP 403 invalid_token: ") && reason.contains("environment variable"))
        for (status, body) in [(400, "invalid_payload"), (404, "no_service"), (410, "channel_is_archived"), (401, "nope"), (301, "")] {
            guard case .permanent = Self.classify(status, body) else {
                Issue.record("\(status) \(body) is not permanent")
                continue
            }
        }
    }

    @Test func retryAfterIsSecondsOrAnHTTPDate() {
        #expect(DeliveryOutcome.seconds(retryAfter: " 7 ", now: Self.now) == 7)
        #expect(DeliveryOutcome.seconds(retryAfter: "Wed, 18 Nov 2026 14:03:30 GMT", now: Self.now) == 30)
        #expect(DeliveryOutcome.seconds(retryAfter: "Wed, 18 Nov 2026 14:00:00 GMT", now: Self.now) == 0)
        #expect(DeliveryOutcome.seconds(retryAfter: "-5", now: Self.now) == nil)
        #expect(DeliveryOutcome.seconds(retryAfter: "soon", now: Self.now) == nil)
    }

    @Test func backoffDoublesFromTwoSecondsToTenMinutesWithJitter() {
        let waits = (1...12).map { DeliveryOutcome.backoff(attempt: $0, first: 2, cap: 600, random: 0.5) }
        #expect(waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600])
        #expect(DeliveryOutcome.backoff(attempt: 3, first: 2, cap: 600, random: 0) == 8 * 0.8)
        #expect(DeliveryOutcome.backoff(attempt: 3, first: 2, cap: 600, random: 0.999_999) < 8 * 1.2)
        #expect(DeliveryOutcome.backoff(attempt: 10_000, first: 2, cap: 600, random: 0.5) == 600)
    }
}
