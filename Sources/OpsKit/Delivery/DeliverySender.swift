import Foundation

/// Sends what waits in the outbox, one message at a time under its lock, and records each
/// attempt in the message: sent, failed with the reason, or pending with the time of the next
/// try. It never throws: a drain is bounded by a deadline and leaves the rest pending, so a
/// command that caused a message is never failed or held up by sending it.
///
/// Blocking: call `drain` from a thread that may wait (see `DeliveryHTTP`).
final class DeliverySender {
    struct Policy: Sendable {
        /// Attempts before a message that keeps failing is given up (`failed`).
        var maxAttempts = 12
        /// The first wait after a failed attempt, doubling each time up to `longestWait`.
        var firstWait: TimeInterval = 2
        var longestWait: TimeInterval = 600
        /// The most a 429's Retry-After is honoured: a receiver cannot park a message for days.
        var longestRetryAfter: TimeInterval = 3600
        /// Per request, connecting included.
        var requestTimeout: TimeInterval = 10
        /// Sent messages are removed this long after they were sent.
        var keepSent: TimeInterval = 14 * 86_400
        /// How often a drain looks again while another process holds a message it could send.
        var busyPoll: TimeInterval = 0.05
    }

    /// One message a drain sent, or gave up on.
    struct Delivered: Sendable, Equatable {
        var name: String
        var message: OutboxMessage
    }

    /// What a drain did.
    struct Report: Sendable {
        var sent: [Delivered] = []
        /// Failed in this drain: a permanent answer, too many attempts, or no endpoint.
        var failed: [Delivered] = []
        /// Sent messages older than `keepSent`, removed.
        var removed = 0
        /// Files that could not be read or written, one line each.
        var problems: [String] = []
    }

    let outbox: Outbox
    /// A channel's endpoint now (ops.yaml's `delivery:` and the environment); throws a one-line reason.
    let resolve: (String) throws -> DeliveryEndpoint
    let policy: Policy
    let now: () -> Date
    /// Randomness in 0..<1 for the backoff's jitter.
    let random: () -> Double
    private var http: DeliveryHTTP?

    init(
        outbox: Outbox, policy: Policy = Policy(), now: @escaping () -> Date = { Date() },
        random: @escaping () -> Double = { Double.random(in: 0..<1) }, resolve: @escaping (String) throws -> DeliveryEndpoint
    ) {
        self.outbox = outbox
        self.policy = policy
        self.now = now
        self.random = random
        self.resolve = resolve
    }

    deinit { http?.shutDown() }

    /// Sends what is due until `deadline`: pending messages whose next attempt has come, and with
    /// `now` set (`ops notify flush`) every pending and failed one once regardless of backoff.
    /// Waits within the deadline for a retry that falls due (a 429's Retry-After, a backoff), for
    /// a message another process is sending (it may die), and for a writer's held message to
    /// land. Sent messages past `keepSent` are removed. The client is shut down before returning.
    func drain(until deadline: Date, retryingNow: Bool = false) -> Report {
        var report = Report()
        var tried = Set<String>()
        var reported = Set<String>()
        defer {
            http?.shutDown()
            http = nil
        }
        outbox.removeOrphans()
        while now() < deadline {
            var worked = false
            var waitingForOthers = false
            var earliest: Date?
            for entry in outbox.entries() {
                guard let message = entry.message else {
                    if let problem = entry.problem, reported.insert(problem).inserted { report.problems.append(problem) }
                    continue
                }
                switch due(message, name: entry.name, tried: tried, retryingNow: retryingNow) {
                case .no: continue
                case .at(let time):
                    earliest = min(earliest ?? time, time)
                    continue
                case .expired, .now, .held: break
                }
                guard now() < deadline else { break }
                let claimed: Outbox.Claimed
                do {
                    claimed = try outbox.claim(entry.name)
                } catch {
                    if reported.insert("\(error)").inserted { report.problems.append("\(error)") }
                    continue
                }
                guard case .claimed(let claim) = claimed else {
                    if case .busy = claimed { waitingForOthers = true }
                    if case .unreadable(let problem) = claimed, reported.insert(problem).inserted { report.problems.append(problem) }
                    continue
                }
                defer { claim.release() }
                // Read again under the lock: another drainer may have sent it meanwhile.
                switch due(claim.message, name: entry.name, tried: tried, retryingNow: retryingNow) {
                case .expired:
                    claim.remove()
                    report.removed += 1
                case .now:
                    tried.insert(entry.name)
                    worked = true
                    attempt(claim, deadline: deadline, into: &report)
                case .held:
                    // Settled by the claim: pending now, and looked at again on the next pass.
                    worked = true
                case .no, .at:
                    break
                }
            }
            guard !worked else { continue }
            let left = deadline.timeIntervalSince(now())
            if waitingForOthers {
                Thread.sleep(forTimeInterval: min(policy.busyPoll, max(0, left)))
            } else if let earliest, earliest < deadline {
                Thread.sleep(forTimeInterval: max(0.01, min(earliest.timeIntervalSince(now()), left)))
            } else {
                break
            }
        }
        return report
    }

    private enum Due {
        case no
        case at(Date)
        case now
        /// Held by a writer, alive or not: claiming it settles it.
        case held
        /// Sent longer ago than `keepSent`.
        case expired
    }

    private func due(_ message: OutboxMessage, name: String, tried: Set<String>, retryingNow: Bool) -> Due {
        switch message.state {
        case .held: return .held
        case .sent: return message.sent.map { now().timeIntervalSince($0) > policy.keepSent } == true ? .expired : .no
        case .failed: return retryingNow && !tried.contains(name) ? .now : .no
        case .pending:
            if retryingNow && !tried.contains(name) { return .now }
            guard let next = message.nextAttempt, next > now() else { return .now }
            return .at(next)
        }
    }

    /// One attempt at a claimed message, recorded in it.
    private func attempt(_ claim: Outbox.Claim, deadline: Date, into report: inout Report) {
        var message = claim.message
        let endpoint: DeliveryEndpoint
        do {
            endpoint = try resolve(message.channel)
        } catch {
            // Not an attempt: nothing was sent. `ops notify flush` tries again once it is fixed.
            message.state = .failed
            message.nextAttempt = nil
            message.lastError = "\(OpsError.from(error).message)"
            save(message, claim, as: .failed, into: &report)
            return
        }
        let timeout = min(policy.requestTimeout, deadline.timeIntervalSince(now()))
        guard timeout > 0.05 else { return }
        let client = http ?? DeliveryHTTP()
        http = client
        let answer = client.post(DeliveryRequest(message.notification, to: endpoint.target), to: endpoint.url, timeout: timeout)
        message.attempts += 1
        let outcome: DeliveryOutcome
        switch answer {
        case .response(let status, let retryAfter, let body):
            outcome = DeliveryOutcome.classify(status: status, body: body, retryAfter: retryAfter, now: now(), longestWait: policy.longestRetryAfter)
        case .failure(let reason, let permanent):
            outcome = permanent ? .permanent(reason) : .retry(reason, after: nil)
        }
        switch outcome {
        case .delivered:
            message.state = .sent
            message.sent = now()
            message.nextAttempt = nil
            message.lastError = nil
        case .permanent(let reason):
            message.state = .failed
            message.nextAttempt = nil
            message.lastError = reason
        case .retry(let reason, let after):
            message.lastError = reason
            if message.attempts >= policy.maxAttempts {
                message.state = .failed
                message.nextAttempt = nil
                message.lastError = "gave up after \(message.attempts) attempts; the last: \(reason)"
            } else {
                message.state = .pending
                let wait =
                    after
                    ?? DeliveryOutcome.backoff(attempt: message.attempts, first: policy.firstWait, cap: policy.longestWait, random: random())
                // Stored to the second: rounded up, so a retry never comes before Retry-After.
                message.nextAttempt = Date(timeIntervalSince1970: (now().timeIntervalSince1970 + wait).rounded(.up))
            }
        }
        save(message, claim, as: message.state, into: &report)
    }

    private func save(_ message: OutboxMessage, _ claim: Outbox.Claim, as state: OutboxMessage.State, into report: inout Report) {
        do {
            try claim.save(message)
        } catch {
            report.problems.append("\(error)")
            return
        }
        switch state {
        case .sent: report.sent.append(Delivered(name: claim.name, message: message))
        case .failed: report.failed.append(Delivered(name: claim.name, message: message))
        case .pending, .held: break
        }
    }
}
