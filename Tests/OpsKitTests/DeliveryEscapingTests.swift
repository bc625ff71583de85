import Foundation
import Testing

@testable import OpsKit

/// Issue 18, "Hostile text": a title, name or update shows as typed in Slack and Teams, and
/// pings nobody, forges no link and restyles nothing.
@Suite struct DeliveryEscapingTests {
    typealias Samples = DeliverySamples
    static let j = "\u{2060}"

    /// Input, then Slack's escaped form, then Teams's.
    static let hostile: [(String, String, String)] = [
        (
            "<!channel> @here *bold* <http://x|click>",
            "&lt;!channel&gt; @\(j)here \(j)*\(j)bold\(j)*\(j) &lt;http://x|click&gt;",
            "<\(j)!channel> @\(j)here \\*bold\\* <\(j)http://x|click>"
        ),
        ("<@U024BE7LH> & <!subteam^SAZ94GDB8>", "&lt;@\(j)U024BE7LH&gt; &amp; &lt;!subteam^SAZ94GDB8&gt;", "<\(j)@\(j)U024BE7LH> & <\(j)!subteam^SAZ94GDB8>"),
        ("@everyone @channel @Here", "@\(j)everyone @\(j)channel @\(j)Here", "@\(j)everyone @\(j)channel @\(j)Here"),
        ("_it_ ~gone~ `code`", "\(j)_\(j)it\(j)_\(j) \(j)~\(j)gone\(j)~\(j) \(j)`\(j)code\(j)`\(j)", "\\_it\\_ \\~gone\\~ \\`code\\`"),
        (
            "[click](http://evil.example) **x**", "[click](http://evil.example) \(j)*\(j)\(j)*\(j)x\(j)*\(j)\(j)*\(j)",
            "\\[click\\]\\(http://evil.example\\) \\*\\*x\\*\\*"
        ),
        ("<at>Alice</at> a\\b", "&lt;at&gt;Alice&lt;/at&gt; a\\b", "<\(j)at>Alice<\(j)/at> a\\\\b"),
        ("- item\n1. step\n# head", "- item\n1. step\n# head", "\\- item\n1\\. step\n\\# head"),
        ("a-b 2.5 x#y", "a-b 2.5 x#y", "a-b 2.5 x#y"),
    ]

    @Test func eachHostileTextIsEscapedExactly() {
        for (input, slack, teams) in Self.hostile {
            #expect(MessageEscaping.slack(input) == slack, "\(input)")
            #expect(MessageEscaping.teams(input) == teams, "\(input)")
        }
    }

    /// Every string in a decoded JSON body.
    static func strings(_ value: Any) -> [String] {
        switch value {
        case let text as String: return [text]
        case let array as [Any]: return array.flatMap(strings)
        case let object as [String: Any]: return object.values.flatMap(strings)
        default: return []
        }
    }

    @Test func noRenderedChatMessageCarriesAMentionALinkOrABroadcast() throws {
        for (input, _, _) in Self.hostile {
            var incident = Samples.incident
            (incident.title, incident.service, incident.onCall, incident.runbook) = (input, input, input, input)
            for event in Samples.events(incident) + [.stakeholderUpdate(incident, text: input, by: input)] {
                let notification = OpsNotification(event: event, at: Samples.at)
                for body in [SlackMessage.body(for: notification), TeamsMessage.body(for: notification)] {
                    let raw = String(decoding: body, as: UTF8.self)
                    let texts = [raw] + Self.strings(try JSONSerialization.jsonObject(with: body))
                    for text in texts {
                        for forbidden in ["<!", "<@", "<http", "<at>", "@here", "@channel", "@everyone", "@Here"] {
                            #expect(!text.contains(forbidden), "\(forbidden) in \(text)")
                        }
                    }
                }
            }
        }
    }

    @Test func theWebhookKeepsTheTextAsWritten() throws {
        var incident = Samples.incident
        incident.title = Self.hostile[0].0
        let body = try Samples.json(WebhookMessage.body(for: OpsNotification(event: .incidentOpened(incident), at: Samples.at)))
        #expect((body["incident"] as? [String: Any])?["title"] as? String == "<!channel> @here *bold* <http://x|click>")
    }

    @Test func longTextIsCutWithinSlacksLimitsAndNeverInsideAnEntity() throws {
        let long = String(repeating: "&", count: 5000)
        let cut = MessageEscaping.slack(long, limit: 3000)
        #expect(cut.count <= 3000 && cut.hasSuffix("&amp;…"))
        #expect(MessageEscaping.slack("a&b", limit: 5) == "a…")
        #expect(MessageEscaping.slack("a&b", limit: 7) == "a&amp;b")

        let update = OpsNotification(event: .stakeholderUpdate(Samples.incident, text: long, by: "carol"), at: Samples.at)
        let blocks = try #require(try Samples.json(SlackMessage.body(for: update))["blocks"] as? [[String: Any]])
        for block in blocks {
            let text = (block["text"] as? [String: Any])?["text"] as? String ?? ""
            #expect(text.count <= SlackMessage.sectionLimit)
        }
    }
}
