internal import Crypto
import Foundation

/// How a channel is reached (`delivery:` in ops.yaml, docs/DESIGN.md §11), with what the
/// rendering needs: a webhook's secret signs its body.
enum DeliveryTarget: Sendable, Equatable {
    case slack
    case teams
    /// With no secret the body goes unsigned.
    case webhook(secret: String?)
}

/// One HTTP POST, ready for a client: the body and its headers. Built from a notification
/// alone, so the outbox can store it and a retry sends the same bytes.
struct DeliveryRequest: Sendable, Equatable {
    static let idempotencyHeader = "X-Ops-Idempotency-Key"
    static let signatureHeader = "X-Ops-Signature-256"

    var headers: [String: String]
    var body: Data

    init(_ notification: OpsNotification, to target: DeliveryTarget) {
        switch target {
        case .slack: body = SlackMessage.body(for: notification)
        case .teams: body = TeamsMessage.body(for: notification)
        case .webhook: body = WebhookMessage.body(for: notification)
        }
        // Sent to all three: Slack and Teams ignore it, a receiver behind a proxy can log it.
        headers = ["Content-Type": "application/json; charset=utf-8", Self.idempotencyHeader: notification.idempotencyKey]
        if case .webhook(let secret?) = target { headers[Self.signatureHeader] = Self.signature(of: body, secret: secret) }
    }

    /// `sha256=` and the hex HMAC-SHA256 of the body keyed with the secret: GitHub's
    /// `X-Hub-Signature-256`, so receivers can reuse the check they already have.
    static func signature(of body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}

/// The JSON encoder for message bodies: keys sorted and slashes left alone, so the same
/// notification gives the same bytes on every run (a retry resends what was signed).
enum DeliveryJSON {
    static func encode<T: Encodable>(_ value: T, snakeCase: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        do {
            return try encoder.encode(value)
        } catch {
            // Only a non-finite Double can fail, and message numbers are `JSONNumber`s, which write null.
            preconditionFailure("a message body did not encode: \(error)")
        }
    }
}
