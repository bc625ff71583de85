import Foundation
import Synchronization

/// Runs deliveries through `AlertIntake` on one serial dispatch queue, in arrival order, with
/// group commit: the deliveries that arrive while a commit is being written are committed
/// together in the next one (each with its own effect and summary), and each is answered only
/// after the commit that holds it exists. The escalation timers' commits take their turn on the
/// queue too.
///
/// A `Workspace` and its libgit2 handles are not meant for concurrent use, and an ingest
/// blocks on file and Git I/O. The queue serialises batches into commits and keeps that
/// blocking work off Swift's cooperative threads (two on a 2-core machine), so the server
/// goes on reading requests while a commit is written.
/// The `Workspace` is created, used and dropped inside one queue job and never escapes it; the
/// fingerprint index lives as long as the server and is checked against HEAD before each use.
final class DeliveryWriter: Sendable {
    /// What storing one delivery came to.
    enum Outcome: Sendable {
        /// The intake ran and its commit, if it needed one, exists; `batch` deliveries went into
        /// it, and `seconds` is how long the batch took.
        case stored(AlertIntake.Summary, seconds: Double, batch: Int)
        case failed(OpsError, seconds: Double)
    }

    /// At most this many deliveries go into one commit, so one commit stays quick to write.
    static let largestBatch = 64

    private let queue = DispatchQueue(label: "ops.serve.writer", qos: .userInitiated)
    /// Deliveries waiting for the next commit, with whom to answer.
    private let waiting = Mutex<[(payload: AlertmanagerPayload, answer: CheckedContinuation<Outcome, Never>)]>([])
    private let index = FingerprintIndex()
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

    /// Stores one delivery; returns once the commit that holds it exists (or nothing needed writing).
    func ingest(_ payload: AlertmanagerPayload) async -> Outcome {
        await withCheckedContinuation { continuation in
            waiting.withLock { $0.append((payload, continuation)) }
            // One job per delivery; a job finding the others already committed does nothing.
            queue.async { [self] in storeWaiting() }
        }
    }

    /// Reads which incidents carry which alerts before the first delivery; returns how many
    /// incidents it read. A failure here is left for the first delivery to meet and report.
    func prepare() -> Int? {
        queue.sync {
            try? AlertIntake(try Workspace(root: root, environment: environment, clock: clock)).prepare(index)
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

    /// Commits what is waiting, in batches, on the queue.
    private func storeWaiting() {
        while true {
            let batch = waiting.withLock { waiting in
                let taken = Array(waiting.prefix(Self.largestBatch))
                waiting.removeFirst(taken.count)
                return taken
            }
            if batch.isEmpty { return }
            let outcomes = store(batch.map(\.payload))
            for (delivery, outcome) in zip(batch, outcomes) { delivery.answer.resume(returning: outcome) }
        }
    }

    /// One commit for `payloads`. When it fails and there were several, each is tried alone, so
    /// that one delivery the repository cannot take does not turn the others away.
    private func store(_ payloads: [AlertmanagerPayload]) -> [Outcome] {
        let start = DispatchTime.now()
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
        do {
            // A fresh workspace per batch: it reads ops.yaml and runbooks as they are now, so
            // a service added by hand is used without restarting the server.
            let workspace = try Workspace(root: root, environment: environment, clock: clock)
            let summaries = try AlertIntake(workspace).ingest(payloads, author: author, index: index)
            let seconds = elapsed()
            return summaries.map { .stored($0, seconds: seconds, batch: payloads.count) }
        } catch {
            guard payloads.count > 1 else { return [.failed(OpsError.from(error), seconds: elapsed())] }
            return payloads.flatMap { store([$0]) }
        }
    }
}
