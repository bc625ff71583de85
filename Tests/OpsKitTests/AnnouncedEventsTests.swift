import Foundation
import LoopbackHTTP
import Testing

@testable import OpsKit

/// Issue 18's events that are not about an incident: a budget threshold crossed, a signal
/// breach at page level, the weekly pack committed. Each reaches a webhook receiver exactly
/// once, with the documented body; a second import, a rebuild, or another clone that got the
/// record through Git sends nothing.
@Suite(.serialized) struct AnnouncedEventsTests {
    /// The channels these events go to in the example repository, made webhooks to `receiver`.
    static let channels = ["#sre", "#data-oncall", "#ops-weekly"]

    /// The SLO fixture with ops.yaml's `delivery:` sending `channels` to OPS_TEST_HOOK (committed,
    /// so a clone has it too), and a workspace whose environment points it at `receiver`.
    struct Setup {
        let fixture: SLOFixture
        let receiver: LoopbackReceiver
        let workspace: Workspace

        init() throws {
            fixture = try SLOFixture()
            receiver = try LoopbackReceiver { _, _ in .init(200, "ok") }
            var lines = try fixture.folder.read("ops.yaml").components(separatedBy: "\n")
            for channel in AnnouncedEventsTests.channels {
                let index = try #require(lines.firstIndex { $0.hasPrefix("  \"\(channel)\":") })
                lines[index] = "  \"\(channel)\": {type: webhook, url_env: OPS_TEST_HOOK}"
            }
            try fixture.commitFile("ops.yaml", lines.joined(separator: "\n"))
            workspace = try Self.workspace(fixture.folder.path, fixture.base.clock, receiver)
        }

        static func workspace(_ root: String, _ clock: TestClock, _ receiver: LoopbackReceiver) throws -> Workspace {
            try Workspace(root: root, environment: ["OPS_TEST_HOOK": receiver.url("/hook").absoluteString], clock: { clock.now })
        }

        /// The bodies the receiver got, decoded.
        func bodies() throws -> [[String: Any]] { try receiver.requests.map { try DeliverySamples.json($0.body) } }

        @discardableResult
        func importCSV(_ csv: String, into workspace: Workspace? = nil) throws -> SLOImporter.Summary {
            try SLOImporter(workspace ?? self.workspace).importCSV(SourceInput(name: "import.csv", data: Data(csv.utf8)), author: fixture.alice)
        }

        /// A clone of the repository, as another laptop has it after `ops sync`.
        func clone() throws -> (folder: TempFolder, workspace: Workspace) {
            let folder = try TempFolder()
            _ = try git(folder.path, "clone", "-q", fixture.folder.path, "clone")
            return (folder, try Self.workspace(folder.path + "/clone", fixture.base.clock, receiver))
        }

        func remove() {
            receiver.stop()
            fixture.remove()
        }
    }

    /// One day of a million ops_copilot availability events, `bad` of them bad (bad / 10 is
    /// the percent of the 0.1 % budget a day alone consumes).
    static func day(_ date: String, bad: Int) -> String {
        """
        window_start,window_end,use_case,sli,good,total
        \(date)T00:00:00Z,\(date)T23:59:59Z,ops_copilot,availability,\(1_000_000 - bad),1000000

        """
    }

    @Test func aBudgetThresholdIsAnnouncedOnceToItsNotifyChannelAndRecordedForEveryClone() throws {
        let setup = try Setup()
        defer { setup.remove() }
        // 52 % of the budget: past the policy's 50 %, whose actions include notify:#sre.
        let first = try setup.importCSV(Self.day("2026-11-22", bad: 520))
        #expect(first.announced == [AnnouncementResult(channel: "#sre", event: "budget_threshold_crossed", sent: true, problem: nil)])
        let record = AnnouncedRecord.budgetPath(useCase: "ops_copilot", sli: "availability")
        #expect(first.records == [record])
        let bodies = try setup.bodies()
        try #require(bodies.count == 1)
        #expect(bodies[0]["event"] as? String == "budget_threshold_crossed")
        #expect(bodies[0]["at"] as? String == "2026-11-23T09:00:00Z")
        let budget = try #require(bodies[0]["budget"] as? [String: Any])
        #expect(budget["use_case"] as? String == "ops_copilot")
        #expect(budget["threshold_percent"] as? Int == 50)
        #expect(budget["consumed_percent"] as? Double == 52)
        #expect(budget["window"] as? String == "rolling_30d from 2026-11-23")
        #expect(budget["actions"] as? [String] == ["notify:#sre", "enable_aggressive_cache", "reduce_depth_k"])
        // The record is in the import's own commit.
        #expect(try git(setup.fixture.folder.path, "show", "--name-only", "--format=", "HEAD").contains(record))
        let text = try setup.fixture.folder.read(record)
        #expect(
            text.hasSuffix(
                "announced:\n  - {at: 50%, window: rolling_30d from 2026-11-23, seen_at: '2026-11-23T09:00:00Z', consumed: 52%, channels: ['#sre']}\n"))

        // The same file again: nothing to commit, nothing sent.
        let again = try setup.importCSV(Self.day("2026-11-22", bad: 520))
        #expect(again.commit == nil && again.announced.isEmpty)
        // New data, still past 50 % in the same window: committed, not announced again.
        setup.fixture.base.clock.set("2026-11-24T09:00:00Z")
        let more = try setup.importCSV(Self.day("2026-11-21", bad: 600))
        #expect(more.commit != nil && more.announced.isEmpty && more.records.isEmpty)

        // Another clone that got the record through Git: its import sends nothing either.
        let (folder, workspace) = try setup.clone()
        defer { folder.remove() }
        let cloned = try setup.importCSV(Self.day("2026-11-20", bad: 550), into: workspace)
        #expect(cloned.commit != nil && cloned.announced.isEmpty)
        // Past 75 %: that threshold's actions notify nobody, so nothing is sent.
        let worse = try setup.importCSV(Self.day("2026-11-19", bad: 1500), into: workspace)
        #expect(worse.commit != nil && worse.announced.isEmpty)
        #expect(setup.receiver.requests.count == 1)
    }

    @Test func aRecordThatDoesNotReadStopsTheImportWithItsLineAndWritesNothing() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let record = AnnouncedRecord.budgetPath(useCase: "ops_copilot", sli: "availability")
        try setup.fixture.commitFile(record, "use_case: ops_copilot\nsli: availability\nannounced:\n  - just a line\n")
        let commits = try setup.fixture.commitCount()
        #expect {
            try setup.importCSV(Self.day("2026-11-22", bad: 520))
        } throws: { error in
            (error as? OpsError)?.location == Location(path: record, line: 4) && (error as? OpsError)?.kind == .input
        }
        #expect(try setup.fixture.commitCount() == commits)
        #expect(setup.receiver.requests.isEmpty)
        #expect(setup.fixture.snapshotFiles().allSatisfy { !$0.hasPrefix(SnapshotLayout.eventsFolder) })
        // ops lint says so first.
        let problems = SLOCatalog.lint(record, try setup.fixture.folder.read(record), nil)
        #expect(problems.map(\.location) == [Location(path: record, line: 4)])
    }

    @Test func aRollingWindowAnnouncesAgainOnlyOnceItHasRolledPastTheFirstAnnouncement() throws {
        let setup = try Setup()
        defer { setup.remove() }
        try setup.importCSV(Self.day("2026-11-22", bad: 520))
        // 31 days later, a new crossing of the same threshold: the window holds none of the old events.
        setup.fixture.base.clock.set("2026-12-24T09:00:00Z")
        let later = try setup.importCSV(Self.day("2026-12-23", bad: 900))
        #expect(later.announced.map(\.channel) == ["#sre"])
        let windows = try setup.bodies().compactMap { ($0["budget"] as? [String: Any])?["window"] as? String }
        #expect(windows == ["rolling_30d from 2026-11-23", "rolling_30d from 2026-12-24"])
    }

    @Test func aCalendarWindowIsNamedByItsMonthOrWeek() {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        // 23:30 UTC on 30 November is already December in Berlin.
        let late = Timestamp.parse("2026-11-30T23:30:00Z")!
        #expect(BudgetAnnouncements.label(of: .calendarMonth, at: late, zone: zone) == "2026-12")
        #expect(BudgetAnnouncements.label(of: .isoWeek, at: late, zone: zone) == "2026-W49")
        #expect(BudgetAnnouncements.channels(of: .init(at: 0.5, actions: ["notify:#sre", " notify: #ops ", "freeze", "notify:#sre"])) == ["#sre", "#ops"])
    }

    static func signals(_ rows: [(String, String)]) -> String {
        "timestamp,use_case,metric,value,unit\n" + rows.map { "\($0.0),ops_copilot,psi,\($0.1),index\n" }.joined()
    }

    @Test func aSignalBreachAtPageLevelIsAnnouncedOncePerWeekToItsChannel() throws {
        let setup = try Setup()
        defer { setup.remove() }
        // PSI 0.34 on Friday of the week before: page level (≥ 0.3), routed to data_quality → #data-oncall.
        let first = try setup.importCSV(Self.signals([("2026-11-20T12:00:00Z", "0.34")]))
        #expect(first.announced == [AnnouncementResult(channel: "#data-oncall", event: "signal_breached", sent: true, problem: nil)])
        #expect(first.records == ["slo/announced/signals/ops_copilot/2026-W47.yaml"])
        let bodies = try setup.bodies()
        try #require(bodies.count == 1)
        let signal = try #require(bodies[0]["signal"] as? [String: Any])
        #expect(signal["name"] as? String == "psi" && signal["area"] as? String == "drift" && signal["use_case"] as? String == "ops_copilot")
        #expect(signal["value"] as? Double == 0.34 && signal["page_threshold"] as? Double == 0.3 && signal["period"] as? String == "2026-W47")

        // A worse reading the same week: committed, not announced again.
        let worse = try setup.importCSV(Self.signals([("2026-11-21T12:00:00Z", "0.41")]))
        #expect(worse.commit != nil && worse.announced.isEmpty)
        // Below page level (alert only) this week: nothing.
        let alert = try setup.importCSV(Self.signals([("2026-11-23T06:00:00Z", "0.25")]))
        #expect(alert.commit != nil && alert.announced.isEmpty)
        // An old week filled in: history, not a page.
        let old = try setup.importCSV(Self.signals([("2026-10-01T12:00:00Z", "0.5")]))
        #expect(old.commit != nil && old.announced.isEmpty)
        // This week's page in a clone: announced there (another week), once.
        let (folder, workspace) = try setup.clone()
        defer { folder.remove() }
        let page = try setup.importCSV(Self.signals([("2026-11-23T07:00:00Z", "0.31")]), into: workspace)
        #expect(page.announced.map(\.channel) == ["#data-oncall"])
        let repeated = try setup.importCSV(Self.signals([("2026-11-20T13:00:00Z", "0.39")]), into: workspace)
        #expect(repeated.commit != nil && repeated.announced.isEmpty)
        #expect(try setup.bodies().compactMap { ($0["signal"] as? [String: Any])?["period"] as? String } == ["2026-W47", "2026-W48"])
    }

    @Test func theWeeklyPackIsPostedOnceWhenItsWeekIsOver() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let service = ReviewService(setup.workspace)
        let alice = setup.fixture.alice
        // A preview of the week still running: committed, not posted.
        let preview = try service.write(week: "2026-W48") { alice }
        #expect(preview.committed && preview.announced.isEmpty)
        // Last week's pack: posted once to #ops-weekly (every example policy's reporting.channel).
        let pack = try service.write(week: "2026-W47") { alice }
        #expect(pack.announced == [AnnouncementResult(channel: "#ops-weekly", event: "weekly_pack_committed", sent: true, problem: nil)])
        let bodies = try setup.bodies()
        try #require(bodies.count == 1)
        let posted = try #require(bodies[0]["pack"] as? [String: Any])
        #expect(posted["week"] as? String == "2026-W47" && posted["path"] as? String == "reviews/2026-W47/pack.html")
        let summary = try #require(posted["summary"] as? [String])
        // The example's three availability SLIs and ops_copilot's p95 latency, a threshold SLI.
        #expect(summary.first == "SLOs: 4 without data" && summary.contains { $0.hasPrefix("Incidents: 0 opened, 0 active") })
        // Built again: the same bytes, no commit, nothing posted.
        let again = try service.write(week: "2026-W47") { alice }
        #expect(!again.committed && again.announced.isEmpty)

        // In a clone that has the pack: events of the week imported later change the pack, which is
        // committed again but not posted again.
        let (folder, workspace) = try setup.clone()
        defer { folder.remove() }
        try SLOImporter(workspace).importCSV(SourceInput(name: "e.csv", data: Data(Self.day("2026-11-18", bad: 700).utf8)), author: alice)
        let rebuilt = try ReviewService(workspace).write(week: "2026-W47") { alice }
        #expect(rebuilt.committed && rebuilt.announced.isEmpty)

        // The week that was a preview, once over: posted.
        setup.fixture.base.clock.set("2026-11-30T08:00:00Z")
        let final = try service.write(week: "2026-W48") { alice }
        #expect(final.committed && final.announced.map(\.channel) == ["#ops-weekly"])
        #expect(try setup.bodies().compactMap { ($0["pack"] as? [String: Any])?["week"] as? String } == ["2026-W47", "2026-W48"])
    }
}
