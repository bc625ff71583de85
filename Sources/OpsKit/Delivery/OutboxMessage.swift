internal import Crypto
import Foundation

/// One message in the outbox (`.git/ops/outbox/<name>.json`): what to send to which channel,
/// and how far sending got. The request body is rebuilt from `notification` at each attempt, so
/// every attempt sends the same bytes with the same idempotency key.
struct OutboxMessage: Codable, Equatable, Sendable {
    enum State: String, Codable, Sendable, CaseIterable {
        /// Recorded for a commit that is being made: becomes pending when the commit lands,
        /// and is removed when it does not (`Outbox.claim`).
        case held
        /// Waits to be sent, at `nextAttempt` or as soon as possible.
        case pending
        case sent
        /// Not sent, and not retried on its own: a permanent answer, too many attempts, or a
        /// channel that cannot be resolved. `ops notify flush` tries it again.
        case failed
    }

    /// Raised only when a field changes meaning or goes away.
    var version = 1
    var channel: String
    var notification: OpsNotification
    var state: State
    /// The commit a held message waits for.
    var commit: String?
    /// HTTP requests made for it so far.
    var attempts = 0
    /// Not before this time (backoff, or a 429's Retry-After); nil: as soon as possible.
    var nextAttempt: Date?
    /// Why the last attempt did not deliver it, in one line.
    var lastError: String?
    var recorded: Date
    var sent: Date?

    init(channel: String, notification: OpsNotification, state: State, commit: String? = nil, recorded: Date) {
        self.channel = channel
        self.notification = notification
        self.state = state
        self.commit = commit
        self.recorded = recorded
    }

    /// The file's name without `.json`: the channel, readable and hashed (a channel name may hold
    /// any character), and the idempotency key, so the same event for the same channel is always
    /// the same file and recording it twice is a no-op.
    var name: String { Self.name(channel: channel, key: notification.idempotencyKey) }

    static func name(channel: String, key: String) -> String {
        let readable = String(channel.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }.prefix(40))
        let digest = SHA256.hash(data: Data(channel.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        return (readable.isEmpty ? "" : readable + "-") + digest + "--" + key
    }

    /// The record as stored: keys in snake_case and sorted, one field a line, times in UTC to the second.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try encoder.encode(self)
        } catch {
            throw OpsError.repository("cannot encode the outbox message \(name): \(error)")
        }
    }

    /// Why a file in the outbox is not a message ops can send, in plain words.
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    /// The message `data` holds; `Unreadable` says plainly what is wrong with one it cannot send.
    static func decode(_ data: Data) throws -> OutboxMessage {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a time")
            }
            return date
        }
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        func newer(_ version: Int) -> Unreadable {
            Unreadable(description: "written by a newer ops (message version \(version)): send it with that ops")
        }
        let message: OutboxMessage
        do {
            message = try decoder.decode(OutboxMessage.self, from: data)
        } catch {
            // A newer ops may add fields and states: its message is not damaged.
            if case .success(let value) = JSONText.parse(data), let version = value["version"]?.string.flatMap({ Int($0) }), version > 1 {
                throw newer(version)
            }
            throw Unreadable(
                description: damage(of: data, error: error)
                    + ": ops cannot send it and leaves it as it is. Read it, pass on what it says by hand, then move it out of the outbox")
        }
        guard message.version == 1 else { throw newer(message.version) }
        return message
    }

    /// What is wrong with `data`, which did not decode with `error`: where the JSON breaks
    /// (`cut off at line 7`), else the field (`no field notification.event`).
    static func damage(of data: Data, error: any Error) -> String {
        switch JSONText.parse(data) {
        case .failure(.truncated(let line, _)): return "cut off at line \(line)"
        case .failure(.invalid(let line, let what)): return "not JSON at line \(line) (\(what))"
        case .success(let value):
            guard case .object = value.kind else { return "not a JSON object" }
        }
        func field(_ path: [any CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "no field \(field(context.codingPath + [key]))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "\(field(context.codingPath)) is not what ops writes there"
        case .dataCorrupted(let context)?:
            return (context.codingPath.isEmpty ? "" : field(context.codingPath) + ": ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}
