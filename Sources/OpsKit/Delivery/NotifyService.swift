public import Foundation

/// `ops notify`: what waits in this clone's outbox, and sending it now. Commands that announce
/// an event record it with their commit (`Workspace.commit(…announcing:…)`) and then call
/// `deliver(within:)`; `ops serve` drains continuously.
public struct NotifyService {
    let workspace: Workspace
    let policy: DeliverySender.Policy

    public init(_ workspace: Workspace) {
        self.init(workspace, policy: DeliverySender.Policy())
    }

    init(_ workspace: Workspace, policy: DeliverySender.Policy) {
        self.workspace = workspace
        self.policy = policy
    }

    /// One message in the outbox, as `ops notify status` shows it.
    public struct Message: Sendable, Equatable, Encodable {
        public var channel: String
        /// The event's name (`incident_opened`).
        public var event: String
        /// The incident it is about, for incident events.
        public var incident: String?
        /// held, pending, sent or failed.
        public var state: String
        public var attempts: Int
        public var lastError: String?
        public var nextAttempt: Date?
        public var recorded: Date
        public var sent: Date?
        /// The idempotency key, sent as X-Ops-Idempotency-Key.
        public var key: String

        init(_ message: OutboxMessage) {
            channel = message.channel
            event = message.notification.kind.rawValue
            incident = message.notification.incident?.id
            state = message.state.rawValue
            attempts = message.attempts
            lastError = message.lastError
            nextAttempt = message.nextAttempt
            recorded = message.recorded
            sent = message.sent
            key = message.notification.idempotencyKey
        }

        enum CodingKeys: String, CodingKey {
            case channel, event, incident, state, attempts, recorded, sent, key
            case lastError = "last_error"
            case nextAttempt = "next_attempt"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(channel, forKey: .channel)
            try container.encode(event, forKey: .event)
            try container.encode(incident, forKey: .incident)
            try container.encode(state, forKey: .state)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(nextAttempt, forKey: .nextAttempt)
            try container.encode(recorded, forKey: .recorded)
            try container.encode(sent, forKey: .sent)
            try container.encode(key, forKey: .key)
        }
    }

    /// How many messages are in each state.
    public struct Counts: Sendable, Equatable, Encodable {
        public var held = 0, pending = 0, failed = 0, sent = 0

        init(_ messages: [OutboxMessage]) {
            for message in messages {
                switch message.state {
                case .held: held += 1
                case .pending: pending += 1
                case .failed: failed += 1
                case .sent: sent += 1
                }
            }
        }
    }

    /// `ops notify status`: the messages not yet sent (held, pending, failed), and every count.
    public struct Status: Sendable, Encodable {
        public var messages: [Message]
        public var counts: Counts
        /// Files in the outbox that are not messages ops can read.
        public var problems: [String]
    }

    public func status() -> Status {
        let entries = workspace.outbox.entries()
        let messages = entries.compactMap(\.message)
        return Status(
            messages: messages.filter { $0.state != .sent }.map(Message.init), counts: Counts(messages),
            problems: entries.compactMap(\.problem))
    }

    /// What `ops notify flush` did, and what still waits.
    public struct FlushReport: Sendable, Encodable {
        public var sent: [Message]
        /// Given up on in this flush: a permanent answer, or a channel with no endpoint.
        public var failed: [Message]
        /// Still pending or held: to be sent by the next flush, `ops serve`, or the next command.
        public var waiting: [Message]
        public var removedSent: Int
        public var problems: [String]

        enum CodingKeys: String, CodingKey {
            case sent, failed, waiting, problems
            case removedSent = "removed_sent"
        }
    }

    /// Sends every pending and failed message now, ignoring backoff (a retry the receiver asks
    /// for within the wait is still made), for at most `wait` seconds. Never throws for a message
    /// that could not be sent: it stays in the outbox, and the report says why.
    public func flush(wait: TimeInterval) -> FlushReport {
        let report = sender().drain(until: Date().addingTimeInterval(wait), retryingNow: true)
        let left = workspace.outbox.entries().compactMap(\.message).filter { $0.state == .pending || $0.state == .held }
        return FlushReport(
            sent: report.sent.map { Message($0.message) }, failed: report.failed.map { Message($0.message) }, waiting: left.map(Message.init),
            removedSent: report.removed, problems: report.problems)
    }

    /// For a command that has just recorded messages: sends what is due for at most `seconds`
    /// and leaves the rest pending; never throws (`ops notify status` shows what waits).
    func deliver(within seconds: TimeInterval) -> DeliverySender.Report {
        sender().drain(until: Date().addingTimeInterval(seconds))
    }

    func sender() -> DeliverySender {
        let workspace = workspace
        return DeliverySender(outbox: workspace.outbox, policy: policy) { channel in
            try DeliveryEndpoint.resolve(
                channel: channel, config: try workspace.config(), environment: workspace.environment, repositoryRoot: workspace.root)
        }
    }
}
