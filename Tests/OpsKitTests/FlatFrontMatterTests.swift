import Foundation
import Testing

@testable import OpsKit

/// Building the caches reads front matter with `FlatFrontMatter` when it is in the shape ops
/// writes. It must read every such text exactly as the YAML parse does, and leave every other
/// text to it (the fuzz target `front-matter` tries many more).
@Suite struct FlatFrontMatterTests {
    /// The fast read of `front` (between fences), checked against the YAML parse: nil when the
    /// fast read leaves it to the parse, or its values, equal to the parse's.
    static func read(_ front: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: FrontMatterValue]? {
        let text = "---\n" + front + "---\n# Body\n"
        guard let (values, lines) = FlatFrontMatter.read(text) else { return nil }
        let yaml = try #require(try MarkdownDocument(text, path: "t.md").frontMatter, sourceLocation: sourceLocation)
        #expect(Set(values.keys) == Set(yaml.keys), sourceLocation: sourceLocation)
        for key in yaml.keys {
            #expect(values[key] == yaml.value(of: key), "\(key)", sourceLocation: sourceLocation)
            #expect(lines[key] == yaml.line(of: key), "\(key)", sourceLocation: sourceLocation)
        }
        return values
    }

    @Test func whatOpsWritesIsReadFastAndAsYAMLReadsIt() throws {
        let values = try #require(
            try Self.read(
                """
                id: INC-20261118-K3Q9ZT2M
                title: 'Postmortem: p95 latency > 1200ms (ops_copilot)'
                severity: SEV1
                status: acknowledged
                service: ops_copilot
                commander: alice
                roles: {comms: carol, scribe: dave}
                channel: '#sre-oncall'
                tags: [feature-pipeline, data-quality]
                alerts: []
                source: "pagerduty:Q0F38LOFAQXIKU"
                runbook:
                started_at: 2026-11-18T13:55:00Z
                opened_at: 2026-11-18T14:04:30Z

                """))
        #expect(values["title"] == .text("Postmortem: p95 latency > 1200ms (ops_copilot)"))
        #expect(values["roles"] == .pairs([.init(key: "comms", value: "carol"), .init(key: "scribe", value: "dave")]))
        #expect(values["tags"] == .list(["feature-pipeline", "data-quality"]))
        #expect(values["runbook"] == .text(""))
        for plain in ["yes", "1e3", "~", "null", "It's 5xx again", "a:b", "x#y", "über café 🔥", "(none)", "$HOME/x", "a [b] {c}, d"] {
            #expect(try Self.read("title: \(plain)\n") == ["title": .text(plain)], "\(plain)")
        }
        #expect(try Self.read("title: 'it''s'\n") == ["title": .text("it's")])
    }

    @Test func everythingElseIsLeftToTheYAMLParse() throws {
        let others = [
            "title: a: b\n", "title: foo # a comment\n", "title: \"tab\\there\"\n", "tags: [a, 'b']\n", "tags: [a,b]\n",
            "tags:\n  - a\n", "title: one\n  two\n", "title: x\ntitle: y\n", "roles: {comms: bob, comms: carol}\n",
            "title: next\u{85}line\n", "title: sep\u{2028}arator\n", "title: trailing \n", "title:  two spaces\n",
            "title: &anchor x\n", "title: !!str x\n", "title: |\n  block\n", "# comment\nid: x\n", "\nid: x\n",
            "id: x\r\n", "title: 'unclosed\n", "title: @at\n", "title: `tick\n", "title: - dash\n", "roles: {comms: [a]}\n",
            "Title: capital\n", "title:\tx\n", "title: ends with colon:\n", "title: \u{FEFF}bom\n",
        ]
        for front in others {
            #expect(try Self.read(front) == nil, "\(front.debugDescription)")
        }
        // No closing fence, or a fence with blanks after it: the parse says what is wrong.
        #expect(FlatFrontMatter.read("---\nid: x\n") == nil)
        #expect(FlatFrontMatter.read("---\nid: x\n---  \n") == nil)
    }

    @Test func everyIncidentOpsWritesIsReadFastAndTheSame() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open("Checkout: 5xx above 2% # again, it's \"bad\"", sev: "SEV1")
        _ = try ops.incidents.change(incident.id, .assign(role: "comms", person: "bob"), at: nil, author: ops.alice)
        _ = try ops.incidents.change(incident.id, .move(to: .mitigated), at: nil, author: ops.alice)
        let text = try ops.file(incident)
        #expect(FlatFrontMatter.read(text) != nil)
        let fast = try Incident(summaryOf: text, path: incident.path)
        var full = try Incident(MarkdownDocument(text, path: incident.path))
        full.timeline = []
        #expect(fast == full)
    }
}
