import Foundation

/// A Teams Workflows webhook body: a `message` whose one attachment is an Adaptive Card 1.4
/// (the Workflows app takes Adaptive Cards only): the headline as a bold TextBlock, the facts
/// as a FactSet, free text as a TextBlock, and each `ops` command as a monospace TextBlock.
/// Every piece of user text goes through `MessageEscaping.teams`.
struct TeamsMessage: Encodable, Equatable {
    var type = "message"
    var attachments: [Attachment]

    struct Attachment: Encodable, Equatable {
        var contentType = "application/vnd.microsoft.card.adaptive"
        var content: Card
    }

    struct Card: Encodable, Equatable {
        var schema = "http://adaptivecards.io/schemas/adaptive-card.json"
        var type = "AdaptiveCard"
        var version = "1.4"
        var body: [Element]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case type, version, body
        }
    }

    struct Element: Encodable, Equatable {
        var type: String
        var text: String?
        var weight: String?
        var size: String?
        var fontType: String?
        var wrap: Bool?
        var facts: [Fact]?
    }

    struct Fact: Encodable, Equatable {
        var title: String
        var value: String
    }

    init(_ notification: OpsNotification) {
        let content = notification.content
        var body = [Element(type: "TextBlock", text: MessageEscaping.teams(content.headline), weight: "Bolder", size: "Medium", wrap: true)]
        if !content.facts.isEmpty {
            let facts = content.facts.map { Fact(title: $0.label, value: MessageEscaping.teams($0.value, limit: 2000)) }
            body.append(Element(type: "FactSet", facts: facts))
        }
        if !content.detail.isEmpty {
            body.append(Element(type: "TextBlock", text: MessageEscaping.teams(content.detail.joined(separator: "\n\n")), wrap: true))
        }
        for command in content.commands {
            body.append(Element(type: "TextBlock", text: MessageEscaping.teams(command), fontType: "Monospace", wrap: true))
        }
        attachments = [Attachment(content: Card(body: body))]
    }

    static func body(for notification: OpsNotification) -> Data { DeliveryJSON.encode(TeamsMessage(notification)) }
}
