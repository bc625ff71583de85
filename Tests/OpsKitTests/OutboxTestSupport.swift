import Foundation
import LoopbackHTTP
import Testing

@testable import OpsKit

/// An outbox in a temp folder, with messages recorded the way a write records them.
struct OutboxFixture {
    let folder: TempFolder
    let outbox: Outbox

    /// `landed` says which commits count as landed (all, by default).
    init(landed: @escaping (String) -> Bool = { _ in true }) throws {
        folder = try TempFolder()
        outbox = Outbox(folder: folder.path + "/outbox", clock: { DeliverySamples.at }, isInHistory: landed)
    }

    /// Records `notifications` for `channel` as a write does, and makes them pending.
    @discardableResult
    func record(_ notifications: [OpsNotification], to channel: String) throws -> [String] {
        let recording = Outbox.Recording(outbox)
        try recording.hold(notifications.map { Announcement(channel: channel, notification: $0) }, commit: String(repeating: "a", count: 40))
        let names = recording.names
        recording.finish(String(repeating: "a", count: 40))
        return names
    }

    func message(_ name: String) throws -> OutboxMessage {
        try OutboxMessage.decode(try Data(contentsOf: URL(fileURLWithPath: outbox.path(name))))
    }

    var messages: [OutboxMessage] { outbox.entries().compactMap(\.message) }

    /// The files in the outbox folder, sorted.
    var files: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: outbox.folder)) ?? []).sorted() }

    /// A sender to `endpoints` (channel → endpoint); any other channel does not resolve.
    func sender(_ endpoints: [String: DeliveryEndpoint], policy: DeliverySender.Policy = .fast) -> DeliverySender {
        DeliverySender(outbox: outbox, policy: policy, random: { 0.5 }) { channel in
            guard let endpoint = endpoints[channel] else { throw OpsError.input("no delivery: entry for \(channel)") }
            return endpoint
        }
    }

    func remove() { folder.remove() }
}

extension DeliverySender.Policy {
    /// Short waits for tests: a first retry after 0.2 s, requests cut at 1 s.
    static var fast: Self {
        var policy = Self()
        policy.firstWait = 0.2
        policy.longestWait = 1
        policy.requestTimeout = 1
        return policy
    }
}

extension DeliverySamples {
    /// `count` distinct stakeholder updates about the sample incident: one message each.
    static func updates(_ count: Int) -> [OpsNotification] {
        (0..<count).map { OpsNotification(event: .stakeholderUpdate(incident, text: "Update \($0)", by: "carol"), at: at) }
    }
}

extension LoopbackReceiver.Request {
    var idempotencyKey: String? { headers[DeliveryRequest.idempotencyHeader.lowercased()] }
}
