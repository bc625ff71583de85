import Foundation

/// What `ops serve` does besides answering requests, every few seconds: runs the escalation
/// timers, then sends what the outbox holds (messages of its own deliveries and escalations,
/// and any an `ops` command left behind). On a thread of its own, since sending blocks on HTTP
/// and the server's event loop must never wait on it. A pass that fails is logged and the next
/// one runs as usual; `stop` lets the pass in progress end and returns.
final class ServeTimers: @unchecked Sendable {  // `stopping`, `running` only under `condition`; `reported` only on the thread
    /// Seconds between the end of one pass and the start of the next.
    let interval: TimeInterval
    /// The longest a pass spends sending, so that stopping waits at most about this long.
    static let sendWindow: TimeInterval = 10
    private let writer: DeliveryWriter
    private let log: ServeLog
    private let condition = NSCondition()
    private var stopping = false
    private var running = false
    /// Problems logged already: a broken oncall.yaml is said once, not every few seconds.
    private var reported: Set<String> = []

    init(writer: DeliveryWriter, log: ServeLog, interval: TimeInterval) {
        self.writer = writer
        self.log = log
        self.interval = interval
    }

    func start() {
        condition.withLock { running = true }
        let thread = Thread { [self] in
            loop()
            condition.withLock {
                running = false
                condition.broadcast()
            }
        }
        thread.name = "ops.serve.timers"
        thread.start()
    }

    /// Stops the loop after the pass in progress, if any, and waits for it.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            pass()
            condition.lock()
            if !stopping { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
            let stop = stopping
            condition.unlock()
            if stop { return }
        }
    }

    private func pass() {
        var problems: [String] = []
        switch writer.escalate() {
        case .success(let report):
            for step in report.escalated {
                log.record(
                    "escalated",
                    [
                        "incident": step.incident, "person": step.person, "layer": step.layer, "channel": step.channel ?? "none",
                        "due": Timestamp.format(step.due),
                    ])
            }
            problems += report.problems
        case .failure(let error):
            problems.append("escalation timers: \(error.message)")
        }
        switch writer.sendOutbox(within: Self.sendWindow) {
        case .success(let report):
            for sent in report.sent.map(\.message) {
                log.record(
                    "notify",
                    ["state": "sent", "channel": sent.channel, "event": sent.notification.kind.rawValue, "incident": sent.notification.incident?.id ?? "none"])
            }
            for failed in report.failed.map(\.message) {
                log.record(
                    "notify", level: "warn",
                    [
                        "state": "failed", "channel": failed.channel, "event": failed.notification.kind.rawValue,
                        "incident": failed.notification.incident?.id ?? "none", "reason": failed.lastError ?? "unknown",
                    ])
            }
            problems += report.problems
        case .failure(let error):
            problems.append("outbox: \(error.message)")
        }
        for problem in problems where !reported.contains(problem) {
            log.record("pass", level: "error", ["problem": problem])
        }
        reported = Set(problems)
    }
}
