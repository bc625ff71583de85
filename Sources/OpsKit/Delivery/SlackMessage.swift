import Foundation

/// A Slack incoming-webhook body: `text` (the notification and the fallback where blocks do
/// not show) and Block Kit `blocks`: a section with the headline and the facts as mrkdwn
/// fields, a section for free text when there is some, and a context line with the `ops`
/// commands in code. Every piece of user text goes through `MessageEscaping.slack`.
struct SlackMessage: Encodable, Equatable {
    var text: String
    var blocks: [Block]

    struct Block: Encodable, Equatable {
        var type: String
        var text: Text?
        var fields: [Text]?
        var elements: [Text]?
    }

    struct Text: Encodable, Equatable {
        var type = "mrkdwn"
        var text: String
    }

    /// Slack's limits: a section's text 3,000 characters, a field's 2,000, ten fields.
    static let sectionLimit = 3000
    static let fieldLimit = 2000

    init(_ notification: OpsNotification) {
        let content = notification.content
        let headline = MessageEscaping.slack(content.headline, limit: Self.sectionLimit - 2)
        text = headline
        var blocks = [
            Block(
                type: "section", text: Text(text: "*\(headline)*"),
                fields: content.facts.prefix(10).map { fact in
                    Text(text: "*\(fact.label)*\n" + MessageEscaping.slack(fact.value, limit: Self.fieldLimit - fact.label.count - 3))
                })
        ]
        if !content.detail.isEmpty {
            let detail = MessageEscaping.slack(content.detail.joined(separator: "\n"), limit: Self.sectionLimit)
            blocks.append(Block(type: "section", text: Text(text: detail)))
        }
        if !content.commands.isEmpty {
            let commands = content.commands.map(Self.code).joined(separator: "  ·  ")
            blocks.append(Block(type: "context", elements: [Text(text: commands)]))
        }
        self.blocks = blocks
    }

    /// A command in a code span, so it reads and copies as typed: inside code mrkdwn applies
    /// no formatting, so only `&`, `<`, `>` are escaped (Slack still reads those there) and `@`
    /// gets its joiner. A command holding a backtick, which would end the span, is escaped as text.
    static func code(_ command: String) -> String {
        guard !command.contains("`") else { return MessageEscaping.slack(command) }
        var text = ""
        for character in command {
            switch character {
            case "&": text += "&amp;"
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            case "@": text += "@\(MessageEscaping.joiner)"
            default: text.append(character)
            }
        }
        return "`\(text)`"
    }

    static func body(for notification: OpsNotification) -> Data { DeliveryJSON.encode(SlackMessage(notification)) }
}
