import Foundation
import Testing

@testable import OpsKit

/// Issue 18, "What is sent": each event as a Slack, Teams and webhook body, decoded and
/// checked field by field; the webhook signature; the idempotency key.
@Suite struct DeliveryMessageTests {
    typealias Samples = DeliverySamples

    static func object(_ value: Any?) throws -> [String: Any] { try #require(value as? [String: Any]) }
    static func array(_ value: Any?) throws -> [Any] { try #require(value as? [Any]) }
    static func text(_ value: Any?) throws -> String { try #require(value as? String) }

    @Test(arguments: Samples.all) func slackHasTheFallbackTheFactsAndTheCommands(_ notification: OpsNotification) throws {
        let body = try Samples.json(SlackMessage.body(for: notification))
        #expect(Set(body.keys) == ["text", "blocks"])
        let content = notification.content
        #expect(try Self.text(body["text"]) == MessageEscaping.slack(content.headline))
        let blocks = try Self.array(body["blocks"]).map(Self.object)
        let section = try #require(blocks.first)
        #expect(section["type"] as? String == "section")
        #expect(try Self.object(section["text"])["type"] as? String == "mrkdwn")
        #expect(try Self.object(section["text"])["text"] as? String == "*\(MessageEscaping.slack(content.headline))*")
        let fields = try Self.array(section["fields"]).map(Self.object)
        #expect(fields.count == content.facts.count && fields.count <= 10)
        #expect(fields.allSatisfy { $0["type"] as? String == "mrkdwn" })
        #expect(try fields.map { try Self.text($0["text"]) } == content.facts.map { "*\($0.label)*\n" + MessageEscaping.slack($0.value) })
        let details = blocks.dropFirst().filter { $0["type"] as? String == "section" }
        #expect(details.count == (content.detail.isEmpty ? 0 : 1))
        let contexts = blocks.filter { $0["type"] as? String == "context" }
        if content.commands.isEmpty {
            #expect(contexts.isEmpty)
        } else {
            let line = try Self.text(try Self.object(try Self.array(contexts.first?["elements"]).first)["text"])
            #expect(line == content.commands.map { "`\($0)`" }.joined(separator: "  ·  "))
        }
    }

    @Test(arguments: Samples.all) func teamsIsAnAdaptiveCardWithTheFactsAndTheCommands(_ notification: OpsNotification) throws {
        let body = try Samples.json(TeamsMessage.body(for: notification))
        #expect(body["type"] as? String == "message")
        let attachments = try Self.array(body["attachments"]).map(Self.object)
        #expect(attachments.count == 1)
        #expect(attachments[0]["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try Self.object(attachments[0]["content"])
        #expect(card["type"] as? String == "AdaptiveCard" && card["version"] as? String == "1.4")
        #expect(card["$schema"] as? String == "http://adaptivecards.io/schemas/adaptive-card.json")
        let elements = try Self.array(card["body"]).map(Self.object)
        let content = notification.content
        #expect(elements[0]["type"] as? String == "TextBlock" && elements[0]["weight"] as? String == "Bolder")
        #expect(elements[0]["text"] as? String == MessageEscaping.teams(content.headline) && elements[0]["wrap"] as? Bool == true)
        let factSet = try #require(elements.first { $0["type"] as? String == "FactSet" })
        let facts = try Self.array(factSet["facts"]).map(Self.object)
        #expect(facts.compactMap { $0["title"] as? String } == content.facts.map(\.label))
        #expect(facts.compactMap { $0["value"] as? String } == content.facts.map { MessageEscaping.teams($0.value) })
        let commands = elements.filter { $0["fontType"] as? String == "Monospace" }.compactMap { $0["text"] as? String }
        #expect(commands == content.commands.map { MessageEscaping.teams($0) })
    }

    @Test(arguments: Samples.all) func theWebhookCarriesTheEventAndItsFieldsInSnakeCase(_ notification: OpsNotification) throws {
        let body = try Samples.json(WebhookMessage.body(for: notification))
        #expect(body["schema_version"] as? Int == 1)
        #expect(body["event"] as? String == notification.kind.rawValue)
        #expect(body["idempotency_key"] as? String == notification.idempotencyKey)
        #expect(body["at"] as? String == "2026-11-18T14:03:00Z")
        #expect(body["summary"] as? String == notification.content.headline)
        #expect(body["commands"] as? [String] == notification.commands)
        let common: Set<String> = ["schema_version", "event", "idempotency_key", "at", "summary", "commands"]
        let own: [OpsNotification.Kind: Set<String>] = [
            .incidentOpened: ["incident"], .severityRaised: ["incident", "previous_severity"], .acknowledged: ["incident", "by"],
            .mitigated: ["incident", "by"], .resolved: ["incident", "by"], .stakeholderUpdate: ["incident", "by", "text"],
            .escalated: ["incident", "escalated_to", "ack_within_seconds"], .budgetThresholdCrossed: ["budget"],
            .signalBreached: ["signal"], .weeklyPackCommitted: ["pack"],
        ]
        #expect(Set(body.keys) == common.union(own[notification.kind]!))
        if body["incident"] != nil {
            let incident = try Self.object(body["incident"])
            #expect(Set(incident.keys) == ["id", "short_id", "title", "severity", "service", "on_call", "runbook"])
            #expect(incident["id"] as? String == "2026-11-18-7f3a9c1e" && incident["short_id"] as? String == "7f3a")
            #expect(incident["title"] as? String == "Checkout p99 above 1.2s" && incident["severity"] as? String == "SEV2")
            #expect(incident["on_call"] as? String == "alice" && incident["runbook"] as? String == "model-serving-degradation")
        }
        switch notification.event {
        case .severityRaised: #expect(body["previous_severity"] as? String == "SEV3")
        case .acknowledged: #expect(body["by"] as? String == "alice")
        case .stakeholderUpdate: #expect(body["text"] as? String == "Rolled back model v42; errors falling")
        case .escalated: #expect(body["escalated_to"] as? String == "bob" && body["ack_within_seconds"] as? Int == 900)
        case .budgetThresholdCrossed:
            let budget = try Self.object(body["budget"])
            #expect(budget["use_case"] as? String == "ops_copilot" && budget["threshold_percent"] as? Int == 75)
            #expect(budget["consumed_percent"] as? Double == 78.44 && budget["window"] as? String == "2026-11")
            #expect(budget["actions"] as? [String] == ["notify:#sre", "freeze_releases"])
        case .signalBreached:
            let signal = try Self.object(body["signal"])
            #expect(Set(signal.keys) == ["name", "area", "use_case", "value", "page_threshold", "period", "runbook"])
            #expect(signal["name"] as? String == "embedding_drift" && signal["value"] as? Double == 0.31)
            #expect(signal["page_threshold"] as? Double == 0.25 && signal["period"] as? String == "2026-W47")
        case .weeklyPackCommitted:
            let pack = try Self.object(body["pack"])
            #expect(pack["week"] as? String == "2026-W47" && pack["path"] as? String == "reviews/2026-W47/pack.html")
            #expect(pack["summary"] as? [String] == ["3 incidents, MTTA 4m", "2 SLOs in breach"])
        default: break
        }
    }

    @Test func anOpenedIncidentIsWrittenByteForByteTheSameEveryTime() throws {
        let opened = Samples.all[0]
        let key = opened.idempotencyKey
        let slack = String(decoding: SlackMessage.body(for: opened), as: UTF8.self)
        #expect(
            slack
                == #"{"blocks":[{"fields":[{"text":"*Severity*\nSEV2","type":"mrkdwn"},{"text":"*Service*\nops\#u{2060}_\#u{2060}copilot","type":"mrkdwn"},{"text":"*On call*\nalice","type":"mrkdwn"},{"text":"*Runbook*\nmodel-serving-degradation","type":"mrkdwn"},{"text":"*Incident*\n2026-11-18-7f3a9c1e","type":"mrkdwn"}],"text":{"text":"*SEV2 incident opened: Checkout p99 above 1.2s*","type":"mrkdwn"},"type":"section"},{"elements":[{"text":"`ops incident ack 7f3a`  ·  `ops incident show 7f3a`","type":"mrkdwn"}],"type":"context"}],"text":"SEV2 incident opened: Checkout p99 above 1.2s"}"#
        )
        let teams = String(decoding: TeamsMessage.body(for: opened), as: UTF8.self)
        #expect(
            teams
                == #"{"attachments":[{"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","body":[{"size":"Medium","text":"SEV2 incident opened: Checkout p99 above 1.2s","type":"TextBlock","weight":"Bolder","wrap":true},{"facts":[{"title":"Severity","value":"SEV2"},{"title":"Service","value":"ops\\_copilot"},{"title":"On call","value":"alice"},{"title":"Runbook","value":"model-serving-degradation"},{"title":"Incident","value":"2026-11-18-7f3a9c1e"}],"type":"FactSet"},{"fontType":"Monospace","text":"ops incident ack 7f3a","type":"TextBlock","wrap":true},{"fontType":"Monospace","text":"ops incident show 7f3a","type":"TextBlock","wrap":true}],"type":"AdaptiveCard","version":"1.4"},"contentType":"application/vnd.microsoft.card.adaptive"}],"type":"message"}"#
        )
        let webhook = String(decoding: WebhookMessage.body(for: opened), as: UTF8.self)
        #expect(
            webhook
                == #"{"at":"2026-11-18T14:03:00Z","commands":["ops incident ack 7f3a","ops incident show 7f3a"],"event":"incident_opened","idempotency_key":"\#(key)","incident":{"id":"2026-11-18-7f3a9c1e","on_call":"alice","runbook":"model-serving-degradation","service":"ops_copilot","severity":"SEV2","short_id":"7f3a","title":"Checkout p99 above 1.2s"},"schema_version":1,"summary":"SEV2 incident opened: Checkout p99 above 1.2s"}"#
        )
    }

    @Test func anIncidentWithoutServiceOrRunbookSaysNullInTheWebhookAndLeavesTheFactsOut() throws {
        var incident = Samples.incident
        (incident.service, incident.onCall, incident.runbook) = (nil, nil, nil)
        let opened = OpsNotification(event: .incidentOpened(incident), at: Samples.at)
        let body = try Samples.json(WebhookMessage.body(for: opened))
        let fields = try Self.object(body["incident"])
        #expect(fields["service"] is NSNull && fields["on_call"] is NSNull && fields["runbook"] is NSNull)
        #expect(opened.content.facts.map(\.label) == ["Severity", "Incident"])
    }

    @Test func theSignatureIsTheHMACOfTheBodyAsPythonComputesIt() throws {
        let secret = "s3cr3t-ünïcode"
        let request = DeliveryRequest(Samples.all[0], to: .webhook(secret: secret))
        #expect(request.headers["Content-Type"] == "application/json; charset=utf-8")
        let script = """
            import base64,hashlib,hmac,sys
            body = base64.b64decode(sys.argv[1]); secret = base64.b64decode(sys.argv[2])
            print("sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest())
            """
        let oracle = try run(["python3", "-c", script, request.body.base64EncodedString(), Data(secret.utf8).base64EncodedString()])
        #expect(request.headers["X-Ops-Signature-256"] == oracle.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(request.body == WebhookMessage.body(for: Samples.all[0]))

        // Another secret, or no secret, is another header.
        #expect(DeliveryRequest(Samples.all[0], to: .webhook(secret: "other")).headers["X-Ops-Signature-256"] != request.headers["X-Ops-Signature-256"])
        #expect(DeliveryRequest(Samples.all[0], to: .webhook(secret: nil)).headers["X-Ops-Signature-256"] == nil)
    }

    @Test func everyKindOfRequestCarriesTheIdempotencyKeyAndOnlyTheWebhookIsSigned() {
        for notification in Samples.all {
            for target in [DeliveryTarget.slack, .teams, .webhook(secret: "k")] {
                let request = DeliveryRequest(notification, to: target)
                #expect(request.headers["X-Ops-Idempotency-Key"] == notification.idempotencyKey)
                #expect((request.headers["X-Ops-Signature-256"] != nil) == (target == .webhook(secret: "k")))
            }
        }
        #expect(DeliveryRequest(Samples.all[0], to: .slack).body == SlackMessage.body(for: Samples.all[0]))
        #expect(DeliveryRequest(Samples.all[0], to: .teams).body == TeamsMessage.body(for: Samples.all[0]))
    }
}
