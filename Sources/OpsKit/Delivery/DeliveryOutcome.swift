import Foundation

/// What one attempt to send a message came to, from the receiver's answer: Slack's, Teams' and
/// a webhook's answers read the same way (issue 18, "Nothing lost, nothing twice").
enum DeliveryOutcome: Sendable, Equatable {
    /// A 2xx: Slack answers 200 `ok`, a Teams Workflows webhook 200 or 202.
    case delivered
    /// Retrying cannot help until a person changes something: the reason, in one line.
    case permanent(String)
    /// Worth another try: the reason, and how long the receiver asked us to wait (429's
    /// Retry-After), nil for the sender's own backoff.
    case retry(String, after: TimeInterval?)

    /// Classifies an HTTP answer. 2xx delivered; 429 and 408 and 5xx retried; every other
    /// answer is permanent: Slack's 400 `invalid_payload`, 403 `invalid_token`, 404
    /// `no_service`, 410 `channel_is_archived` (Slack's incoming-webhook errors), any other 4xx,
    /// and a redirect (a POST is not followed, so a moved URL must be set anew).
    static func classify(status: Int, body: String, retryAfter: String?, now: Date, longestWait: TimeInterval) -> DeliveryOutcome {
        let said = Self.summary(body)
        let answer = "HTTP \(status)" + (said.isEmpty ? "" : " \(said)")
        switch status {
        case 200...299:
            return .delivered
        case 429:
            let wait = retryAfter.flatMap { Self.seconds(retryAfter: $0, now: now) }.map { min($0, longestWait) }
            return .retry(answer + (wait.map { " (Retry-After \(Int($0.rounded(.up))) s)" } ?? ""), after: wait)
        case 408, 500...599:
            return .retry(answer, after: nil)
        case 300...399:
            return .permanent(answer + ": the URL redirects elsewhere; set the channel's URL to its new address")
        case 400...499:
            return .permanent(answer + (Self.slackHints[said].map { ": \($0)" } ?? ""))
        default:
            return .retry(answer, after: nil)
        }
    }

    /// What to do about each of Slack's documented webhook errors.
    static let slackHints = [
        "invalid_payload": "Slack refused the message body (a bug in ops: please report it with ops notify status --format json)",
        "invalid_token": "the webhook URL's token is no longer valid; make a new incoming webhook and update the environment variable",
        "no_service": "the webhook is disabled or the URL is wrong; make a new incoming webhook and update the environment variable",
        "channel_is_archived": "the Slack channel is archived; unarchive it or point the channel at another webhook",
        "channel_not_found": "the Slack channel is gone; point the channel at another webhook",
        "no_team": "the Slack workspace is gone or the URL is wrong",
        "team_disabled": "the Slack workspace is disabled",
        "action_prohibited": "a Slack admin has restricted posting to this channel",
    ]

    /// The receiver's answer as one short line: the first line, at most 200 characters.
    static func summary(_ body: String) -> String {
        let line = body.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    /// Retry-After as seconds from now: a number of seconds, or an HTTP date (RFC 9110 §10.2.3).
    static func seconds(retryAfter text: String, now: Date) -> TimeInterval? {
        let value = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(value) { return seconds >= 0 ? TimeInterval(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// The wait after failed attempt number `attempt` (1 for the first): `first` doubling up to
    /// `cap`, times a jitter factor from 0.8 to 1.2 (`random` in 0..<1), so clones that lost the
    /// network together do not all retry in the same second.
    static func backoff(attempt: Int, first: TimeInterval, cap: TimeInterval, random: Double) -> TimeInterval {
        let base = min(cap, first * pow(2, Double(max(0, min(attempt - 1, 30)))))
        return base * (0.8 + 0.4 * random)
    }
}
