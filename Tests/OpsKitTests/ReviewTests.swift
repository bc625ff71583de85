import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import OpsKit

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
        #expect(pack.files.map(\.name) == ["pack.md", "pack.html", "incident_log.csv", "metrics.json",
                                            "budget-consumed.svg", "response-trend.svg", "cost-trend.svg"])
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
        #expect(headings == ["## 1. SLO posture", "## 2. Incidents", "## 3. Drift and data quality", "## 4. Cost", "## 5. Risks and decisions",
                             "## 6. Backlog (SLO, Safety, FinOps)", "## 7. RACI", "## 8. Outputs"])
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
        Self.expectChart(files["budget-consumed.svg"]!, texts: ["50 %", "75 %", "100 % spent", "ops_copilot availability 104 %",
                                                               "search_ranking availability 67 %", "fraud_scoring availability 44 %"])
        Self.expectChart(files["response-trend.svg"]!, texts: ["TTA 14m", "TTM 51m", "TTR 17h 11m", "W40", "W47"])
        #expect(markdown.contains("| 2026-W47 | 3 | 14m | 51m | 17h 11m |"))
        Self.expectChart(files["cost-trend.svg"]!, texts: ["W47"])
        #expect(files["cost-trend.svg"]!.contains(">target "))
    }

    /// Runs `scripts/check_page.py` on a page: headless Chromium renders it, screenshots it (and
    /// prints it on A4), and it fails on a blank page, a console error, or any request.
    static func checkPage(_ page: String, in folder: String) throws -> (status: Int32, output: String) {
        try command(["python3", sourceRoot + "/scripts/check_page.py", page, "--screenshot", folder + "/pack.png", "--pdf", folder + "/pack.pdf"])
    }

    @Test func thePageRendersInHeadlessChromiumAndAsksForNothing() throws {
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
        #expect(try git(fixture.folder.path, "show", "--name-only", "--format=", "HEAD").split(separator: "\n").sorted()
            == names.sorted().map { "reviews/2026-W47/" + $0 })

        // --no-commit writes the files and commits nothing.
        let third = try ReviewService(fixture.workspace).write(week: "2026-W46", commit: false, author: { throw OpsError.input("not asked") })
        #expect(!third.committed)
        #expect(FileManager.default.fileExists(atPath: fixture.folder.path + "/reviews/2026-W46/pack.md"))
        #expect(try fixture.commitCount() == before + 1)
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
        #expect(escaped == "&lt;script>alert(1)&lt;/script> \\| &lt;/table> **bold** `code \\| x` [link](http://x) !\\[x](http://evil.example/x.png) &lt;!--")
        #expect(markdown.contains("| \(incident.id) | \(escaped) | SEV2 | open |"))
        #expect(markdown.contains("| Freeze \\| \(escaped) | proposed |"))
        #expect(!markdown.contains("<script>") && !markdown.contains("</table>"))
        // The page shows the text, runs nothing, fetches nothing, and keeps its tables.
        let page = pack.files[1].text
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("<img") && !page.contains("evil.example/x.png\""))
        #expect(page.components(separatedBy: "<table>").count == markdown.components(separatedBy: "\n").filter { $0.hasPrefix("|---") }.count + 1)
        // A line break in text cannot end a row either.
        #expect(ReviewMarkdown.text("a\nb|c\r\nd") == "a b\\|c d")
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
        for sentence in ["No incidents were open during this week.", "No postmortem of the last 8 weeks names a root_cause_category.",
                         "Every required postmortem is written and on time.", "No cost readings", "No release freeze in force",
                         "No release exception granted.", "No decision made or linked to 2026-W10.", "No open backlog item tagged",
                         "- [ ] none flagged"] {
            #expect(markdown.contains(sentence), "\(sentence)")
        }
        #expect(markdown.contains("| ops_copilot | availability | 99.9 % | rolling_30d | – | – | – | NO DATA | – |"))
        try Self.expectTablesIntact(markdown)
        #expect(pack.files.first { $0.name == "incident_log.csv" }?.text == "id,title,severity,status,service,use_case,commander,started_at,detected_at,opened_at,acknowledged_at,mitigated_at,resolved_at,closed_at,time_to_detect_seconds,time_to_acknowledge_seconds,time_to_mitigate_seconds,time_to_resolve_seconds,postmortem,root_cause_category,data_error\r\n")
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
        // The next pack of that week lists them.
        let markdown = try ReviewService(fixture.workspace).build(week: Self.week).files[0].text
        #expect(markdown.contains("| \(record.decisions[0].id) | Canary every model rollout | accepted |"))
        #expect(markdown.contains("| P1 | \(record.backlog[0].id) | Add a canary stage to the copilot pipeline | SLO | bob | 2026-12-04 | open |"))

        #expect(throws: OpsError.self) {
            _ = try ReviewService(fixture.workspace).record(week: "2026-W47", decisions: [], backlog: [], author: fixture.alice)
        }
        #expect(throws: OpsError.self) {
            _ = try ReviewService(fixture.workspace).record(week: "2026-W54", decisions: ["x"], backlog: [], author: fixture.alice)
        }
        #expect(try fixture.commitCount() == before + 3)
    }
}
