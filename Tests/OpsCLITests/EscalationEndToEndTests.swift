import Foundation
import LoopbackHTTP
import Testing

/// Issue 18's acceptance, end to end with the real Alertmanager: an alert posted with amtool
/// reaches `ops serve`, becomes an incident routed to the SRE rotation's person of that moment
/// and announced in #sre-oncall; not acknowledged within a short `ack_within`, it escalates to
/// the secondary's person, and the acknowledgement that follows stops the next step. The
/// schedule is written around the real current time; #sre-oncall is a loopback webhook.
@Suite(.tags(.integration)) struct EscalationEndToEndTests {
    static let ackWithin = 8

    /// oncall.yaml for `now`: weekly rotations that started a week ago, with overrides putting
    /// bob on sre and carol on sre-secondary for the hour around `now`.
    static func schedule(around now: Date) -> String {
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        day.locale = Locale(identifier: "en_US_POSIX")
        let time = ISO8601DateFormatter()
        let start = day.string(from: now.addingTimeInterval(-8 * 86_400))
        let (from, until) = (time.string(from: now.addingTimeInterval(-3_600)), time.string(from: now.addingTimeInterval(3_600)))
        return """
            rotations:
              sre:
                zone: UTC
                start: \(start)
                handoff: Monday 09:00
                length: 1w
                people: [farid, alice, kwame]
                secondary: sre-secondary
                ack_within: \(ackWithin)s
                last_resort: dave
              sre-secondary: {zone: UTC, start: \(start), handoff: Monday 09:00, length: 1w, people: [alice, kwame, farid]}
            overrides:
              - {rotation: sre, person: bob, from: \(from), until: \(until)}
              - {rotation: sre-secondary, person: carol, from: \(from), until: \(until)}
            routes:
              - {match: {}, rotation: sre, channel: "#sre-oncall"}

            """
    }

    /// The webhook bodies the receiver got, decoded, with when each arrived.
    static func messages(_ receiver: LoopbackReceiver) -> [(body: [String: Any], at: Date)] {
        receiver.requests.compactMap { request in
            (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]).map { ($0, request.at) }
        }
    }

    static func of(_ event: String, _ receiver: LoopbackReceiver) -> [(body: [String: Any], at: Date)] {
        messages(receiver).filter { $0.body["event"] as? String == event }
    }

    @Test func anUnacknowledgedAlertEscalatesToTheSecondaryAndAnAcknowledgementStopsIt() throws {
        guard Alertmanager.isInstalled else { return }
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        try NotifyCLITests.deliver(repo)
        try Self.schedule(around: Date()).write(toFile: repo + "/oncall.yaml", atomically: true, encoding: .utf8)
        _ = try cli.git("commit", "-qam", "oncall.yaml for the test", in: repo)
        let receiver = try LoopbackReceiver { _, _ in .init(200) }
        defer { receiver.stop() }
        let hook = ["OPS_TEST_HOOK": receiver.url("/hook").absoluteString, "OPS_TEST_HOOK_SECRET": "s3cret"]
        let tokenFile = cli.path("token")
        try "am-escalation-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try ServeProcess(cli, in: repo, arguments: ["--token-file", tokenFile, "--timer-interval", "1"], environment: hook)
        defer { server.kill() }
        let manager = try Alertmanager(cli, webhook: "http://127.0.0.1:\(server.port)/alertmanager", tokenFile: tokenFile)
        defer { manager.stop() }

        let add = try manager.add(
            cli, labels: ["alertname=CheckoutLatency", "severity=page", "use_case=ops_copilot"],
            annotations: ["summary=Checkout p99 above 1.2s"])
        #expect(add.status == 0, "amtool: \(add.stderr)")

        // Opened: routed to bob, sre's person now, and announced in #sre-oncall.
        let told = try ServeCLITests.waitUntil(seconds: 15) { !Self.of("incident_opened", receiver).isEmpty }
        try #require(told, "no incident_opened message within 15 s; ops serve: \(server.log); alertmanager: \(manager.log)")
        let opened = try #require(Self.of("incident_opened", receiver).first)
        let incident = try #require(opened.body["incident"] as? [String: Any])
        let id = try #require(incident["id"] as? String)
        #expect(incident["on_call"] as? String == "bob")
        let show = try cli.ops(["incident", "show", id, "--json"], in: repo)
        let timeline = (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])?["timeline"] as? [[String: Any]] ?? []
        #expect(timeline.contains { $0["kind"] as? String == "paged" && $0["text"] as? String == "bob (sre), announced in #sre-oncall" })

        // Not acknowledged within ack_within: carol, sre-secondary's person now, is paged; not before.
        let escalated = try ServeCLITests.waitUntil(seconds: Double(Self.ackWithin) + 10) { !Self.of("incident_escalated", receiver).isEmpty }
        try #require(escalated, "no incident_escalated message; ops serve: \(server.log)")
        let step = try #require(Self.of("incident_escalated", receiver).first)
        #expect(step.body["escalated_to"] as? String == "carol" && step.body["ack_within_seconds"] as? Int == Self.ackWithin)
        #expect((step.body["incident"] as? [String: Any])?["id"] as? String == id)
        let due = try #require((step.body["at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(step.at >= due, "escalated at \(step.at), before it was due at \(due)")
        #expect(server.lines("escalated").count == 1 && server.lines("escalated").first?.contains("person=carol layer=sre-secondary") == true)

        // Acknowledged now: the last resort is never paged, though its time comes and goes.
        let ack = try cli.ops(["incident", "ack", id], in: repo, environment: hook.merging(["OPS_USER": "carol"]) { $1 })
        #expect(ack.status == 0, "\(ack.stderr)")
        Thread.sleep(until: due.addingTimeInterval(Double(Self.ackWithin) + 3))
        #expect(Self.of("incident_escalated", receiver).count == 1)
        #expect(Self.of("incident_opened", receiver).count == 1)
        #expect(!server.log.contains("level=error"), "\(server.log)")
        #expect(server.stop() == 0)
        #expect(try cli.git("fsck", "--strict", in: repo) == "")
    }
}
