import Foundation
import Testing
import Yams

@testable import OpsKit

@Suite struct DocumentCodecTests {
    static let incident = """
        ---
        id: INC-20261122-7F3AK2QX
        title: Checkout p99 latency above 1.2s   # set by alice
        severity: SEV2
        # who is on it
        commander: alice
        roles: {comms: bob, scribe: carol}
        tags: [latency]
        custom_field: kept as it is
        opened_at: 2026-11-22T19:58:02+02:00
        ---
        # Checkout p99 latency above 1.2s

        ## Timeline
        - 2026-11-22T17:58:02Z alice **opened** SEV2 on checkout

        """

    @Test func loadThenSaveGivesTheSameBytes() throws {
        let document = try MarkdownDocument(Self.incident, path: "incident.md")
        #expect(document.text == Self.incident)
        #expect(document.frontMatter?["severity"]?.string == "SEV2")
        #expect(document.frontMatter?.line(of: "commander") == 6)
        #expect(document.bodyLine == 12)
    }

    @Test func changingOneFieldChangesOneLineAndKeepsCommentsAndUnknownKeys() throws {
        var document = try MarkdownDocument(Self.incident, path: "incident.md")
        try document.frontMatter?.set("severity", Node("SEV1"))
        let before = Self.incident.split(separator: "\n", omittingEmptySubsequences: false)
        let after = document.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(before.count == after.count)
        let changed = zip(before, after).filter { $0 != $1 }
        #expect(changed.map { String($0.1) } == ["severity: SEV1"])
    }

    @Test func settingTheSameValueInAnotherSpellingChangesNothing() throws {
        var document = try MarkdownDocument(Self.incident, path: "incident.md")
        try document.frontMatter?.set("severity", Node("SEV2", Tag(.str), .doubleQuoted))
        try document.frontMatter?.set("tags", Node([Node("latency")]))
        #expect(document.text == Self.incident)
    }

    @Test func newKeysGoToTheirPlaceInTheFixedOrder() throws {
        var document = try MarkdownDocument(Self.incident, path: "incident.md")
        let order = ["id", "title", "severity", "status", "commander", "roles", "tags", "opened_at", "acknowledged_at"]
        try document.frontMatter?.set("status", Node("acknowledged"), order: order)
        try document.frontMatter?.set("acknowledged_at", Node("2026-11-22T18:03:11Z"), order: order)
        let keys = document.frontMatter?.keys ?? []
        #expect(keys == ["id", "title", "severity", "status", "commander", "roles", "tags", "custom_field", "opened_at", "acknowledged_at"])
        #expect(document.text.contains("severity: SEV2\nstatus: acknowledged\n# who is on it\n"))
    }

    @Test func removingAKeyRemovesOnlyItsLines() throws {
        var document = try MarkdownDocument(Self.incident, path: "incident.md")
        try document.frontMatter?.set("roles", nil)
        #expect(!document.text.contains("roles:"))
        #expect(document.text.contains("# who is on it\ncommander: alice\ntags: [latency]\n"))
    }

    @Test func crlfFilesLoadAndKeepTheirLineBreaks() throws {
        let crlf = Self.incident.replacingOccurrences(of: "\n", with: "\r\n")
        var document = try MarkdownDocument(crlf, path: "incident.md")
        #expect(document.text == crlf)
        try document.frontMatter?.set("status", Node("mitigated"), order: ["severity", "status"])
        #expect(document.text.contains("severity: SEV2\r\nstatus: mitigated\r\n"))
    }

    @Test func hostileTextIsQuotedSafelyAndReadsBackAsTyped() throws {
        let titles = [
            "a: b", "# not a comment", "---", "line one\nline two", "'single' \"double\"", "true", "123",
            "  padded  ", "emoji 🚨 ok", "$(rm -rf ~)", "../../etc/passwd", "null", "key: [x]", String(repeating: "é", count: 10_000),
        ]
        for title in titles {
            let document = try MarkdownDocument.make(path: "x.md", fields: [("title", Node.text(title)), ("n", Node("1"))], body: "# body\n")
            let reread = try MarkdownDocument(document.text, path: "x.md")
            #expect(reread.frontMatter?["title"] == Node.text(title))  // the same text, still a string
            #expect(reread.frontMatter?["n"]?.int == 1)
            #expect(reread.body == "# body\n")
            #expect(reread.frontMatter?.text.split(separator: "\n").count == 2)  // one line per field
        }
    }

    @Test func badYAMLNamesTheFileAndLine() {
        let broken = "---\nid: x\ntitle: [unclosed\nseverity: SEV2\n---\nbody\n"
        #expect {
            try MarkdownDocument(broken, path: "incidents/a/incident.md")
        } throws: { error in
            let message = (error as? OpsError)?.message ?? ""
            return message.hasPrefix("incidents/a/incident.md:") && message.contains("YAML does not parse")
        }
        #expect(
            throws: OpsError.file(
                "b.md", line: 1, "the front matter opened with --- is never closed",
                fix: "Add a line with --- after the last `key: value` line")
        ) {
            try MarkdownDocument("---\nid: x\n", path: "b.md")
        }
        #expect {
            try MarkdownDocument("---\nid: x\nid: y\n---\n", path: "c.md")
        } throws: { error in (error as? OpsError)?.message.hasPrefix("c.md:3: `id` is set twice. Keep one of them") == true }
    }

    @Test func aPlainYAMLFileRoundTrips() throws {
        let url = Bundle.module.url(forResource: "Fixtures/policy_ops_copilot", withExtension: "yaml")!
        let text = try String(contentsOf: url, encoding: .utf8)
        var yaml = try YAMLText(text, path: "policies/ops_copilot.yaml")
        #expect(yaml.text == text)
        #expect(yaml.line(of: "burn_alerts") == 4)
        try yaml.set("window", Node("rolling_28d"))
        #expect(yaml.text == text.replacingOccurrences(of: "window: \"rolling_30d\"", with: "window: rolling_28d"))
    }

    @Test func timestampsReadOffsetsAndFractionsAndWriteUTC() {
        #expect(Timestamp.parse("2026-11-22T19:58:02+02:00") == Timestamp.parse("2026-11-22T17:58:02Z"))
        #expect(Timestamp.parse("2026-11-22 17:58:02.5z")!.timeIntervalSince1970 == Timestamp.parse("2026-11-22T17:58:02Z")!.timeIntervalSince1970 + 0.5)
        #expect(Timestamp.format(Timestamp.parse("2026-11-22T19:58:02+0200")!) == "2026-11-22T17:58:02Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(Timestamp.parse("2024-02-29T23:59:59-00:30")!) == "2024-03-01T00:29:59Z")
        // Against Foundation's ISO 8601 formatter from 1583 to 9999 (before, it counts in the Julian calendar).
        let iso = ISO8601DateFormatter()
        for step in 0..<2_000 {
            // Spread over the years, each at a different second of its day.
            let date = Date(timeIntervalSince1970: Double(-12_212_553_600 + step * 132_807_427 + step * 7_919 % 86_400))
            #expect(Timestamp.format(date) == iso.string(from: date), "\(date.timeIntervalSince1970)")
        }
        for bad in ["2026-11-22T17:58:02", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "yesterday", "2026-11-22T17:58:02Zjunk"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }
}
