import Foundation
import Testing

@testable import OpsKit

@Suite struct PostmortemTests {
    /// An ops repository holding the demo incidents, committed.
    static func demo() throws -> OpsFixture {
        let ops = try OpsFixture()
        try FileManager.default.copyItem(atPath: sourceRoot + "/incidents", toPath: ops.folder.path + "/incidents")
        _ = try git(ops.folder.path, "add", "incidents")
        _ = try git(ops.folder.path, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "demo")
        return ops
    }

    static let goldenID = "INC-20261022-DZQ0M6XT"

    @Test func thePrefilledPostmortemMatchesItsGoldenFileAndIsGitHubMarkdown() throws {
        let ops = try Self.demo()
        defer { ops.remove() }
        let incident = try ops.incidents.find(Self.goldenID)
        let body = try PostmortemService(ops.workspace).render(incident, runbook: nil, config: ops.workspace.config(), author: ops.alice)
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden/postmortem-\(Self.goldenID).md")
        if ProcessInfo.processInfo.environment["OPS_RECORD_GOLDEN"] == "1" {
            try Data(body.utf8).write(to: golden)
        }
        #expect(body == (try String(contentsOf: golden, encoding: .utf8)), "re-record with OPS_RECORD_GOLDEN=1 and review the diff")

        // The prefilled timeline is the incident's, entry for entry, in time order.
        let rows = body.components(separatedBy: "\n").drop { $0 != "## Timeline" }.dropFirst(3).prefix { $0.hasPrefix("| ") }
        #expect(rows.count == incident.timeline.count)
        for (row, entry) in zip(rows, incident.timeline.sorted { $0.at < $1.at }) {
            #expect(row.hasPrefix("| \(LocalTime.format(entry.at, zone: try ops.workspace.config().timeZone)) | T+"))
            #expect(row.contains("| \(entry.actor) | \(entry.kind)"))
        }

        // cmark-gfm renders GitHub-flavoured Markdown as GitHub does: tables and task lists must come out as such.
        let html = try Self.cmarkGFM(body + "\n- [ ] Add canary for model deploys @alice due:2026-12-01 #SLO P1\n")
        #expect(html.components(separatedBy: "<table>").count - 1 == 3)  // facts, response times, timeline
        #expect(html.contains("<td>\(Self.goldenID)</td>"))
        #expect(html.contains("<input type=\"checkbox\" disabled=\"\" />"))
    }

    @Test func overduePostmortemsOnTheDemoDataFollowThePolicy() throws {
        let ops = try Self.demo()
        defer { ops.remove() }
        ops.clock.set("2026-11-23T09:00:00Z")
        let rows = try PostmortemService(ops.workspace).requirements()
        #expect(rows.count == 13)  // every SEV1 and SEV2 of the demo data
        #expect(rows.filter(\.overdue).map(\.incident) == ["INC-20261113-QR0VKRGM"])
        let late = try #require(rows.first { $0.incident == "INC-20261113-QR0VKRGM" })
        #expect((late.severity, late.due, late.status) == ("SEV2", "2026-11-20", "In review"))
        // SEV1: 3 business days. Resolved Monday 2026-10-05, so due Thursday 2026-10-08.
        #expect(rows.first { $0.incident == "INC-20261005-KNEBA5PR" }?.due == "2026-10-08")
        #expect(rows.filter { $0.status == "missing" }.isEmpty)
        // On the due day itself it is not overdue yet; the day after, it is.
        ops.clock.set("2026-11-20T22:59:00Z")
        #expect(try PostmortemService(ops.workspace).requirements().filter(\.overdue).isEmpty)
        ops.clock.set("2026-11-20T23:00:00Z")
        #expect(try PostmortemService(ops.workspace).requirements().filter(\.overdue).map(\.incident) == ["INC-20261113-QR0VKRGM"])
    }

    @Test func textThatWouldBreakATableIsEscaped() {
        #expect(PostmortemService.cell("a | b\nc") == "a \\| b c")
        #expect(PostmortemService.offset(-180) == "T-3m")
        #expect(PostmortemService.offset(3900) == "T+1h 05m")
    }

    @Test func aTemplateThatDoesNotParseIsNamedWithItsLineAndNothingIsWritten() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        try ops.folder.write("templates/postmortem.md", "# Postmortem\n\n{{#timeline}}\n| {{time}} |\n")
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "break the template")
        let count = try ops.commitCount()
        #expect {
            try PostmortemService(ops.workspace).create(incident.id, author: ops.alice)
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix("templates/postmortem.md:") == true
                && (error as? OpsError)?.message.contains("template does not parse") == true
        }
        #expect(try ops.commitCount() == count)
        #expect(try Linter.run(ops.workspace).errors.first?.description.hasPrefix("templates/postmortem.md:") == true)
    }

    @Test func newStatusAndLintWorkOnAFreshIncident() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        ops.clock.advance(minutes: 30)
        _ = try ops.incidents.change(incident.id, .move(to: .resolved), at: nil, author: ops.alice)
        let service = PostmortemService(ops.workspace)
        let path = try service.create(incident.id, author: ops.alice)
        #expect(throws: OpsError.input("\(incident.id) has a postmortem already: \(path)")) { try service.create(incident.id, author: ops.alice) }
        #expect(try service.setStatus(incident.id, to: "in-review", author: ops.bob) == ("In review", true))
        #expect(try service.setStatus(incident.id, to: "In Review", author: ops.bob) == ("In review", false))
        #expect(throws: OpsError.self) { try service.setStatus(incident.id, to: "done", author: ops.bob) }
        #expect(try ops.incidents.find(incident.id).timeline.suffix(2).map(\.text) == ["drafted", "Draft → In review"])

        var text = try ops.folder.read(path)
        text += "- [ ] Add a canary @alice due:2026-12-01 #SLO P1\n- [ ] Fix the alert threshold #SLO\n"
        try ops.folder.write(path, text)
        let lines = text.components(separatedBy: "\n")
        let rootCause = lines.firstIndex(of: "## Root cause")! + 1
        let problems = Postmortem.lint(path, text, nil).map(\.description)
        #expect(
            problems == [
                "\(path):\(rootCause): the root cause is empty",
                "\(path):\(lines.count - 1): action item needs an owner (@handle) and a due date (due:YYYY-MM-DD)",
            ])
        let items = Postmortem(try MarkdownDocument(text, path: path)).actionItems
        let first = try #require(items.first)
        #expect((first.text, first.owner, first.due, first.tags, first.priority, first.done) == ("Add a canary", "alice", "2026-12-01", ["SLO"], "P1", false))
        #expect(first.line == lines.count - 2)

        // Reviewed and Closed say the postmortem is whole: refused while lint finds it is not.
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "action items")
        #expect(
            throws: OpsError.input(
                "\(path):\(rootCause): the root cause is empty (and 1 more: ops postmortem lint). Fix it and commit the fix, then mark the postmortem Closed")
        ) { try service.setStatus(incident.id, to: "closed", author: ops.bob) }
        var whole = lines
        whole[rootCause] = "A config push without a canary."
        whole[lines.count - 2] = "- [ ] Fix the alert threshold @bob due:2026-12-03 #SLO"
        try ops.folder.write(path, whole.joined(separator: "\n"))
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "filled in")
        #expect(try service.setStatus(incident.id, to: "closed", author: ops.bob) == ("Closed", true))
        #expect(try service.setStatus(incident.id, to: "draft", author: ops.bob) == ("Draft", true))  // back to work: always allowed
    }

    @Test func dueDatesCountBusinessDaysInTheTeamZone() {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        // Resolved Friday 2026-11-20 23:30 Berlin (22:30 UTC): 3 business days later is Wednesday the 25th.
        let friday = Timestamp.parse("2026-11-20T22:30:00Z")!
        #expect(PostmortemService.day(PostmortemService.addingBusinessDays(3, to: friday, zone: zone), zone: zone) == "2026-11-25")
        // 23:30 UTC on Friday is already Saturday in Berlin: the count starts from Saturday.
        let late = Timestamp.parse("2026-11-20T23:30:00Z")!
        #expect(PostmortemService.day(PostmortemService.addingBusinessDays(1, to: late, zone: zone), zone: zone) == "2026-11-23")
        #expect(PostmortemService.day(PostmortemService.addingBusinessDays(5, to: friday, zone: zone), zone: zone) == "2026-11-27")
    }

    static func cmarkGFM(_ markdown: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cmark-gfm", "-e", "table", "-e", "tasklist"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(markdown.utf8))
        try input.fileHandleForWriting.close()
        let html = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadUnknown) }
        return html
    }
}
