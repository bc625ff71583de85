import Foundation
import Testing

@testable import OpsKit

/// The pack's one model feeding two files: `metrics.json` gets each figure's value, the pack.md
/// template its Markdown, under the names templates already committed in teams' repositories read.
@Suite struct ReviewTemplateTests {
    struct Row: Encodable {
        var share: Percent
        var name: UserText
        var owner: UserText
        var actions: Names
        var wait: Seconds

        enum CodingKeys: String, ReviewTemplateKey {
            case share = "budget_consumed", name, owner, actions, wait = "wait_seconds"

            var templateName: String? {
                switch self {
                case .share: "consumed"
                case .wait: "wait"
                default: nil
                }
            }
        }
    }

    @Test func aFigureIsItsValueInMetricsJSONAndItsMarkdownInTheTemplate() throws {
        let row = Row(share: Percent(value: 1.0375), name: UserText("a|b *c*"), owner: UserText(nil), actions: Names([]), wait: Seconds(value: 3600))
        let json = try JSONSerialization.jsonObject(with: Data(try JSONOutput.render(row).utf8)) as! [String: Any]
        #expect(json["budget_consumed"] as? Double == 1.0375 && json["name"] as? String == "a|b *c*")
        #expect(json["owner"] is NSNull && (json["actions"] as? [Any])?.isEmpty == true)
        // Whole seconds print as integers, as every figure of metrics.json always has.
        #expect(try JSONOutput.render(row).contains("\"wait_seconds\" : 3600\n"))

        let fields = try ReviewTemplateEncoder.fields(of: row)
        #expect(Set(fields.keys) == ["consumed", "name", "owner", "actions", "wait"])
        #expect(fields["consumed"] as? String == "103.8 %" && fields["wait"] as? String == "1h 00m")
        #expect(fields["name"] as? String == "a\\|b \\*c\\*")
        // Absent values show as a dash: a missing key would make mustache look it up in the enclosing section.
        #expect(fields["owner"] as? String == "–" && fields["actions"] as? String == "–")
    }

    /// Tags of `template` (not comments), and for each `{{#list}}` block the names read inside it.
    static func names(in template: String) -> (all: Set<String>, blocks: [String: Set<String>]) {
        let tag = /\{\{\{?\s*([#^\/]?)\s*([a-z_]+)\s*\}?\}\}/
        var all = Set<String>(), blocks: [String: Set<String>] = [:], open: String?
        for match in template.matches(of: tag) {
            let (kind, name) = (String(match.output.1), String(match.output.2))
            all.insert(name)
            if kind == "#" { open = name } else if kind == "/" { open = nil } else if let open { blocks[open, default: []].insert(name) }
        }
        return (all, blocks)
    }

    @Test func everyNameTheStarterTemplateReadsIsInTheDemoPacksContext() throws {
        let fixture = try ReviewTests.demo()
        defer { fixture.remove() }
        let contents = try ReviewBuilder(workspace: fixture.workspace, config: fixture.workspace.config(), week: ReviewTests.week).build()
        let context = try contents.metrics.templateContext(charts: contents.charts.map(\.name))
        let (all, blocks) = Self.names(in: StarterKit.text("review/pack.md"))
        let rows = Set(blocks.values.flatMap { $0 })
        for name in all.subtracting(rows) {
            #expect(context[name] != nil, "\(name)")
        }
        var checked = 0
        for (list, names) in blocks {
            guard let items = context[list] as? [[String: Any]], !items.isEmpty else { continue }
            checked += 1
            for item in items {
                // A row lacking a name would show the same name of the page (`week`, `status`) instead.
                #expect(names.subtracting(item.keys).isEmpty, "\(list): \(names.subtracting(item.keys))")
            }
        }
        #expect(checked >= 8)  // the demo week fills most tables
    }
}
