import Foundation
import Testing

@testable import OpsKit

/// Escalation (issue 18, item 4): a routed incident nobody acknowledges within its rotation's
/// `ack_within` goes to the secondary's person, then to the last resort, one commit and one
/// message each, never twice. The example schedule: sre (ack_within 15m, secondary
/// sre-secondary, last resort alice); on Sunday 2026-11-22 bob holds sre and farid sre-secondary.
@Suite struct EscalationTests {
    static let opened = "2026-11-22T17:58:02Z"

    /// Runs the timers at `time` with a workspace of its own, as each pass of `ops serve` does.
    static func run(_ ops: OpsFixture, at time: String) throws -> EscalationService.Report {
        let workspace = try Workspace(root: ops.folder.path, environment: [:], clock: { Timestamp.parse(time)! })
        return try EscalationService(workspace).run(at: Timestamp.parse(time)!, author: ops.carol)
    }

    /// The escalation messages in the outbox, oldest step first.
    static func escalations(_ ops: OpsFixture) -> [OutboxMessage] {
        ops.workspace.outbox.entries().compactMap(\.message).filter { $0.notification.kind == .escalated }.sorted {
            $0.notification.at < $1.notification.at
        }
    }

    @Test func anUnacknowledgedPageGoesToTheSecondaryThenTheLastResortOnceEach() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        #expect(incident.oncall == "bob")
        let start = try ops.commitCount()

        // A second before ack_within runs out: nothing.
        #expect(try Self.run(ops, at: "2026-11-22T18:13:01Z").escalated.isEmpty)
        #expect(try ops.commitCount() == start && Self.escalations(ops).isEmpty)

        // At 15 minutes: farid, on call in sre-secondary then.
        let first = try Self.run(ops, at: "2026-11-22T18:13:05Z")
        #expect(first.escalated.map(\.person) == ["farid"] && first.escalated.first?.layer == "sre-secondary" && first.problems.isEmpty)
        #expect(try ops.commitCount() == start + 1)
        var now = try ops.incidents.find(incident.id)
        #expect(now.oncall == "farid" && now.status == .open)
        let entry = try #require(now.timeline.last)
        #expect(entry.actor == "ops" && entry.kind == "escalated" && entry.text == "farid (sre-secondary): not acknowledged within 15m")
        #expect(entry.at == Timestamp.parse("2026-11-22T18:13:02Z"))
        #expect(try git(ops.folder.path, "log", "-1", "--format=%s%n%b").contains("Ops-Action: incident.escalate"))
        var messages = Self.escalations(ops)
        #expect(messages.count == 1 && messages.first?.channel == "#sre-oncall" && messages.first?.state == .pending)
        #expect(messages.first?.notification.event == .escalated(.init(now), to: "farid", ackWithin: 900))

        // Later passes before the next step change nothing.
        #expect(try Self.run(ops, at: "2026-11-22T18:20:00Z").escalated.isEmpty)
        #expect(try ops.commitCount() == start + 1 && Self.escalations(ops).count == 1)

        // Another 15 minutes: the last resort.
        let second = try Self.run(ops, at: "2026-11-22T18:28:02Z")
        #expect(second.escalated.map(\.person) == ["alice"] && second.escalated.first?.layer == "last resort of sre")
        now = try ops.incidents.find(incident.id)
        #expect(now.oncall == "alice" && now.timeline.last?.text == "alice (last resort of sre): not acknowledged within 30m")
        messages = Self.escalations(ops)
        #expect(messages.count == 2 && messages.last?.notification.event == .escalated(.init(now), to: "alice", ackWithin: 1800))

        // Nobody is left: hours later, nothing more.
        #expect(try Self.run(ops, at: "2026-11-23T06:00:00Z").escalated.isEmpty)
        #expect(try ops.commitCount() == start + 2 && Self.escalations(ops).count == 2)
    }

    @Test func acknowledgingStopsEscalation() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let early = try ops.open("Acknowledged in time")
        ops.clock.set("2026-11-22T18:05:00Z")
        _ = try ops.incidents.change(early.id, .move(to: .acknowledged), at: nil, author: ops.bob)
        #expect(try Self.run(ops, at: "2026-11-22T20:00:00Z").escalated.isEmpty)

        // Acknowledged after the first step: the last resort is never paged.
        ops.clock.set(Self.opened)
        let late = try ops.open("Acknowledged by the secondary", service: "fraud_scoring")
        #expect(try Self.run(ops, at: "2026-11-22T18:14:00Z").escalated.map(\.incident) == [late.id])
        ops.clock.set("2026-11-22T18:20:00Z")
        _ = try ops.incidents.change(late.id, .move(to: .acknowledged), at: nil, author: ops.bob)
        let count = try ops.commitCount()
        #expect(try Self.run(ops, at: "2026-11-22T20:00:00Z").escalated.isEmpty)
        #expect(try ops.commitCount() == count && Self.escalations(ops).count == 1)
    }

    @Test func stepsThatFellDueWhileNothingRanAreTakenInOrderOnceAcrossRestarts() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let start = try ops.commitCount()
        // ops serve was down for two hours: both steps, in order, each its own commit, dated when due.
        let report = try Self.run(ops, at: "2026-11-22T20:00:00Z")
        #expect(report.escalated.map(\.person) == ["farid", "alice"])
        #expect(report.escalated.map(\.due) == ["2026-11-22T18:13:02Z", "2026-11-22T18:28:02Z"].map { Timestamp.parse($0)! })
        #expect(try ops.commitCount() == start + 2)
        let kinds = try ops.incidents.find(incident.id).timeline.map(\.kind)
        #expect(kinds.filter { $0 == "escalated" }.count == 2)
        // A restart reads the timeline, not memory: nothing again.
        #expect(try Self.run(ops, at: "2026-11-22T20:00:05Z").escalated.isEmpty)
        #expect(try ops.commitCount() == start + 2 && Self.escalations(ops).count == 2)
    }

    @Test func twoClonesTakingTheSameStepWriteTheSameEntryAndMessageKey() throws {
        // Two repositories with the same seed and clock hold the same incident, as two clones do;
        // their timers run at different moments.
        let first = try OpsFixture(), second = try OpsFixture()
        defer {
            first.remove()
            second.remove()
        }
        let incident = try first.open()
        #expect(try second.open().id == incident.id)
        _ = try Self.run(first, at: "2026-11-22T18:13:03Z")
        _ = try Self.run(second, at: "2026-11-22T18:19:41Z")
        let entries = try [first, second].map { try $0.incidents.find(incident.id).timeline.last }
        #expect(entries[0] == entries[1] && entries[0]?.kind == "escalated")
        let keys = [first, second].map { Self.escalations($0).map(\.notification.idempotencyKey) }
        #expect(keys[0].count == 1 && keys[0] == keys[1])

        // After a sync that kept both copies of the line, it still counts as one step: the last
        // resort comes next, once.
        let path = first.folder.path + "/" + incident.path
        let line = try #require(entries[0]).markdown
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: line, with: line + "\n" + line).write(toFile: path, atomically: true, encoding: .utf8)
        _ = try git(first.folder.path, "commit", "-qam", "merge kept both lines")
        #expect(try Self.run(first, at: "2026-11-22T18:30:00Z").escalated.map(\.person) == ["alice"])
    }

    @Test func withoutASecondaryTheLastResortComesFirstAndWithNeitherNothing() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let schedule = try ops.folder.read(OnCallSchedule.path)
        let noSecondary = schedule.replacingOccurrences(of: "    secondary: sre-secondary", with: "    # secondary: sre-secondary")
        #expect(noSecondary != schedule)
        try ops.folder.write(OnCallSchedule.path, noSecondary)
        let incident = try ops.open()
        let report = try Self.run(ops, at: "2026-11-22T18:13:02Z")
        #expect(report.escalated.map(\.person) == ["alice"])
        #expect(try ops.incidents.find(incident.id).timeline.last?.text == "alice (last resort of sre): not acknowledged within 15m")
        #expect(try Self.run(ops, at: "2026-11-22T23:00:00Z").escalated.isEmpty)

        try ops.folder.write(OnCallSchedule.path, noSecondary.replacingOccurrences(of: "    last_resort: alice", with: "    # last_resort: alice"))
        ops.clock.set("2026-11-22T19:00:00Z")
        _ = try ops.open("Nobody to escalate to", service: "fraud_scoring")
        let count = try ops.commitCount()
        #expect(try Self.run(ops, at: "2026-11-23T19:00:00Z").escalated.isEmpty)
        #expect(try ops.commitCount() == count)
    }

    @Test func aBrokenScheduleIsReportedAndEscalatesNothing() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        _ = try ops.open()
        let count = try ops.commitCount()
        let schedule = try ops.folder.read(OnCallSchedule.path)
        try ops.folder.write(OnCallSchedule.path, schedule.replacingOccurrences(of: "handoff: Monday 09:00      #", with: "handoff: Someday 09:00      #"))
        let report = try Self.run(ops, at: "2026-11-22T19:00:00Z")
        #expect(report.escalated.isEmpty && report.problems.count == 1)
        #expect(report.problems.first?.hasPrefix("not escalating: oncall.yaml:8:") == true)
        #expect(try ops.commitCount() == count)
    }

    @Test func ackWithinTakesSecondsForShortTimers() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let config = try ops.workspace.config()
        let text = "rotations:\n  sre: {zone: UTC, start: 2026-11-02, handoff: 09:00, length: 1d, people: [alice], ack_within: 20s, last_resort: bob}\n"
        #expect(try OnCallSchedule.load(text, config: config).rotation("sre").ackWithin == 20)
        let steps = try OnCallSchedule.load(text, config: config).escalationSteps(of: "sre", openedAt: Timestamp.parse(Self.opened)!)
        #expect(steps.map(\.entry.text) == ["bob (last resort of sre): not acknowledged within 20s"])
        let wrong = OnCallSchedule.problems(in: text.replacingOccurrences(of: "20s", with: "20x"), config: config)
        #expect(wrong.map(\.message).contains { $0.contains("ack_within `20x` is not a duration") })
    }
}
