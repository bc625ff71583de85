import Foundation
import Testing

@testable import OpsKit

/// Issue 18: `ops lint` fails on a chat credential written in the repository, and warns about
/// a channel that messages go to but `delivery:` does not reach.
@Suite struct DeliveryLintTests {
    /// Values shaped like real credentials; none of them works anywhere.
    static let secrets: [(text: String, kind: String, shown: String, hidden: String)] = [
        (
            "https://hooks.slack.com/services/T0FAKE000/B0FAKE000/abcdefghijklmnopqrstuvwx", "a Slack incoming-webhook URL", "https://hooks.slack.com/…",
            "abcdefghijklmnopqrstuvwx"
        ),
        (
            "hooks.slack.com/workflows/T0FAKE000/A0FAKE000/123456789/zyxwvutsrqponm", "a Slack incoming-webhook URL", "https://hooks.slack.com/…",
            "zyxwvutsrqponm"
        ),
        ("SLACK_TOKEN=xoxb-1111111111-2222222222-fakefakefakefake", "a Slack token", "xoxb-…", "fakefakefakefake"),
        ("xoxp-1111111111-2222222222-3333333333-fakefakefake", "a Slack token", "xoxp-…", "fakefakefake"),
        (
            "https://contoso.webhook.office.com/webhookb2/1c2d-fake@9f8e-fake/IncomingWebhook/0123456789abcdef/4d5e-fake",
            "a Teams (Office 365 connector) webhook URL",
            "https://….webhook.office.com/…", "0123456789abcdef"
        ),
        (
            "https://prod-12.westeurope.logic.azure.com:443/workflows/0123fake/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sv=1.0&sig=FAKEsignature0123456789",
            "a Teams Workflows webhook URL", "https://….logic.azure.com/…sig=…", "FAKEsignature0123456789"
        ),
    ]

    @Test(arguments: secrets.indices)
    func eachKindOfSecretIsAnErrorAtItsLineWithTheValueMasked(index: Int) {
        let secret = Self.secrets[index]
        let text = "# Hand-over notes\n\nPost to the channel:\n  \"\(secret.text)\"\n"
        let problems = TrackedSecrets.lint("notes/handover.md", text, nil)
        #expect(
            problems.map(\.description) == [
                "notes/handover.md:4: \(secret.kind) (\(secret.shown)) is written in the repository, where everyone with a clone can read it and Git history keeps it. Move it to an environment variable or a file outside the repository (delivery: in ops.yaml, url_env or url_file), delete it here, and rotate it"
            ])
        #expect(!problems.contains { $0.isWarning || $0.description.contains(secret.hidden) })
    }

    @Test func placeholdersAndOrdinaryURLsAreNotSecrets() {
        let text = """
            Ask Slack for an incoming webhook (https://hooks.slack.com/services/...) and export it:
            export OPS_SLACK_SRE_ONCALL=<your webhook URL>; a bot token starts with xoxb-.
            See https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors and https://example.com/?sig=1
            """
        #expect(TrackedSecrets.lint("README.md", text, nil).isEmpty)
    }

    @Test func lintFailsOnASecretInAnyTextFileAndTheCleanExampleHasNone() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        #expect(try Linter.run(ops.workspace).problems.map(\.description) == [])
        let secret = Self.secrets[0]
        try ops.folder.write("notes/handover.md", "Hand-over\n\nwebhook: \(secret.text)\n")
        try ops.folder.write("slo/exports/today.json", "{\n  \"token\": \"xoxb-1111111111-2222222222-fakefakefakefake\"\n}\n")
        // A runbook is read by its own rule and searched as well.
        let runbook = try ops.folder.read("runbooks/traffic-spike.md")
        try ops.folder.write("runbooks/traffic-spike.md", runbook + "\nPing \(Self.secrets[4].text) when it fires.\n")
        let report = try Linter.run(ops.workspace)
        let runbookLine = runbook.split(separator: "\n", omittingEmptySubsequences: false).count + 1
        #expect(
            report.errors.map { "\($0.location.path):\($0.location.line ?? 0)" } == [
                "notes/handover.md:3", "runbooks/traffic-spike.md:\(runbookLine)", "slo/exports/today.json:2",
            ])
        #expect(!report.problems.contains { $0.description.contains(secret.hidden) || $0.description.contains("fakefakefakefake") })
    }

    @Test func aURLWrittenUnderDeliveryIsOneErrorAtItsLine() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let config = try ops.folder.read(OpsConfig.path)
        let line = "  \"#sre-oncall\": {type: slack, url_env: OPS_SLACK_SRE_ONCALL}"
        try ops.folder.write(OpsConfig.path, config.replacingOccurrences(of: line, with: "  \"#sre-oncall\": {type: slack, url: \(Self.secrets[0].text)}"))
        let number = config.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0 == line }! + 1
        let errors = try Linter.run(ops.workspace).errors
        #expect(errors.map(\.location) == [Location(path: OpsConfig.path, line: number)])
        #expect(errors.first?.message.hasPrefix("delivery #sre-oncall writes its URL in ops.yaml (`url:`)") == true)
    }

    @Test func aChannelWithoutDeliveryIsAWarningAtItsFirstUse() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let schedule = try ops.folder.read(OnCallSchedule.path)
        try ops.folder.write(OnCallSchedule.path, schedule + "  - {match: {team: ml}, rotation: sre, channel: \"#ml-oncall\"}\n")
        let policy = try ops.folder.read("policies/ops_copilot.yaml")
        try ops.folder.write("policies/ops_copilot.yaml", policy.replacingOccurrences(of: "\"notify:#sre\"", with: "\"notify:#ml-oncall\""))
        let routeLine = schedule.split(separator: "\n", omittingEmptySubsequences: false).count
        let report = try Linter.run(ops.workspace)
        #expect(report.errors.isEmpty)
        #expect(
            report.problems.map(\.description) == [
                "oncall.yaml:\(routeLine): warning: channel #ml-oncall (named in 1 more place) has no delivery entry in ops.yaml: messages to it will wait in the outbox until one exists. Add \"#ml-oncall\": {type: slack, url_env: OPS_SLACK_ML_ONCALL} under delivery:"
            ])
    }

    @Test func everyPlaceAChannelIsNamedCounts() throws {
        let config = """
            team: T
            timezone: UTC
            severities: [SEV1]
            teams:
              - {name: SRE, channels: ["#sre-oncall", "#team"]}
            channels:
              cost: "#finops"
            delivery:
              "#sre-oncall": {type: slack, url_env: OPS_SLACK_SRE_ONCALL}

            """
        let policy = """
            use_case: x
            burn_alerts:
              - at: 50%
                actions: ["notify:#budget", "freeze"]
            reporting:
              channel: "#weekly"

            """
        let uses =
            ChannelUses.inConfig(config, path: OpsConfig.path) + ChannelUses.inPolicy(policy, path: "policies/x.yaml")
            + ChannelUses.inSchedule("routes:\n  - {match: {}, rotation: sre, channel: \"#route\"}\n", path: OnCallSchedule.path)
        #expect(
            uses.map { "\($0.location.path):\($0.location.line ?? 0) \($0.channel)" } == [
                "ops.yaml:7 #finops", "ops.yaml:5 #sre-oncall", "ops.yaml:5 #team", "policies/x.yaml:4 #budget", "policies/x.yaml:6 #weekly",
                "oncall.yaml:2 #route",
            ])
        let warnings = ChannelUses.warnings(for: uses, config: try OpsConfig.load(config))
        #expect(warnings.map(\.location.line) == [2, 5, 7, 4, 6])
        #expect(warnings.allSatisfy { $0.isWarning })
    }
}
