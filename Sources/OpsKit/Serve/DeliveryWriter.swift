import Foundation

/// Runs deliveries through `AlertIntake`, one at a time, in arrival order, each on the same
/// serial dispatch queue; the escalation timers' commits take their turn on it too.
///
/// A `Workspace` and its libgit2 handles are not meant for concurrent use, and an ingest
/// blocks on file and Git I/O. The queue serialises deliveries into commits and keeps that
/// blocking work off Swift's cooperative threads (two on a 2-core machine), so the server
/// goes on reading requests while a commit is written.
/// The `Workspace` is created, used and dropped inside one queue job and never escapes it.
final class DeliveryWriter: Sendable {
    /// What storing one delivery came to.
    enum Outcome: Sendable {
        /// The intake ran and its commit, if it needed one, exists.
        case stored(AlertIntake.Summary, seconds: Double)
        case failed(OpsError, seconds: Double)
    }

    private let queue = DispatchQueue(label: "ops.serve.writer", qos: .userInitiated)
    private let root: String
    private let environment: [String: String]
    private let clock: @Sendable () -> Date
    private let author: Author

    init(root: String, environment: [String: String], clock: @escaping @Sendable () -> Date, author: Author) {
        self.root = root
        self.environment = environment
        self.clock = clock
        self.author = author
    }

    /// Stores one delivery; returns once its commit exists (or nothing needed writing).
    func ingest(_ payload: AlertmanagerPayload) async -> Outcome {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                continuation.resume(returning: store(payload))
            }
        }
    }

    /// Waits until every delivery already handed over is stored.
    func drain() {
        queue.sync {}
    }

    /// Runs the escalation timers once, between deliveries on the same queue, so that its
    /// commits never race this server's own; returns once they are made.
    func escalate() -> Result<EscalationService.Report, OpsError> {
        queue.sync {
            do {
                let workspace = try Workspace(root: root, environment: environment, clock: clock)
                return .success(try EscalationService(workspace).run(at: workspace.clock(), author: author))
            } catch {
                return .failure(OpsError.from(error))
            }
        }
    }

    /// Sends what the outbox holds for at most `seconds` (`NotifyService.deliver`). Not on the
    /// queue: a slow receiver must not hold up deliveries; the outbox's locks keep two senders apart.
    func sendOutbox(within seconds: TimeInterval) -> Result<DeliverySender.Report, OpsError> {
        do {
            return .success(NotifyService(try Workspace(root: root, environment: environment, clock: clock)).deliver(within: seconds))
        } catch {
            return .failure(OpsError.from(error))
        }
    }

    private func store(_ payload: AlertmanagerPayload) -> Outcome {
        let start = DispatchTime.now()
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
        do {
            // A fresh workspace per delivery: it reads ops.yaml and runbooks as they are now, so
            // a service added by hand is used without restarting the server.
            let workspace = try Workspace(root: root, environment: environment, clock: clock)
            let summary = try AlertIntake(workspace).ingest(payload, author: author)
            return .stored(summary, seconds: elapsed())
        } catch {
            return .failed(OpsError.from(error), seconds: elapsed())
        }
    }
}
