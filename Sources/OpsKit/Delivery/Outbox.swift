import Foundation

/// The messages this clone has to send (issue 18, "Nothing lost, nothing twice"): one JSON file
/// per message in `.git/ops/outbox/`, beside a `.lock` file. The folder is inside `.git`, so
/// `ops sync` never carries it: a message is sent by the clone that recorded its event, and a
/// clone that receives the event through sync has nothing to send.
///
/// Every change to a message's file is made holding its lock (`FileLock`), by a writer holding
/// it for a commit (`Outbox.Recording`) or by a drainer sending it (`claim`); so `ops serve` and
/// `ops notify flush` never send one message at the same time, and a temp file found by the
/// lock's holder was left by a process that died. Each write is durable and atomic
/// (`AtomicFile.writeDurably`).
final class Outbox {
    let folder: String
    /// The time recorded for new messages.
    let clock: () -> Date
    /// Whether a commit (hex) is HEAD or an ancestor of HEAD: a held message's write landed.
    let isInHistory: (String) throws -> Bool

    init(folder: String, clock: @escaping () -> Date = { Date() }, isInHistory: @escaping (String) throws -> Bool) {
        self.folder = folder
        self.clock = clock
        self.isInHistory = isInHistory
    }

    func path(_ name: String) -> String { folder + "/" + name + ".json" }
    func lockPath(_ name: String) -> String { folder + "/" + name + ".lock" }

    func makeFolder() throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw OpsError.repository("cannot create \(folder): \(error.localizedDescription)")
        }
    }

    /// One message as found on disk, read without its lock: a snapshot for listings.
    struct Entry {
        var name: String
        /// Nil when the file cannot be read as a message (`problem` says why).
        var message: OutboxMessage?
        var problem: String?
    }

    /// The names of every message there is a trace of (its file, lock or a temp file), sorted.
    func names() -> [String] {
        Set(traces().map(\.name)).sorted()
    }

    /// Each file of the folder that belongs to a message: the message's name, and whether the
    /// file is a temp file of a write.
    private func traces() -> [(name: String, temp: Bool)] {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return files.compactMap { file in
            if file.hasSuffix(".json") || file.hasSuffix(".lock") { return (String(file.dropLast(5)), false) }
            guard file.hasSuffix(".tmp"), let range = file.range(of: ".json.", options: .backwards) else { return nil }
            return (String(file[..<range.lowerBound]), true)
        }
    }

    /// Every message file, read as it is now, oldest recorded first.
    func entries() -> [Entry] {
        var entries: [Entry] = []
        for name in names() {
            guard let data = FileManager.default.contents(atPath: path(name)) else { continue }
            do {
                entries.append(Entry(name: name, message: try OutboxMessage.decode(data)))
            } catch {
                entries.append(Entry(name: name, problem: "\(path(name)): \(error)"))
            }
        }
        return entries.sorted { a, b in
            (a.message?.recorded ?? .distantPast, a.name) < (b.message?.recorded ?? .distantPast, b.name)
        }
    }

    // MARK: Claiming one message

    /// A message and its lock, held by whoever is sending it or changing it.
    final class Claim {
        let outbox: Outbox
        let name: String
        let lock: FileLock
        private(set) var message: OutboxMessage

        init(outbox: Outbox, name: String, lock: FileLock, message: OutboxMessage) {
            self.outbox = outbox
            self.name = name
            self.lock = lock
            self.message = message
        }

        /// Writes the changed message durably.
        func save(_ changed: OutboxMessage) throws {
            try AtomicFile.writeDurably(try changed.encoded(), to: outbox.path(name))
            message = changed
        }

        /// Removes the message and its lock file.
        func remove() {
            AtomicFile.removeDurably(outbox.path(name))
            lock.removeAndRelease()
        }

        func release() { lock.release() }
    }

    /// What `claim` found.
    enum Claimed {
        case claimed(Claim)
        /// Another process holds its lock: a drainer sending it, or a writer whose commit is not done.
        case busy
        /// No message (any traces of one were removed), or a held message whose write never landed (removed).
        case gone
        case unreadable(String)
    }

    /// Takes the lock of message `name` if it is free and reads the message (`open`).
    func claim(_ name: String) throws -> Claimed {
        guard let lock = try FileLock.acquire(lockPath(name)) else { return .busy }
        let opened: Claimed
        do {
            opened = try open(name, locked: lock)
        } catch {
            lock.release()
            throw error
        }
        switch opened {
        case .gone: lock.removeAndRelease()
        case .unreadable: lock.release()
        case .claimed, .busy: break
        }
        return opened
    }

    /// Reads message `name` under its lock, which the caller holds and keeps unless the message
    /// is claimed. First removes temp files a dead writer left, and settles a held message,
    /// whose writer must have died: pending when its commit is in HEAD's history; removed
    /// (`.gone`) when it is not, since that write was rolled back, or retried on a new parent,
    /// which holds the message again under the same name.
    func open(_ name: String, locked lock: FileLock) throws -> Claimed {
        AtomicFile.removeLeftovers(of: path(name))
        guard let data = FileManager.default.contents(atPath: path(name)) else { return .gone }
        var message: OutboxMessage
        do {
            message = try OutboxMessage.decode(data)
        } catch {
            return .unreadable("\(path(name)): \(error)")
        }
        if message.state == .held {
            guard let commit = message.commit, try isInHistory(commit) else {
                AtomicFile.removeDurably(path(name))
                return .gone
            }
            message.state = .pending
            message.commit = nil
            try AtomicFile.writeDurably(try message.encoded(), to: path(name))
        }
        return .claimed(Claim(outbox: self, name: name, lock: lock, message: message))
    }

    /// Removes what dead writers left: the lock and temp files of messages that have no file (the
    /// writer died before its first write of one was in place), and temp files beside a message
    /// (a writer killed while another process claimed the message, before its death was reaped,
    /// leaves one that no later claim of a sent message would see). A message whose lock is held
    /// (a writer at work) is left as it is.
    func removeOrphans() {
        let withTempFiles = Set(traces().filter(\.temp).map(\.name))
        for name in names() where access(path(name), F_OK) != 0 || withTempFiles.contains(name) {
            if case .claimed(let claim) = try? claim(name) { claim.release() }
        }
    }
}
