import Foundation

/// A message a change announces: the event and the channel it goes to.
struct Announcement: Sendable, Equatable {
    var channel: String
    var notification: OpsNotification
}

extension Outbox {
    /// The messages of one write, recorded with its commit so that each is sent exactly when the
    /// commit lands (`Workspace.commit(…announcing:…)`). GitStore calls `hold` once the commit
    /// object exists and before the branch moves: each message is written `held` with that commit,
    /// under its lock, which stays taken until `finish`. If the process dies in between, the next
    /// drainer finds the lock free and settles the message by the commit's fate (`Outbox.open`),
    /// so none is lost and none is sent for a write that did not happen.
    final class Recording {
        let outbox: Outbox
        /// How long to wait for a message's lock (a drainer holds one for at most its request
        /// timeout) before the write gives up; nothing is committed then.
        let lockWait: TimeInterval
        private var held: [String: Claim] = [:]

        init(_ outbox: Outbox, lockWait: TimeInterval = 30) {
            self.outbox = outbox
            self.lockWait = lockWait
        }

        /// The names of the messages held now.
        var names: [String] { held.keys.sorted() }

        /// Holds `announcements` for `commit`, replacing what an earlier attempt of the same write
        /// held (a compare-and-swap retry makes a new commit, and may announce other events).
        /// A message already in the outbox (pending, sent or failed) is left as it is: the same
        /// event recorded twice is one message.
        func hold(_ announcements: [Announcement], commit: String) throws {
            var wanted: [String: Announcement] = [:]
            for announcement in announcements {
                let name = OutboxMessage.name(channel: announcement.channel, key: announcement.notification.idempotencyKey)
                if wanted[name] == nil { wanted[name] = announcement }
            }
            for (name, claim) in held where wanted[name] == nil {
                claim.remove()
                held[name] = nil
            }
            if !wanted.isEmpty { try outbox.makeFolder() }
            for (name, announcement) in wanted.sorted(by: { $0.key < $1.key }) {
                if let claim = held[name] {
                    var message = claim.message
                    message.commit = commit
                    try claim.save(message)
                    continue
                }
                guard let lock = try take(name) else { continue }
                let message = OutboxMessage(
                    channel: announcement.channel, notification: announcement.notification, state: .held, commit: commit,
                    recorded: outbox.clock())
                do {
                    try AtomicFile.writeDurably(try message.encoded(), to: outbox.path(name))
                } catch {
                    lock.removeAndRelease()
                    throw error
                }
                held[name] = Claim(outbox: outbox, name: name, lock: lock, message: message)
            }
        }

        /// The lock of a message to record, nil when the message is recorded already.
        private func take(_ name: String) throws -> FileLock? {
            guard let lock = try FileLock.acquire(outbox.lockPath(name), wait: lockWait) else {
                throw OpsError.repository(
                    "another ops process has held \(outbox.lockPath(name)) for over \(Int(lockWait)) s. Nothing was written; run the command again, and stop that process if it hangs"
                )
            }
            let found: Claimed
            do {
                found = try outbox.open(name, locked: lock)
            } catch {
                lock.release()
                throw error
            }
            switch found {
            case .claimed:
                // Recorded before (if held by a writer that died, that write landed): nothing to add.
                lock.release()
                return nil
            case .gone, .unreadable, .busy:
                // A damaged file is replaced: what it held could not be sent anyway.
                return lock
            }
        }

        /// The write ended. `commit` landed: every message is pending now. Nil (nothing was
        /// committed; what an earlier attempt held is moot): they are removed.
        func finish(_ commit: String?) {
            for claim in held.values {
                guard commit != nil else {
                    claim.remove()
                    continue
                }
                var message = claim.message
                message.state = .pending
                message.commit = nil
                // Left held if this fails: the next drainer settles it by the commit's fate.
                try? claim.save(message)
                claim.release()
            }
            held = [:]
        }

        /// The write failed after holding. Each message is settled now by whether its commit
        /// landed (a write can fail after the branch moved); when that cannot be told, it stays
        /// held and the next drainer settles it.
        func abandon() {
            for claim in held.values {
                switch try? outbox.open(claim.name, locked: claim.lock) {
                case .gone?: claim.lock.removeAndRelease()
                default: claim.release()
                }
            }
            held = [:]
        }
    }
}
