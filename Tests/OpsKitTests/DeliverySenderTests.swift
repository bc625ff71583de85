import Foundation
import LoopbackHTTP
import Testing

@testable import OpsKit

/// The sender against loopback servers that answer as Slack, Teams and a webhook receiver do
/// (issue 18, acceptance): each message arrives once with its body and headers, 429 waits for
/// Retry-After, permanent errors stop at once with the reason, a down or slow server is retried.
@Suite(.tags(.integration)) struct DeliverySenderTests {
    typealias Samples = DeliverySamples

    static func endpoint(_ receiver: LoopbackReceiver, _ path: String, _ target: DeliveryTarget, channel: String = "#sre-oncall") -> DeliveryEndpoint {
        DeliveryEndpoint(channel: channel, url: receiver.url(path), target: target)
    }

    @Test(arguments: [(DeliveryTarget.slack, 200, "ok"), (.teams, 202, ""), (.teams, 200, "1"), (.webhook(secret: "s3cret"), 204, "")])
    func eachMessageArrivesOnceWithItsBodyAndHeaders(_ target: DeliveryTarget, _ status: Int, _ answer: String) throws {
        let receiver = try LoopbackReceiver { _, _ in .init(status, answer) }
        defer { receiver.stop() }
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let notifications = Samples.all
        try fixture.record(notifications, to: "#sre-oncall")
        let report = fixture.sender(["#sre-oncall": Self.endpoint(receiver, "/hook", target)]).drain(until: Date().addingTimeInterval(10))
        #expect(report.sent.count == notifications.count && report.failed.isEmpty && report.problems.isEmpty)
        let requests = receiver.requests
        #expect(requests.count == notifications.count)
        for notification in notifications {
            let expected = DeliveryRequest(notification, to: target)
            let arrived = requests.filter { $0.idempotencyKey == notification.idempotencyKey }
            #expect(arrived.count == 1, "\(notification.kind)")
            guard let request = arrived.first else { continue }
            #expect(request.method == "POST" && request.path == "/hook")
            #expect(request.body == expected.body)
            #expect(request.headers["content-type"] == "application/json; charset=utf-8")
            let signature = request.headers[DeliveryRequest.signatureHeader.lowercased()]
            if case .webhook(let secret?) = target {
                #expect(signature == DeliveryRequest.signature(of: request.body, secret: secret))
            } else {
                #expect(signature == nil)
            }
        }
        #expect(fixture.messages.allSatisfy { $0.state == .sent && $0.attempts == 1 && $0.sent != nil && $0.lastError == nil })
        // Sent is sent: the next drain sends nothing.
        _ = fixture.sender(["#sre-oncall": Self.endpoint(receiver, "/hook", target)]).drain(until: Date().addingTimeInterval(0.5))
        #expect(receiver.requests.count == notifications.count)
    }

    @Test func slacks429WaitsForRetryAfterThenSends() throws {
        let receiver = try LoopbackReceiver { _, count in
            count == 0 ? .init(429, "rate_limited", headers: ["Retry-After": "2"]) : .init(200, "ok")
        }
        defer { receiver.stop() }
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let name = try #require(try fixture.record([Samples.all[0]], to: "#sre-oncall").first)
        let sender = fixture.sender(["#sre-oncall": Self.endpoint(receiver, "/slack", .slack)])
        // A drain that ends before Retry-After leaves it pending, to be tried no sooner.
        _ = sender.drain(until: Date().addingTimeInterval(0.5))
        let waiting = try fixture.message(name)
        #expect(waiting.state == .pending && waiting.attempts == 1)
        #expect(waiting.lastError == "HTTP 429 rate_limited (Retry-After 2 s)")
        let first = try #require(receiver.requests.first)
        #expect(try #require(waiting.nextAttempt).timeIntervalSince(first.at) >= 1.9)
        _ = sender.drain(until: Date().addingTimeInterval(6))
        let requests = receiver.requests
        #expect(requests.count == 2)
        #expect(requests[1].at.timeIntervalSince(requests[0].at) >= 2)
        #expect(requests.map(\.idempotencyKey) == [Samples.all[0].idempotencyKey, Samples.all[0].idempotencyKey])
        let sent = try fixture.message(name)
        #expect(sent.state == .sent && sent.attempts == 2)
    }

    @Test(arguments: [(400, "invalid_payload"), (403, "invalid_token"), (404, "no_service"), (410, "channel_is_archived"), (401, "")])
    func aPermanentErrorFailsAfterOneAttemptWithTheReason(_ status: Int, _ body: String) throws {
        let receiver = try LoopbackReceiver { _, _ in .init(status, body) }
        defer { receiver.stop() }
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let name = try #require(try fixture.record([Samples.all[0]], to: "#sre-oncall").first)
        let sender = fixture.sender(["#sre-oncall": Self.endpoint(receiver, "/slack", .slack)])
        let report = sender.drain(until: Date().addingTimeInterval(3))
        #expect(report.failed.count == 1)
        let failed = try fixture.message(name)
        #expect(failed.state == .failed && failed.attempts == 1 && failed.nextAttempt == nil)
        #expect(failed.lastError?.hasPrefix("HTTP \(status)" + (body.isEmpty ? "" : " \(body)")) == true)
        if let hint = DeliveryOutcome.slackHints[body] { #expect(failed.lastError?.hasSuffix(hint) == true) }
        // Not retried on its own: only a flush tries it again.
        _ = sender.drain(until: Date().addingTimeInterval(0.5))
        #expect(receiver.requests.count == 1)
        _ = sender.drain(until: Date().addingTimeInterval(2), retryingNow: true)
        #expect(receiver.requests.count == 2)
        #expect(try fixture.message(name).state == .failed)
    }

    @Test func aServerThatIsDownLeavesItPendingWithTheAttemptsCounted() throws {
        let receiver = try LoopbackReceiver { _, _ in .init(200, "ok") }
        receiver.stop()
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let name = try #require(try fixture.record([Samples.all[0]], to: "#sre-oncall").first)
        let sender = fixture.sender(["#sre-oncall": Self.endpoint(receiver, "/slack", .slack)])
        let report = sender.drain(until: Date().addingTimeInterval(2.5))
        #expect(report.sent.isEmpty && report.failed.isEmpty)
        let pending = try fixture.message(name)
        #expect(pending.state == .pending)
        #expect(pending.attempts >= 2, "retried within the drain after the backoff")
        #expect(pending.lastError?.lowercased().contains("refused") == true, "\(pending.lastError ?? "")")
        #expect(try #require(pending.nextAttempt) > Date())
    }

    @Test func aSlowServerTimesOutAndTheRetryCarriesTheSameKey() throws {
        let receiver = try LoopbackReceiver { _, count in .init(200, "ok", delay: count == 0 ? 3 : 0) }
        defer { receiver.stop() }
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let name = try #require(try fixture.record([Samples.all[0]], to: "#sre-oncall").first)
        let sender = fixture.sender(["#sre-oncall": Self.endpoint(receiver, "/slow", .slack)])
        _ = sender.drain(until: Date().addingTimeInterval(8))
        let sent = try fixture.message(name)
        #expect(sent.state == .sent && sent.attempts == 2)
        // The receiver got both: the first it answered too late. The key lets it drop one.
        #expect(receiver.requests.map(\.idempotencyKey) == [Samples.all[0].idempotencyKey, Samples.all[0].idempotencyKey])
    }

    @Test func aServerErrorIsRetriedWithBackoffUntilTheLastAttempt() throws {
        let receiver = try LoopbackReceiver { _, _ in .init(503, "upstream connect error") }
        defer { receiver.stop() }
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let name = try #require(try fixture.record([Samples.all[0]], to: "#sre-oncall").first)
        var policy = DeliverySender.Policy.fast
        policy.maxAttempts = 3
        let report = fixture.sender(["#sre-oncall": Self.endpoint(receiver, "/hook", .webhook(secret: nil))], policy: policy)
            .drain(until: Date().addingTimeInterval(8))
        #expect(report.failed.count == 1)
        let failed = try fixture.message(name)
        #expect(failed.state == .failed && failed.attempts == 3)
        #expect(failed.lastError == "gave up after 3 attempts; the last: HTTP 503 upstream connect error")
        let times = receiver.requests.map(\.at)
        #expect(times.count == 3)
        // Backoff: 0.2 s, then 0.4 s, each rounded up to the next whole second on disk.
        #expect(zip(times, times.dropFirst()).allSatisfy { $1.timeIntervalSince($0) >= 0.16 })
    }

    @Test func aChannelThatDoesNotResolveFailsWithTheReasonAndAFlushSendsItOnceItDoes() throws {
        let receiver = try LoopbackReceiver { _, _ in .init(200, "ok") }
        defer { receiver.stop() }
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let name = try #require(try fixture.record([Samples.all[0]], to: "#data-oncall").first)
        let report = fixture.sender([:]).drain(until: Date().addingTimeInterval(1))
        #expect(report.failed.count == 1 && receiver.requests.isEmpty)
        let failed = try fixture.message(name)
        #expect(failed.state == .failed && failed.attempts == 0 && failed.lastError == "no delivery: entry for #data-oncall")
        let endpoints = ["#data-oncall": Self.endpoint(receiver, "/hook", .teams, channel: "#data-oncall")]
        _ = fixture.sender(endpoints).drain(until: Date().addingTimeInterval(1))
        #expect(receiver.requests.isEmpty, "a failed message waits for a flush")
        _ = fixture.sender(endpoints).drain(until: Date().addingTimeInterval(3), retryingNow: true)
        #expect(try receiver.requests.count == 1 && fixture.message(name).state == .sent)
    }

    @Test func twoDrainersAtOnceSendEachMessageOnce() async throws {
        let receiver = try LoopbackReceiver { _, _ in .init(200, "ok", delay: 0.02) }
        defer { receiver.stop() }
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let notifications = Samples.updates(40)
        try fixture.record(notifications, to: "#sre-oncall")
        let endpoints = ["#sre-oncall": Self.endpoint(receiver, "/slack", .slack)]
        let sentCounts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<2 {
                let sender = UncheckedBox(fixture.sender(endpoints))
                group.addTask { await Self.onThread { sender.value.drain(until: Date().addingTimeInterval(15)).sent.count } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sentCounts.reduce(0, +) == notifications.count)
        let keys = receiver.requests.compactMap(\.idempotencyKey)
        #expect(keys.count == notifications.count && Set(keys) == Set(notifications.map(\.idempotencyKey)))
        #expect(fixture.messages.allSatisfy { $0.state == .sent })
    }

    /// Runs blocking work on a thread of its own, not the cooperative pool.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread { continuation.resume(returning: work()) }.start() }
    }
}

/// Hands a value that is used by one thread at a time to another. `@unchecked Sendable`: the
/// sender inside is used only by the thread it is handed to.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
