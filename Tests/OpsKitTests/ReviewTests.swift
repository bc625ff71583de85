import Foundation
import Testing

@testable import OpsKit

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `ops review pack` and `ops review record`: Markdown, HTML, CSV, JSON and SVG charts.
@Suite struct ReviewTests {
    static let week = ISOWeek("2026-W47")!

    /// The demo incidents plus every SLO fixture imported, as `make demo` has them, committed;
    /// the clock on Monday 2026-11-23 09:00 UTC, so the last complete week is 2026-W47.
    static func demo() throws -> SLOFixture {
        let fixture = try SLOFixture()
        let root = fixture.folder.path
        try FileManager.default.copyItem(atPath: sourceRoot + "/incidents", toPath: root + "/incidents")
        _ = try git(root, "add", "incidents")
        _ = try git(root, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "demo")
        try fixture.importer.importCSV(SLOFixture.input("events_2026-W47.csv"), author: fixture.alice)
        try fixture.importer.importCSV(SLOFixture.input("signals_2026-W47.csv"), author: fixture.alice)
        try fixture.importPrometheus()
        return fixture
    }

    static func golden(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden/review-2026-W47-\(name)")
    }

    /// Every table of `markdown` keeps its column count on every row (escaped pipes aside), and
    /// cmark-gfm renders as many tables as the text has header rules.
    static func expectTablesIntact(_ markdown: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        func cells(_ line: String) -> Int { line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count }
        var columns: Int?
        var tables = 0
        for line in markdown.components(separatedBy: "\n") {
            guard line.hasPrefix("|") else { columns = nil; continue }
            if let columns {
                #expect(cells(line) == columns, "\(line)", sourceLocation: sourceLocation)
            } else {
                columns = cells(line)
                tables += 1
            }
        }
        let html = try PostmortemTests.cmarkGFM(markdown)
        #expect(html.components(separatedBy: "<table>").count - 1 == tables, sourceLocation: sourceLocation)
        #expect(html.components(separatedBy: "</table>").count - 1 == tables, sourceLocation: sourceLocation)
        #expect(!html.contains("<script"), sourceLocation: sourceLocation)
    }

    /// `pack.html` is one page that asks for nothing: no script, no image or style from a file or
    /// a host (the SVG namespace is a name, not a request), its tables those of `pack.md`.
    static func expectSelfContained(_ page: String, tables: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(page.hasPrefix("<!DOCTYPE html>"), sourceLocation: sourceLocation)
        for needle in ["<script", "<img", "src=", "<link", "@import", "url(", "<iframe", "<object"] {
            #expect(!page.lowercased().contains(needle), "\(needle)", sourceLocation: sourceLocation)
        }
        let hosts = page.components(separatedBy: "http").dropFirst().filter { !$0.hasPrefix("://www.w3.org/2000/svg\"") }
        #expect(hosts.isEmpty, "\(hosts.map { $0.prefix(40) })", sourceLocation: sourceLocation)
        #expect(page.components(separatedBy: "<table>").count - 1 == tables, sourceLocation: sourceLocation)
        #expect(page.components(separatedBy: "</table>").count - 1 == tables, sourceLocation: sourceLocation)
    }

    /// A chart parses as XML and holds the texts a reader needs without colour.
    static func expectChart(_ svg: String, texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
        for text in texts {
            #expect(svg.contains(">\(text)<"), "\(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func theDemoPackFor2026W47MatchesItsGoldenFiles() throws {
        let fixture = try Self.demo()
        defer { fixture.remove() }
        let pack = try ReviewService(fixture.workspace).build(week: Self.week)
        #expect(
            pack.files.map(\.name) == [
                "pack.md", "pack.html", "incident_log.csv", "metrics.json",
                "budget-consumed.svg", "response-trend.svg", "cost-trend.svg",
            ])
        for file in pack.files where ["pack.md", "incident_log.csv", "metrics.json"].contains(file.name) {
            let url = Self.golden(file.name)
            if ProcessInfo.processInfo.environment["OPS_RECORD_GOLDEN"] == "1" {
                try Data(file.text.utf8).write(to: url)
            }
            #expect(file.text == (try String(contentsOf: url, encoding: .utf8)), "\(file.name): re-record with OPS_RECORD_GOLDEN=1 and review the diff")
        }
        let markdown = pack.files[0].text
        let files = Dictionary(uniqueKeysWithValues: pack.files.map { ($0.name, $0.text) })
        // The agenda's order.
        let headings = markdown.components(separatedBy: "\n").filter { $0.hasPrefix("## ") }
        #expect(
            headings == [
                "## 1. SLO posture", "## 2. Incidents", "## 3. Drift and data quality", "## 4. Cost", "## 5. Risks and decisions",
                "## 6. Backlog (SLO, Safety, FinOps)", "## 7. RACI", "## 8. Outputs",
            ])
        try Self.expectTablesIntact(markdown)
        #expect(markdown.contains("| ops_copilot | every release | feature_freeze_all |"))

        // metrics.json: schema_version, definitions, and the figures the pack shows.
        let json = try JSONSerialization.jsonObject(with: Data(files["metrics.json"]!.utf8)) as! [String: Any]
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["week"] as? String == "2026-W47")
        #expect((json["definitions"] as? [String: Any])?["time_to_acknowledge"] != nil)
        let incidents = json["incidents"] as! [String: Any]
        #expect((incidents["trend"] as! [Any]).count == 8)
        // incident_log.csv: a header and one row per active incident.
        let rows = files["incident_log.csv"]!.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == 1 + (incidents["active"] as! Int))

        // pack.html: the same tables, the three charts inline, each status word kept beside its colour.
        let page = files["pack.html"]!
        Self.expectSelfContained(page, tables: markdown.components(separatedBy: "\n").filter { $0.hasPrefix("|---") || $0.hasPrefix("|:") }.count)
        #expect(page.components(separatedBy: "<figure class=\"chart\">").count - 1 == 3)
        #expect(page.contains("<td class=\"status-red\"><span>RED</span></td>"))
        #expect(page.contains("<td class=\"status-yellow\"><span>YELLOW</span></td>"))
        #expect(page.contains("<td class=\"status-green\"><span>GREEN</span></td>"))
        #expect(page.contains("<title>Ops Review 2026-W47 · ML Platform</title>"))
        #expect(page.contains("@page { size: A4;"))
        #expect(markdown.contains("](budget-consumed.svg)") && markdown.contains("](response-trend.svg)") && markdown.contains("](cost-trend.svg)"))

        // Charts: each line ends at the figure in the tables, the thresholds and targets named.
        Self.expectChart(
            files["budget-consumed.svg"]!,
            texts: [
                "50 %", "75 %", "100 % spent", "ops_copilot availability 104 %",
                "search_ranking availability 67 %", "fraud_scoring availability 44 %",
            ])
        Self.expectChart(files["response-trend.svg"]!, texts: ["TTA 11m", "TTM 1h 13m", "TTR 17h 11m", "W40", "W47"])
        #expect(markdown.contains("| 2026-W47 | 6 | 11m | 1h 13m | 17h 11m |"))  // the three still open count in TTA and TTM
        Self.expectChart(files["cost-trend.svg"]!, texts: ["W47"])
        #expect(files["cost-trend.svg"]!.contains(">target "))
    }

    /// Runs `scripts/check_page.py` on a page: headless Chromium renders it, screenshots it (and
    /// prints it on A4), and it fails on a blank page, a console error, or any request.
    static func checkPage(_ page: String, in folder: String) throws -> (status: Int32, output: String) {
        try command(["python3", sourceRoot + "/scripts/check_page.py", page, "--screenshot", folder + "/pack.png", "--pdf", folder + "/pack.pdf"])
    }

    @Test(.tags(.integration)) func thePageRendersInHeadlessChromiumAndAsksForNothing() throws {
        let fixture = try Self.demo()
        defer { fixture.remove() }
        let out = fixture.folder.path + "/out"
        _ = try ReviewService(fixture.workspace).write(week: "2026-W47", out: out, commit: false, author: { throw OpsError.input("not asked") })
        let good = try Self.checkPage(out + "/pack.html", in: out)
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.hasPrefix("ok: "), "\(good.output)")
        #expect(FileManager.default.fileExists(atPath: out + "/pack.png") && FileManager.default.fileExists(atPath: out + "/pack.pdf"))

        // The check can fail: the same page fetching one image from a host is refused.
        let page = try String(contentsOfFile: out + "/pack.html", encoding: .utf8)
        try page.replacingOccurrences(of: "</main>", with: "<img src=\"http://example.invalid/pixel.png\" alt=\"\"></main>")
            .write(toFile: out + "/fetching.html", atomically: true, encoding: .utf8)
        let bad = try Self.checkPage(out + "/fetching.html", in: out)
        #expect(bad.status == 1, "\(bad.output)")
        #expect(bad.output.contains("example.invalid"), "\(bad.output)")
    }

    @Test func twoRunsWriteIdenticalBytesAndMakeOneCommit() throws {
        let fixture = try Self.demo()
        defer { fixture.remove() }
        let before = try fixture.commitCount()
        let first = try ReviewService(fixture.workspace).write(week: nil, author: { fixture.alice })
        #expect(first.week == Self.week && first.committed)
        let names = ["pack.md", "pack.html", "incident_log.csv", "metrics.json", "budget-consumed.svg", "response-trend.svg", "cost-trend.svg"]
        let bytes = try names.map { try fixture.folder.read("reviews/2026-W47/" + $0) }
        fixture.base.clock.set("2026-11-24T15:00:00Z")  // later, same week to report: nothing may depend on the time it runs
        let second = try ReviewService(fixture.workspace).write(week: "2026-W47", author: { fixture.alice })
        #expect(!second.committed && second.commit == nil)
        #expect(try fixture.commitCount() == before + 1)
        #expect(try names.map { try fixture.folder.read("reviews/2026-W47/" + $0) } == bytes)
        #expect(try git(fixture.folder.path, "log", "-1", "--format=%B").contains("Ops-Action: review.pack"))
        #expect(
            try git(fixture.folder.path, "show", "--name-only", "--format=", "HEAD").split(separator: "\n").sorted()
                == names.sorted().map { "reviews/2026-W47/" + $0 })

        // --no-commit writes the files and commits nothing.
        let third = try ReviewService(fixture.workspace).write(week: "2026-W46", commit: false, author: { throw OpsError.input("not asked") })
        #expect(!third.committed)
        #expect(FileManager.default.fileExists(atPath: fixture.folder.path + "/reviews/2026-W46/pack.md"))
        #expect(try fixture.commitCount() == before + 1)
    }

    // MARK: Figures as of the week's end (issue 15, reproduction 8)

    static let stableFiles = ["pack.md", "metrics.json", "incident_log.csv"]

    /// The bytes a past week's pack is judged by.
    static func stableBytes(_ pack: ReviewPack) -> [String] {
        stableFiles.map { name in pack.files.first { $0.name == name }!.text }
    }

    /// Incidents of weeks 46 and 47, as the week's end left them.
    struct WeekOfIncidents {
        let fixture: SLOFixture
        let settledBefore: Incident, acknowledged: Incident, mitigated: Incident

        init() throws {
            fixture = try SLOFixture()
            let clock = fixture.base.clock, service = fixture.base.incidents, bob = fixture.base.bob
            // Resolved in W46, closed in W47: not active in W47.
            clock.set("2026-11-12T09:00:00Z")
            settledBefore = try fixture.base.open("Search index lag", sev: "SEV3", service: "search_ranking")
            clock.set("2026-11-12T09:05:00Z")
            _ = try service.change(settledBefore.id, .move(to: .acknowledged), at: nil, author: bob)
            clock.set("2026-11-13T16:00:00Z")
            _ = try service.change(settledBefore.id, .move(to: .resolved), at: nil, author: bob)
            clock.set("2026-11-17T10:00:00Z")
            _ = try service.change(settledBefore.id, .move(to: .closed), at: nil, author: bob)
            // Opened in W47, still open (acknowledged, mitigated) when the week ends.
            clock.set("2026-11-18T14:00:00Z")
            acknowledged = try fixture.base.open("Checkout p99 latency above 1.2s", sev: "SEV2", service: "ops_copilot")
            clock.set("2026-11-18T14:06:00Z")
            _ = try service.change(acknowledged.id, .move(to: .acknowledged), at: nil, author: bob)
            clock.set("2026-11-20T08:00:00Z")
            mitigated = try fixture.base.open("Fraud scores delayed", sev: "SEV2", service: "fraud_scoring")
            clock.set("2026-11-20T08:04:00Z")
            _ = try service.change(mitigated.id, .move(to: .acknowledged), at: nil, author: bob)
            clock.set("2026-11-20T09:30:00Z")
            _ = try service.change(mitigated.id, .move(to: .mitigated), at: nil, author: bob)
            clock.set("2026-11-23T09:00:00Z")
        }
    }

    @Test func aPastWeeksPackKeepsItsIncidentFiguresWhenLaterEventsAreRecorded() throws {
        let week = try WeekOfIncidents()
        let fixture = week.fixture
        defer { fixture.remove() }
        let service = fixture.base.incidents, clock = fixture.base.clock, bob = fixture.base.bob
        let first = try ReviewService(fixture.workspace).build(week: Self.week)
        let markdown = first.files[0].text
        #expect(markdown.hasPrefix("# Ops Review 2026-W47\n"))
        #expect(markdown.contains("2 opened this week, 2 active during it."))  // resolved the week before: not active
        #expect(markdown.contains("| \(week.acknowledged.id) | Checkout p99 latency above 1.2s | SEV2 | acknowledged |"))
        #expect(markdown.contains("| \(week.mitigated.id) | Fraud scores delayed | SEV2 | mitigated |"))
        #expect(markdown.contains("| TTA (time to acknowledge) | 2 | 0 | 5m |"))  // both still open, both acknowledged

        // Monday and Tuesday after: both resolved, the one of W46 reopened and resolved again,
        // a new incident opened.
        clock.set("2026-11-23T10:00:00Z")
        _ = try service.change(week.acknowledged.id, .move(to: .resolved), at: nil, author: bob)
        _ = try service.change(week.mitigated.id, .move(to: .resolved), at: nil, author: bob)
        clock.set("2026-11-24T10:00:00Z")
        _ = try service.change(week.mitigated.id, .move(to: .closed), at: nil, author: bob)
        _ = try service.change(week.settledBefore.id, .reopen, at: nil, author: bob)
        clock.set("2026-11-24T11:00:00Z")
        _ = try service.change(week.settledBefore.id, .move(to: .resolved), at: nil, author: bob)
        _ = try fixture.base.open("Ranking model stale", sev: "SEV3", service: "search_ranking")
        clock.set("2026-12-01T09:00:00Z")

        let again = try ReviewService(fixture.workspace).build(week: Self.week)
        let before = Self.stableBytes(first), after = Self.stableBytes(again)
        for (index, name) in Self.stableFiles.enumerated() {
            #expect(after[index] == before[index], "\(name) changed after the week ended")
        }
    }

    /// The pack reads again, whole, only incidents a commit changed from a minute before the
    /// week's end on (the rest come from the parse cache, which keeps no timeline): an `--at` may
    /// be up to a minute ahead of its commit, so a reopen recorded 30 s before the end and dated
    /// 20 s after it is still seen as after the week.
    @Test func aReopenRecordedJustBeforeTheWeeksEndButDatedAfterItLeavesThePackAsItWas() throws {
        let week = try WeekOfIncidents()
        let fixture = week.fixture
        defer { fixture.remove() }
        let first = try ReviewService(fixture.workspace).build(week: Self.week)
        let end = Self.week.interval(in: try fixture.workspace.config().timeZone).end
        fixture.base.clock.set(Timestamp.format(end.addingTimeInterval(-30)))
        _ = try fixture.base.incidents.change(week.settledBefore.id, .reopen, at: end.addingTimeInterval(20), author: fixture.base.bob)
        fixture.base.clock.set("2026-11-30T09:00:00Z")
        let before = Self.stableBytes(first), after = Self.stableBytes(try ReviewService(fixture.workspace).build(week: Self.week))
        for (index, name) in Self.stableFiles.enumerated() {
            #expect(after[index] == before[index], "\(name) changed after the week ended")
        }
    }

    @Test func aPastWeeksPackKeepsItsBacklogDecisionsAndPostmortemsAsTheyWereAtTheWeeksEnd() throws {
        let week = try WeekOfIncidents()
        let fixture = week.fixture
        defer { fixture.remove() }
        let clock = fixture.base.clock, alice = fixture.alice, bob = fixture.base.bob
        let backlog = BacklogService(fixture.workspace), decisions = DecisionService(fixture.workspace)
        clock.set("2026-11-18T10:00:00Z")
        var canary = BacklogService.Draft(title: "Add a canary stage to the copilot pipeline")
        canary.tags = ["SLO"]
        canary.due = "2026-11-20"
        canary.owner = "bob"
        let overdue = try backlog.add(canary, author: alice)
        var draft = DecisionService.Draft(title: "Freeze copilot model rollouts")
        draft.status = "proposed"
        draft.due = "2026-11-20"
        let proposed = try decisions.create(draft, author: alice)
        // A SEV2 resolved in the week: its postmortem is due, and not written by the week's end.
        let payments = try fixture.base.open("Payments 5xx burst", sev: "SEV2", service: "fraud_scoring")
        clock.set("2026-11-18T16:00:00Z")
        _ = try fixture.base.incidents.change(payments.id, .move(to: .resolved), at: nil, author: bob)
        clock.set("2026-11-23T09:00:00Z")
        let first = try ReviewService(fixture.workspace).build(week: Self.week)
        let markdown = first.files[0].text
        #expect(markdown.contains("| \(payments.id) | Payments 5xx burst | SEV2 | 2026-11-25 | missing |"))
        #expect(markdown.contains("| – | \(overdue.id) | Add a canary stage to the copilot pipeline | SLO | bob | 2026-11-20 (overdue) | open |"))
        #expect(markdown.contains("| \(proposed.id) | Freeze copilot model rollouts | proposed | – | 2026-11-20 |"))

        // After the week: the item done, the decision accepted, the meeting's own records, a new
        // item, an incident resolved, a title changed (its file renamed).
        clock.set("2026-11-24T10:00:00Z")
        _ = try backlog.setStatus(overdue.id, to: "done", author: bob)
        _ = try decisions.setStatus(proposed.id, to: "accepted", author: alice)
        _ = try ReviewService(fixture.workspace).record(
            week: "2026-W47", decisions: ["Canary every model rollout"],
            backlog: ["Alert on canary error rate"], owner: "bob", tags: ["SLO"], author: alice)
        var later = BacklogService.Draft(title: "Budget alert for fraud_scoring")
        later.tags = ["FinOps"]
        _ = try backlog.add(later, author: alice)
        _ = try fixture.base.incidents.change(week.acknowledged.id, .move(to: .resolved), at: nil, author: bob)
        let written = try PostmortemService(fixture.workspace).create(payments.id, author: bob)
        try fixture.folder.write(
            written, try fixture.folder.read(written).replacingOccurrences(of: "## Root cause\n", with: "## Root cause\n\nA config push.\n"))
        _ = try git(fixture.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "root cause")
        _ = try PostmortemService(fixture.workspace).setStatus(payments.id, to: "Reviewed", author: alice)
        clock.set("2026-12-01T09:00:00Z")

        let again = try ReviewService(fixture.workspace).build(week: Self.week)
        let before = Self.stableBytes(first), after = Self.stableBytes(again)
        for (index, name) in Self.stableFiles.enumerated() {
            #expect(after[index] == before[index], "\(name) changed after the week ended")
        }
    }

    @Test func aCorrectionInsideThePastWeekChangesItsPackAndThePackSaysSo() throws {
        let week = try WeekOfIncidents()
        let fixture = week.fixture
        defer { fixture.remove() }
        let first = try ReviewService(fixture.workspace).build(week: Self.week)
        #expect(!first.files[0].text.contains("Corrected after the week ended"))
        // A week later the real acknowledgement time is learned: 14:03, not 14:06 (UTC).
        fixture.base.clock.set("2026-11-30T12:00:00Z")
        _ = try fixture.base.incidents.change(
            week.acknowledged.id, .correct(.acknowledged), at: Timestamp.parse("2026-11-18T14:03:00Z"),
            author: fixture.base.carol)
        let again = try ReviewService(fixture.workspace).build(week: Self.week)
        #expect(Self.stableBytes(again) != Self.stableBytes(first))
        let lines = again.files[0].text.components(separatedBy: "\n").filter { $0.contains("Corrected after the week ended") }
        #expect(
            lines == ["- Corrected after the week ended: \(week.acknowledged.id) acknowledged_at 2026-11-18 15:06 → 2026-11-18 15:03 (carol, 2026-11-30 13:00)"]
        )
        let json = try JSONSerialization.jsonObject(with: Data(again.files[3].text.utf8)) as! [String: Any]
        let corrections = json["corrections"] as! [[String: Any]]
        #expect(corrections.map { $0["incident"] as? String } == [week.acknowledged.id])
        #expect(corrections.first?["before"] as? String == "2026-11-18T14:06:00Z" && corrections.first?["after"] as? String == "2026-11-18T14:03:00Z")
        // A correction of a time after the week's end changes nothing, and is not mentioned.
        _ = try fixture.base.incidents.change(
            week.mitigated.id, .move(to: .resolved), at: Timestamp.parse("2026-11-24T09:00:00Z"),
            author: fixture.base.bob)
        _ = try fixture.base.incidents.change(
            week.mitigated.id, .correct(.resolved), at: Timestamp.parse("2026-11-24T08:00:00Z"),
            author: fixture.base.carol)
        #expect(Self.stableBytes(try ReviewService(fixture.workspace).build(week: Self.week)) == Self.stableBytes(again))
    }

    @Test func aPackOfAWeekNotOverSaysSoOnItsFirstLine() throws {
        let week = try WeekOfIncidents()
        let fixture = week.fixture
        defer { fixture.remove() }
        fixture.base.clock.set("2026-11-20T10:00:00Z")  // Friday 11:00 in Berlin
        let pack = try ReviewService(fixture.workspace).build(week: Self.week)
        let markdown = pack.files[0].text
        // A minute after the mitigation at 09:30 UTC, the last change recorded by now (the
        // fixture's SLO files are committed dated after now: not yet recorded, as far as this
        // clock knows).
        #expect(markdown.hasPrefix("Week not over: figures as of 2026-11-20 10:31 (Europe/Berlin), a minute after the last change recorded; "))
        #expect(markdown.contains("\n# Ops Review 2026-W47\n"))
        let json = try JSONSerialization.jsonObject(with: Data(pack.files[3].text.utf8)) as! [String: Any]
        #expect(json["week_over"] as? Bool == false && json["as_of"] as? String == "2026-11-20T09:31:00Z")
        // What happened up to now is in it: the mitigation at 09:30 UTC is, nothing after now exists.
        #expect(markdown.contains("| \(week.mitigated.id) | Fraud scores delayed | SEV2 | mitigated |"))
        try Self.expectTablesIntact(markdown)
        // Once the week is over, the first line is the title again.
        fixture.base.clock.set("2026-11-23T09:00:00Z")
        let over = try ReviewService(fixture.workspace).build(week: Self.week).files[0].text
        #expect(over.hasPrefix("# Ops Review 2026-W47\n"))
        #expect(over.contains("· figures as of the end of the week"))
    }

    /// A week still running is as of its last change recorded, not of the second it is built:
    /// a rerun with nothing new makes no commit, on this clone or another, and the pack's own
    /// commit does not count as news; a new event moves it.
    @Test func aWeekNotOverIsAsOfItsLastChangeSoARerunMakesNoCommit() throws {
        let fixture = try OpsFixture()  // its first commit is dated 2026-11-22
        defer { fixture.remove() }
        fixture.clock.set("2026-11-24T09:15:00Z")
        let incident = try fixture.open("Checkout p99 above 1.2s", sev: "SEV2", service: "ops_copilot")
        fixture.clock.set("2026-11-25T16:00:00Z")
        let first = try ReviewService(fixture.workspace).write(week: "2026-W48", author: { fixture.alice })
        #expect(first.committed)
        let pack = try fixture.folder.read("reviews/2026-W48/pack.md")
        #expect(
            pack.hasPrefix("Week not over: figures as of 2026-11-24 10:16 (Europe/Berlin), a minute after the last change recorded; "), "\(pack.prefix(120))")
        let before = try fixture.commitCount()
        fixture.clock.set("2026-11-26T08:00:00Z")
        let second = try ReviewService(fixture.workspace).write(week: "2026-W48", author: { fixture.alice })
        let after = try fixture.commitCount()
        #expect(!second.committed && after == before)
        #expect(try fixture.folder.read("reviews/2026-W48/pack.md") == pack)

        // A week not begun has no pack.
        #expect(throws: OpsError.self) { try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W49")!) }

        _ = try fixture.incidents.change(incident.id, .move(to: .acknowledged), at: nil, author: fixture.bob)
        fixture.clock.set("2026-11-26T12:00:00Z")
        let third = try ReviewService(fixture.workspace).write(week: "2026-W48", author: { fixture.alice })
        #expect(third.committed)
        let metrics = try fixture.folder.read("reviews/2026-W48/metrics.json")
        #expect(metrics.contains("\"as_of\" : \"2026-11-26T08:01:00Z\""), "\(metrics.prefix(300))")
        // Within a minute of a change the pack is as of now, never later.
        _ = try fixture.incidents.change(incident.id, .note("Rolled back"), at: nil, author: fixture.bob)
        fixture.clock.advance(minutes: 1.0 / 3)
        let soon = try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W48")!).files[0].text
        #expect(
            soon.hasPrefix("Week not over: figures as of 2026-11-26 13:00 (Europe/Berlin), now: a change was recorded in the last minute; "),
            "\(soon.prefix(140))")
        // The next week on its Monday morning, nothing recorded in it yet: as of its start, and said so.
        fixture.clock.set("2026-11-30T07:00:00Z")
        let next = try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W49")!).files[0].text
        #expect(
            next.hasPrefix("Week not over: figures as of 2026-11-30 00:00 (Europe/Berlin), the week's start: nothing recorded since; "), "\(next.prefix(120))")
    }

    /// Two clones, one with its clock behind: the clone ahead built the running week's pack as of
    /// a change the clone behind sees in its future. The clone behind leaves that pack as it is
    /// (and says so) instead of replacing it with an earlier one, so the two do not take turns.
    @Test func aClockBehindDoesNotReplaceARunningWeeksPackWithAnEarlierOne() throws {
        let fixture = try OpsFixture()
        defer { fixture.remove() }
        fixture.clock.set("2026-11-24T09:15:00Z")
        let incident = try fixture.open("Checkout p99 above 1.2s", sev: "SEV2", service: "ops_copilot")
        fixture.clock.set("2026-11-25T16:00:00Z")
        _ = try fixture.incidents.change(incident.id, .move(to: .acknowledged), at: nil, author: fixture.bob)
        fixture.clock.set("2026-11-25T17:00:00Z")
        #expect(try ReviewService(fixture.workspace).write(week: "2026-W48", author: { fixture.alice }).committed)
        let pack = try fixture.folder.read("reviews/2026-W48/pack.md")
        let before = try fixture.commitCount()
        // This clock is a day behind: the acknowledgement is in its future.
        fixture.clock.set("2026-11-24T18:00:00Z")
        let behind = try ReviewService(fixture.workspace).write(week: "2026-W48", author: { fixture.alice })
        #expect(!behind.committed && behind.newerOnRecord == "2026-11-25 17:01 Europe/Berlin", "\(String(describing: behind.newerOnRecord))")
        #expect(try fixture.commitCount() == before && fixture.folder.read("reviews/2026-W48/pack.md") == pack)
        // A week over is final whatever was built before it ended.
        fixture.clock.set("2026-12-01T09:00:00Z")
        let final = try ReviewService(fixture.workspace).write(week: "2026-W48", author: { fixture.alice })
        #expect(final.committed && final.newerOnRecord == nil)
    }

    /// While the week runs, a due date is judged as of the pack's moment: a Monday preview does
    /// not call Friday's item overdue; once Friday has passed, it does.
    @Test func aWeekNotOverJudgesDueDatesAsOfItsMoment() throws {
        let fixture = try OpsFixture()
        defer { fixture.remove() }
        fixture.clock.set("2026-11-23T09:00:00Z")  // Monday of 2026-W48
        var item = BacklogService.Draft(title: "Canary every model rollout")
        item.tags = ["SLO"]
        item.due = "2026-11-27"
        _ = try BacklogService(fixture.workspace).add(item, author: fixture.alice)
        let monday = try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W48")!).files[0].text
        #expect(monday.contains("2026-11-27") && !monday.contains("(overdue)"), "\(monday)")
        fixture.clock.set("2026-11-28T10:00:00Z")
        var other = BacklogService.Draft(title: "Alert on canary error rate")
        other.tags = ["SLO"]
        _ = try BacklogService(fixture.workspace).add(other, author: fixture.alice)
        let saturday = try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W48")!).files[0].text
        #expect(saturday.contains("2026-11-27 (overdue)"), "\(saturday)")
        // Said at that moment, not at a week's end that has not come.
        #expect(saturday.contains(" overdue at 2026-11-28 11:00,") && !saturday.contains("end of the week"), "\(saturday)")
        #expect(saturday.contains("No release freeze in force at 2026-11-28 11:00."), "\(saturday)")
        fixture.clock.set("2026-11-30T09:00:00Z")
        let final = try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W48")!).files[0].text
        #expect(final.contains(" overdue at the end of the week,") && final.contains("No release freeze in force at the end of the week."))
    }

    @Test func hostileTextInATitleAndADecisionKeepsTheMarkdownTablesIntact() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let hostile = "<script>alert(1)</script> | </table> **bold** `code | x` [link](http://x) ![x](http://evil.example/x.png) <!--"
        fixture.base.clock.set("2026-11-18T10:00:00Z")
        let incident = try fixture.base.open(hostile, sev: "SEV2", service: "ops_copilot")
        var draft = DecisionService.Draft(title: "Freeze | " + hostile)
        draft.reviews = ["2026-W47"]
        draft.status = "proposed"
        draft.due = "2026-11-20"
        _ = try DecisionService(fixture.workspace).create(draft, author: fixture.alice)
        fixture.base.clock.set("2026-11-23T09:00:00Z")
        let pack = try ReviewService(fixture.workspace).build(week: Self.week)
        let markdown = pack.files[0].text
        try Self.expectTablesIntact(markdown)
        let escaped = ReviewMarkdown.text(hostile)
        #expect(
            escaped
                == "&lt;script>alert(1)&lt;/script> \\| &lt;/table> \\*\\*bold\\*\\* \\`code \\| x\\` \\[link\\](http://x) !\\[x\\](http://evil.example/x.png) &lt;!--"
        )
        #expect(markdown.contains("| \(incident.id) | \(escaped) | SEV2 | open |"))
        #expect(markdown.contains("| Freeze \\| \(escaped) | proposed |"))
        #expect(!markdown.contains("<script>") && !markdown.contains("</table>"))
        // The page shows the text, runs nothing, fetches nothing, and keeps its tables.
        let page = pack.files[1].text
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("<img") && !page.contains("evil.example/x.png\""))
        #expect(!page.contains("<a ") && !page.contains("<strong>bold") && !page.contains("<code>code"))
        #expect(page.components(separatedBy: "<table>").count == markdown.components(separatedBy: "\n").filter { $0.hasPrefix("|---") }.count + 1)
        // A line break in text cannot end a row either.
        #expect(ReviewMarkdown.text("a\nb|c\r\nd") == "a b\\|c d")
    }

    @Test func releaseExceptionsAreTheDecisionsOfThatKindAndOldRecordsTitledAsTheGateTitledThem() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        fixture.base.clock.set("2026-11-18T10:00:00Z")
        let decisions = DecisionService(fixture.workspace)
        func accepted(_ title: String, kind: String? = nil) throws -> Decision {
            var draft = DecisionService.Draft(title: title)
            draft.status = "accepted"
            draft.reviews = ["2026-W47"]
            draft.kind = kind
            return try decisions.create(draft, author: fixture.alice)
        }
        // As `ops release check` writes it now: the kind says it, whatever the title.
        let marked = try accepted("Ship the security fix during the freeze", kind: Decision.releaseExceptionKind)
        // As it wrote it before the field existed (repositories keep these): only the title says it.
        let older = try accepted("Release exception: sev-1 remediation on search_ranking")
        let olderText = try fixture.workspace.committedText(older.path) ?? ""
        #expect(older.kind == nil && !olderText.contains("kind:"))
        let plain = try accepted("Canary every model rollout")
        fixture.base.clock.set("2026-11-23T09:00:00Z")
        let pack = try ReviewService(fixture.workspace).build(week: Self.week)
        let markdown = pack.files[0].text
        let exceptions = markdown.components(separatedBy: "### Release exceptions granted")[1].components(separatedBy: "###")[0]
        #expect(exceptions.contains("| \(marked.id) | Ship the security fix during the freeze | 2026-11-18 | alice |"))
        #expect(exceptions.contains("| \(older.id) | Release exception: sev-1 remediation on search_ranking | 2026-11-18 | alice |"))
        #expect(!exceptions.contains(plain.id))
        let made = markdown.components(separatedBy: "### Decisions made this week")[1].components(separatedBy: "###")[0]
        #expect(made.contains("| \(plain.id) | Canary every model rollout | accepted |") && !made.contains(marked.id) && !made.contains(older.id))
        let json = try JSONSerialization.jsonObject(with: Data(pack.files[3].text.utf8)) as! [String: Any]
        let risks = try #require(json["risks"] as? [String: Any])
        #expect(Set((risks["release_exceptions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) == [marked.id, older.id])
        #expect((risks["decisions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == [plain.id])
    }

    @Test func aWeekThatDoesNotParseIsBadInputOnOneLine() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let before = try fixture.commitCount()
        for text in ["2026-W54", "2026-W00", "W47", "2026-47"] {
            #expect {
                _ = try ReviewService(fixture.workspace).write(week: text, author: { fixture.alice })
            } throws: { error in
                guard let error = error as? OpsError else { return false }
                return error.exitCode == 2 && !error.message.contains("\n") && error.message.contains("'\(text)' is not an ISO week")
            }
        }
        #expect(try fixture.commitCount() == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.folder.path + "/reviews"))
    }

    @Test func aWeekWithNoDataIsStillBuiltAndEverySectionSaysSo() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let pack = try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W10")!)
        let markdown = pack.files[0].text
        for sentence in [
            "No incidents were open during this week.", "No postmortem of the last 8 weeks names a root_cause_category.",
            "Every required postmortem is written and on time.", "No cost readings", "No release freeze in force",
            "No release exception granted.", "No decision made or linked to 2026-W10.", "No open backlog item tagged",
            "- [ ] none flagged",
        ] {
            #expect(markdown.contains(sentence), "\(sentence)")
        }
        #expect(markdown.contains("| ops_copilot | availability | 99.9 % | rolling_30d | – | – | – | NO DATA | – |"))
        try Self.expectTablesIntact(markdown)
        #expect(
            pack.files.first { $0.name == "incident_log.csv" }?.text
                == "id,title,severity,status,service,use_case,commander,started_at,detected_at,opened_at,acknowledged_at,mitigated_at,resolved_at,closed_at,time_to_detect_seconds,time_to_acknowledge_seconds,time_to_mitigate_seconds,time_to_resolve_seconds,postmortem,root_cause_category,data_error\r\n"
        )
    }

    @Test func aBrokenTemplateIsAnErrorWithFileAndLine() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try fixture.commitFile(ReviewPack.templatePath, "# Ops Review {{week}}\n\n{{#slos}}\n| {{use_case}} |\n")
        #expect {
            _ = try ReviewService(fixture.workspace).build(week: Self.week)
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix("templates/review/pack.md:") == true
        }
        try fixture.commitFile(ReviewPack.templatePath, StarterKit.text("review/pack.md"))
        try fixture.commitFile(ReviewHTML.templatePath, "<html>\n<body>\n{{#body}}\n</html>\n")
        #expect {
            _ = try ReviewService(fixture.workspace).build(week: Self.week)
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix("templates/review/pack.html:") == true
        }
    }

    @Test func aTeamChangesThePageLayoutThroughItsTemplate() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try fixture.commitFile(ReviewHTML.templatePath, "<!DOCTYPE html>\n<title>{{week}} for {{team}}</title>\n<article>{{{body}}}</article>\n")
        let page = try ReviewService(fixture.workspace).build(week: Self.week).files.first { $0.name == "pack.html" }!.text
        #expect(page.hasPrefix("<!DOCTYPE html>\n<title>2026-W47 for "))
        #expect(page.contains("<article><h1>Ops Review 2026-W47</h1>"))
    }

    @Test func recordWritesDecisionsAndBacklogItemsLinkedToTheWeek() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let before = try fixture.commitCount()
        let record = try ReviewService(fixture.workspace).record(
            week: "2026-w47", decisions: ["Canary every model rollout", "Keep the ops_copilot freeze until Friday"],
            backlog: ["Add a canary stage to the copilot pipeline"], owner: "bob", due: "2026-12-04", tags: ["SLO"], priority: "P1",
            author: fixture.alice)
        #expect(record.decisions.map(\.status) == ["accepted", "accepted"])
        #expect(record.decisions.allSatisfy { $0.reviews == ["2026-W47"] && $0.owner == "bob" })
        #expect(record.backlog.map(\.source) == ["review:2026-W47"])
        #expect(record.backlog.first?.priority == "P1")
        #expect(try fixture.commitCount() == before + 3)
        // The meeting is held after its week: the pack of the week it is held in lists them; the
        // reviewed week's pack stays as it was at its end.
        let markdown = try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W48")!).files[0].text
        #expect(markdown.contains("| \(record.decisions[0].id) | Canary every model rollout | accepted |"))
        #expect(markdown.contains("| P1 | \(record.backlog[0].id) | Add a canary stage to the copilot pipeline | SLO | bob | 2026-12-04 | open |"))
        let reviewed = try ReviewService(fixture.workspace).build(week: Self.week).files[0].text
        #expect(!reviewed.contains(record.decisions[0].id) && !reviewed.contains(record.backlog[0].id))

        #expect(throws: OpsError.self) {
            _ = try ReviewService(fixture.workspace).record(week: "2026-W47", decisions: [], backlog: [], author: fixture.alice)
        }
        #expect(throws: OpsError.self) {
            _ = try ReviewService(fixture.workspace).record(week: "2026-W54", decisions: ["x"], backlog: [], author: fixture.alice)
        }
        #expect(try fixture.commitCount() == before + 3)
    }
}
