import Foundation
import GitStore
import Testing

@testable import OpsKit

/// Issue 18, "Nothing lost, nothing twice": messages recorded with the commit that causes them,
/// settled by that commit's fate when their writer dies, one file per event and channel.
@Suite struct OutboxTests {
    typealias Samples = DeliverySamples
    static let opened = Announcement(channel: "#sre-oncall", notification: Samples.all[0])

    /// Commits one file, announcing `announcements`, as a service does.
    @discardableResult
    static func commit(_ fixture: OpsFixture, _ file: String, announcing announcements: [Announcement]) throws -> String? {
        try fixture.workspace.commit(action: "test", subject: "write \(file)", author: fixture.alice, announcing: announcements) { _ in
            [FileChange(path: file, content: Data("\(file)\n".utf8))]
        }?.hex
    }

    @Test func aWriteLeavesItsMessagesPendingInTheClonesGitFolder() throws {
        let fixture = try OpsFixture()
        defer { fixture.remove() }
        try Self.commit(fixture, "notes/a.md", announcing: [Self.opened])
        let outbox = fixture.workspace.outbox
        #expect(outbox.folder == fixture.workspace.gitDirectory + "/ops/outbox")
        let messages = outbox.entries().compactMap(\.message)
        #expect(messages.map(\.state) == [.pending])
        #expect(messages.first?.notification == Self.opened.notification)
        #expect(messages.first?.commit == nil && messages.first?.recorded == fixture.clock.now)
        // No lock is left taken: a drainer can claim it at once.
        guard case .claimed(let claim) = try outbox.claim(messages[0].name) else {
            Issue.record("the message is not claimable")
            return
        }
        claim.release()
    }

    @Test func recordingTheSameEventTwiceKeepsOneMessage() throws {
        let fixture = try OpsFixture()
        defer { fixture.remove() }
        try Self.commit(fixture, "notes/a.md", announcing: [Self.opened])
        fixture.clock.advance(minutes: 5)
        try Self.commit(fixture, "notes/b.md", announcing: [Self.opened, Self.opened])
        let messages = fixture.workspace.outbox.entries().compactMap(\.message)
        #expect(messages.count == 1)
        #expect(messages.first?.recorded == Timestamp.parse("2026-11-22T17:58:02Z"))
        // The same event to another channel is another message.
        try Self.commit(fixture, "notes/c.md", announcing: [Announcement(channel: "#ops-weekly", notification: Self.opened.notification)])
        #expect(fixture.workspace.outbox.entries().count == 2)
    }

    @Test func aWriteThatChangesNothingRecordsNothing() throws {
        let fixture = try OpsFixture()
        defer { fixture.remove() }
        try Self.commit(fixture, "notes/a.md", announcing: [])
        #expect(try Self.commit(fixture, "notes/a.md", announcing: [Self.opened]) == nil)
        #expect(fixture.workspace.outbox.entries().isEmpty)
    }

    @Test func aHeldMessageWhoseCommitLandedBecomesPendingWhenItsWriterDies() throws {
        let fixture = try OpsFixture()
        defer { fixture.remove() }
        let commit = try #require(try Self.commit(fixture, "notes/a.md", announcing: []))
        let outbox = fixture.workspace.outbox
        // The writer held the message, the branch moved, and it died before marking it pending:
        // its locks go with it (the recording is dropped unfinished).
        var recording: Outbox.Recording? = Outbox.Recording(outbox)
        try recording?.hold([Self.opened], commit: commit)
        let name = try #require(recording?.names.first)
        #expect(try outbox.claim(name).isBusy)
        recording = nil
        guard case .claimed(let claim) = try outbox.claim(name) else {
            Issue.record("a landed message was not recovered")
            return
        }
        #expect(claim.message.state == .pending && claim.message.commit == nil)
        claim.release()
    }

    @Test func aHeldMessageWhoseCommitDidNotLandIsRemoved() throws {
        let fixture = try OpsFixture()
        defer { fixture.remove() }
        let first = try #require(try Self.commit(fixture, "notes/a.md", announcing: []))
        let second = try #require(try Self.commit(fixture, "notes/b.md", announcing: []))
        _ = try git(fixture.folder.path, "reset", "-q", "--hard", first)
        let outbox = fixture.workspace.outbox
        for commit in [second, String(repeating: "0", count: 40)] {
            var recording: Outbox.Recording? = Outbox.Recording(outbox)
            try recording?.hold([Self.opened], commit: commit)
            let name = try #require(recording?.names.first)
            recording = nil
            #expect(try outbox.claim(name).isGone, "commit \(commit)")
            #expect(outbox.names().isEmpty, "the message and its lock are removed")
        }
    }

    @Test func aRetryHoldsTheSameFileForTheNewCommitAndDropsWhatItNoLongerAnnounces() throws {
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let recording = Outbox.Recording(fixture.outbox)
        let other = Announcement(channel: "#sre-oncall", notification: Samples.all[1])
        try recording.hold([Self.opened, other], commit: String(repeating: "a", count: 40))
        try recording.hold([Self.opened], commit: String(repeating: "b", count: 40))
        #expect(recording.names.count == 1)
        let name = try #require(recording.names.first)
        #expect(try fixture.message(name).commit == String(repeating: "b", count: 40))
        #expect(fixture.files == [name + ".json", name + ".lock"])
        recording.finish(String(repeating: "b", count: 40))
        #expect(try fixture.message(name).state == .pending)
    }

    @Test func aWriteThatEndsWithoutACommitRemovesWhatItHeld() throws {
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let recording = Outbox.Recording(fixture.outbox)
        try recording.hold([Self.opened], commit: String(repeating: "a", count: 40))
        recording.finish(nil)
        #expect(fixture.files.isEmpty)
    }

    @Test func aDeadWritersTempFileIsRemovedByTheNextHolderOfTheLock() throws {
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let name = try #require(try fixture.record([Samples.all[0]], to: "#sre-oncall").first)
        let temp = fixture.outbox.path(name) + ".99999.tmp"
        try Data("{\"torn".utf8).write(to: URL(fileURLWithPath: temp))
        #expect(fixture.outbox.entries().count == 1)
        guard case .claimed(let claim) = try fixture.outbox.claim(name) else {
            Issue.record("not claimed")
            return
        }
        claim.release()
        #expect(!FileManager.default.fileExists(atPath: temp))
    }

    @Test func aDrainRemovesTheLockAndTempFileOfAMessageWhoseWriterDiedBeforeWritingIt() throws {
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        try fixture.outbox.makeFolder()
        let name = OutboxMessage.name(channel: "#sre-oncall", key: Samples.all[0].idempotencyKey)
        #expect(FileManager.default.createFile(atPath: fixture.outbox.lockPath(name), contents: nil))
        #expect(FileManager.default.createFile(atPath: fixture.outbox.path(name) + ".4242.tmp", contents: Data("{".utf8)))
        // A live writer's lock is left alone.
        let live = OutboxMessage.name(channel: "#sre-oncall", key: Samples.all[1].idempotencyKey)
        let lock = try #require(try FileLock.acquire(fixture.outbox.lockPath(live)))
        defer { lock.release() }
        _ = fixture.sender([:]).drain(until: Date().addingTimeInterval(0.3))
        #expect(fixture.files == [live + ".lock"])
    }

    /// A writer killed mid-save while another flush claimed the message (its death not yet
    /// reaped, so it looked alive) leaves a temp file beside a message that is then sent and
    /// never claimed again: the next drain clears it, and leaves a live writer's temp file.
    @Test func aDrainRemovesADeadWritersTempFileBesideASentMessage() throws {
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let names = try fixture.record(Samples.updates(2), to: "#sre-oncall")
        for name in names {
            guard case .claimed(let claim) = try fixture.outbox.claim(name) else { continue }
            var message = claim.message
            message.state = .sent
            message.sent = Date()
            try claim.save(message)
            claim.release()
        }
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let left = fixture.outbox.path(names[0]) + ".\(dead.processIdentifier).tmp"
        let underWay = fixture.outbox.path(names[1]) + ".\(getppid()).tmp"
        for temp in [left, underWay] { #expect(FileManager.default.createFile(atPath: temp, contents: Data("{".utf8))) }
        _ = fixture.sender([:]).drain(until: Date().addingTimeInterval(0.3))
        #expect(!FileManager.default.fileExists(atPath: left))
        #expect(FileManager.default.fileExists(atPath: underWay))
        #expect(try fixture.message(names[0]).state == .sent)
    }

    @Test func aFileThatIsNotAMessageIsReportedAndLeftAlone() throws {
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        try fixture.outbox.makeFolder()
        try Data("not json".utf8).write(to: URL(fileURLWithPath: fixture.outbox.path("stray")))
        let entries = fixture.outbox.entries()
        #expect(entries.count == 1 && entries[0].message == nil)
        #expect(
            entries[0].problem?.hasSuffix(
                "/stray.json: not JSON at line 1 (unexpected text, expected null): ops cannot send it and leaves it as it is. Read it, pass on what it says by hand, then move it out of the outbox"
            ) == true, "\(entries[0].problem ?? "")")
        let report = fixture.sender([:]).drain(until: Date().addingTimeInterval(0.2))
        #expect(report.problems.count == 1)
        #expect(fixture.files.contains("stray.json"))
    }

    /// A message a newer ops wrote is not called damaged (its advice would lose it), and a file
    /// that is JSON but not an object says so.
    @Test func aNewerOpssMessageAndANonObjectAreToldApart() throws {
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        try fixture.outbox.makeFolder()
        let newer = ##"{"version": 2, "channel": "#sre", "state": "quarantined", "notification": {}, "recorded": "2026-11-22T17:58:02Z"}"##
        try Data(newer.utf8).write(to: URL(fileURLWithPath: fixture.outbox.path("newer")))
        try Data("[1, 2]".utf8).write(to: URL(fileURLWithPath: fixture.outbox.path("list")))
        let problems = fixture.outbox.entries().compactMap(\.problem)
        #expect(problems.count == 2)
        #expect(problems.contains { $0.hasSuffix("/newer.json: written by a newer ops (message version 2): send it with that ops") }, "\(problems)")
        #expect(
            problems.contains {
                $0.hasSuffix(
                    "/list.json: not a JSON object: ops cannot send it and leaves it as it is. Read it, pass on what it says by hand, then move it out of the outbox"
                )
            }, "\(problems)")
    }

    @Test func sentMessagesAreRemovedFourteenDaysLaterWithTheirLocks() throws {
        let fixture = try OutboxFixture()
        defer { fixture.remove() }
        let names = try fixture.record(Samples.updates(2), to: "#sre-oncall")
        for (name, daysAgo) in zip(names, [15.0, 13.0]) {
            guard case .claimed(let claim) = try fixture.outbox.claim(name) else { continue }
            var message = claim.message
            message.state = .sent
            message.sent = Date().addingTimeInterval(-daysAgo * 86_400)
            try claim.save(message)
            claim.release()
        }
        let report = fixture.sender([:]).drain(until: Date().addingTimeInterval(1))
        #expect(report.removed == 1)
        #expect(fixture.files == [names[1] + ".json", names[1] + ".lock"])
    }

    @Test func theFileNameIsSafeForAnyChannelAndKeepsChannelsApart() {
        let key = Samples.all[0].idempotencyKey
        for channel in ["#sre-oncall", "../../etc", "a/b", "", String(repeating: "é", count: 300), "#ops weekly\n"] {
            let name = OutboxMessage.name(channel: channel, key: key)
            #expect(!name.contains("/") && !name.hasPrefix(".") && name.utf8.count < 200, "\(channel)")
        }
        #expect(OutboxMessage.name(channel: "#a-b", key: key) != OutboxMessage.name(channel: "#a_b", key: key))
    }

    @Test(arguments: Samples.all) func aNotificationReadBackSendsTheSameBytes(_ notification: OpsNotification) throws {
        var message = OutboxMessage(channel: "#sre-oncall", notification: notification, state: .pending, recorded: Samples.at)
        message.nextAttempt = Samples.at.addingTimeInterval(2)
        message.lastError = "HTTP 503"
        let read = try OutboxMessage.decode(try message.encoded())
        #expect(read == message)
        #expect(read.notification.idempotencyKey == notification.idempotencyKey)
        for target in [DeliveryTarget.slack, .teams, .webhook(secret: "s3cret")] {
            #expect(DeliveryRequest(read.notification, to: target) == DeliveryRequest(notification, to: target))
        }
    }
}

extension Outbox.Claimed {
    var isBusy: Bool {
        if case .busy = self { return true }
        return false
    }

    var isGone: Bool {
        if case .gone = self { return true }
        return false
    }
}
