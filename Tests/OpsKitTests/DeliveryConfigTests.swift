import Foundation
import Testing

@testable import OpsKit

/// Issue 18: `delivery:` in ops.yaml, and resolving a channel to the URL and secret it is sent with.
@Suite struct DeliveryConfigTests {
    static let head = "team: T\ntimezone: UTC\nseverities: [SEV1]\ndelivery:\n"
    static let slackURL = "https://hooks.slack.com/services/T0FAKE000/B0FAKE000/abcdefghijklmnopqrstuvwx"

    @Test func theExampleSaysHowEveryChannelIsReached() throws {
        let config = try OpsConfig.load(ConfigTests.example)
        #expect(
            config.delivery["#sre-oncall"]
                == ChannelDelivery(kind: .slack, url: .environment("OPS_SLACK_SRE_ONCALL"), line: config.delivery["#sre-oncall"]?.line))
        #expect(config.delivery["#ops-weekly"]?.kind == .teams)
        #expect(config.delivery["#security"]?.secret == .environment("OPS_HOOK_SECURITY_SECRET"))
        #expect(Set(config.channels.values).isSubset(of: Set(config.delivery.keys)))
        #expect(try OpsConfig.load(ConfigTests.plain).delivery.isEmpty)
    }

    @Test func everyKindAndSourceReads() throws {
        let text =
            Self.head + """
                  "#a": {type: slack, url_env: OPS_SLACK_A}
                  "#b": {type: teams, url_file: ~/.config/ops/b.url}
                  "#c":
                    type: webhook
                    url_file: /etc/ops/c.url
                    secret_env: OPS_HOOK_C_SECRET

                """
        let delivery = try OpsConfig.load(text).delivery
        #expect(delivery["#a"] == ChannelDelivery(kind: .slack, url: .environment("OPS_SLACK_A"), line: 5))
        #expect(delivery["#b"] == ChannelDelivery(kind: .teams, url: .file("~/.config/ops/b.url"), line: 6))
        #expect(delivery["#c"] == ChannelDelivery(kind: .webhook, url: .file("/etc/ops/c.url"), secret: .environment("OPS_HOOK_C_SECRET"), line: 7))
    }

    @Test(arguments: [
        (
            "  \"#sre\": {type: slack, url: https://hooks.slack.com/services/T0FAKE000/B0FAKE000/abcdefghijklmnopqrstuvwx}",
            "ops.yaml:5: delivery #sre writes its URL in ops.yaml (`url:`), where everyone with the repository can read it. Put it in an environment variable (url_env: OPS_SLACK_SRE) or a file outside the repository (url_file: ~/.config/ops/…), and rotate it if it was committed"
        ),
        (
            "  \"#hook\": {type: webhook, url_env: OPS_HOOK, secret: s3cr3t-value}",
            "ops.yaml:5: delivery #hook writes its signing secret in ops.yaml (`secret:`)"
        ),
        ("  \"#sre\": {type: slack}", "ops.yaml:5: delivery #sre does not say where to read its URL. Add url_env: OPS_SLACK_SRE (an environment variable)"),
        ("  \"#sre\": {type: slack, url_env: A, url_file: /etc/x}", "ops.yaml:5: delivery #sre has both url_env and url_file. Keep one"),
        (
            "  \"#sre\": {type: teams, url_env: A, secret_env: B}",
            "ops.yaml:5: delivery #sre: `secret_env` is for type webhook (it signs the body); a teams URL is its own secret"
        ),
        ("  \"#sre\": {type: email, url_env: A}", "ops.yaml:5: delivery #sre: type `email` is not one of: slack, teams, webhook"),
        ("  \"#sre\": {url_env: A}", "ops.yaml:5: delivery #sre has no `type`. Add type: one of slack, teams, webhook"),
        (
            "  \"#sre\": {type: slack, url_env: A, colour: red}",
            "ops.yaml:5: unknown key `colour` in delivery #sre. Known keys: type, url_env, url_file, secret_env, secret_file"
        ),
        ("  sre: {type: slack, url_env: A}", "ops.yaml:5: delivery channel `sre` must start with # (quote it in YAML: \"#sre\")"),
        (
            "  \"#sre\": {type: slack, url_env: \"https://hooks.slack.com/services/T0FAKE000/B0FAKE000/abcdefghijklmnopqrstuvwx\"}",
            "ops.yaml:5: delivery #sre: `url_env` must be the name of an environment variable that holds the URL, like url_env: OPS_SLACK_SRE"
        ),
        (
            "  \"#sre\": {type: slack, url_file: secrets/sre.url}",
            "ops.yaml:5: delivery #sre: url_file `secrets/sre.url` is a relative path. Write an absolute path or ~/…"
        ),
        ("  \"#sre\": slack", "ops.yaml:5: delivery #sre is {type: slack, url_env: OPS_SLACK_SRE}"),
        ("  - \"#sre\"", "ops.yaml:5: `delivery` maps a channel to how it is reached"),
    ])
    func eachRefusedShapeNamesItsLine(entry: String, expected: String) {
        let problems = OpsConfig.problems(in: Self.head + entry + "\n").map(\.description)
        #expect(problems.count == 1 && problems[0].hasPrefix(expected), "\(problems)")
        // The value of a URL or secret is never repeated where a terminal or CI log shows it.
        #expect(!problems.contains { $0.contains("abcdefghijklmnopqrstuvwx") || $0.contains("s3cr3t-value") })
        #expect {
            try OpsConfig.load(Self.head + entry + "\n")
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix(expected) == true && (error as? OpsError)?.exitCode == 2
        }
    }

    @Test func aLiteralURLWrittenOverSeveralLinesIsRefusedAtItsOwnLine() {
        let text = Self.head + "  \"#sre\":\n    type: slack\n    url: \(Self.slackURL)\n"
        #expect(OpsConfig.problems(in: text).map(\.location.line) == [7])
    }

    // MARK: Resolving

    /// The repository the endpoint is resolved for, and a folder outside it standing in for $HOME.
    struct Folders {
        let repository: TempFolder
        let home: TempFolder

        init() throws {
            repository = try TempFolder()
            home = try TempFolder()
        }

        func resolve(_ entry: String, channel: String = "#sre", environment: [String: String] = [:]) throws -> DeliveryEndpoint {
            let config = try OpsConfig.load(DeliveryConfigTests.head + entry + "\n")
            var environment = environment
            environment["HOME"] = home.path
            return try DeliveryEndpoint.resolve(channel: channel, config: config, environment: environment, repositoryRoot: repository.path)
        }

        func remove() {
            repository.remove()
            home.remove()
        }
    }

    @Test func theURLComesFromTheEnvironmentTrimmed() throws {
        let folders = try Folders()
        defer { folders.remove() }
        let endpoint = try folders.resolve("  \"#sre\": {type: slack, url_env: OPS_SLACK_SRE}", environment: ["OPS_SLACK_SRE": "  \(Self.slackURL)\n"])
        #expect(endpoint == DeliveryEndpoint(channel: "#sre", url: URL(string: Self.slackURL)!, target: .slack))
        let teams = try folders.resolve("  \"#sre\": {type: teams, url_env: T}", environment: ["T": "https://x.example.com/workflows/1"])
        #expect(teams.target == .teams)
        let unsigned = try folders.resolve("  \"#sre\": {type: webhook, url_env: H}", environment: ["H": "http://127.0.0.1:8080/hook"])
        #expect(unsigned.target == .webhook(secret: nil))
    }

    @Test func theURLAndSecretComeFromFilesOutsideTheRepository() throws {
        let folders = try Folders()
        defer { folders.remove() }
        try folders.home.write(".config/ops/hook.url", "https://hooks.example.com/ops\n")
        try folders.home.write("hook.secret", "  s3cr3t-value\n\n")
        let entry = "  \"#sre\": {type: webhook, url_file: ~/.config/ops/hook.url, secret_file: " + folders.home.path + "/hook.secret}"
        let endpoint = try folders.resolve(entry)
        #expect(endpoint == DeliveryEndpoint(channel: "#sre", url: URL(string: "https://hooks.example.com/ops")!, target: .webhook(secret: "s3cr3t-value")))
        let fromEnvironment = try folders.resolve(
            "  \"#sre\": {type: webhook, url_env: H, secret_env: S}", environment: ["H": "https://hooks.example.com/ops", "S": "s3cr3t-value"])
        #expect(fromEnvironment.target == .webhook(secret: "s3cr3t-value"))
    }

    @Test func aFileInsideTheRepositoryIsRefusedEvenThroughALink() throws {
        let folders = try Folders()
        defer { folders.remove() }
        try folders.repository.write("secrets/sre.url", Self.slackURL + "\n")
        let inside = folders.repository.path + "/secrets/sre.url"
        try FileManager.default.createSymbolicLink(atPath: folders.home.path + "/sre.url", withDestinationPath: inside)
        for path in [inside, folders.repository.path + "/./secrets/../secrets/sre.url", "~/sre.url"] {
            #expect {
                try folders.resolve("  \"#sre\": {type: slack, url_file: " + path + "}")
            } throws: { error in
                let message = (error as? OpsError)?.message ?? ""
                return message.hasPrefix("the URL of #sre comes from \(path), which is inside the ops repository, where a file can be committed")
                    && !message.contains("abcdefghijklmnopqrstuvwx") && (error as? OpsError)?.exitCode == 2
            }
        }
    }

    @Test(arguments: [
        (
            "  \"#sre\": {type: slack, url_env: OPS_SLACK_SRE}", [:],
            "the URL of #sre comes from the environment variable OPS_SLACK_SRE, which is not set. Export it where ops runs (export OPS_SLACK_SRE=…)"
        ),
        (
            "  \"#sre\": {type: slack, url_env: OPS_SLACK_SRE}", ["OPS_SLACK_SRE": " \n"],
            "the URL of #sre comes from the environment variable OPS_SLACK_SRE, which is empty. Export it where ops runs (export OPS_SLACK_SRE=…)"
        ),
        (
            "  \"#sre\": {type: webhook, url_env: H, secret_env: OPS_HOOK_SRE_SECRET}", ["H": "https://hooks.example.com/x"],
            "the signing secret of #sre comes from the environment variable OPS_HOOK_SRE_SECRET, which is not set"
        ),
        (
            "  \"#other\": {type: slack, url_env: OPS_SLACK_OTHER}", [:],
            "channel #sre has no delivery entry in ops.yaml, so its messages wait in the outbox. Add one under delivery:, e.g. \"#sre\": {type: slack, url_env: OPS_SLACK_SRE}"
        ),
        ("  \"#sre\": {type: slack, url_file: ~/missing.url}", [:], "the URL of #sre comes from ~/missing.url, which does not exist"),
        (
            "  \"#sre\": {type: slack, url_env: OPS_SLACK_SRE}", ["OPS_SLACK_SRE": "hooks.slack.com/services/T0FAKE000/B0FAKE000/abcdefghijklmnopqrstuvwx"],
            "the URL of #sre (from the environment variable OPS_SLACK_SRE) is not an http or https URL with a host. Check the value there"
        ),
        (
            "  \"#sre\": {type: slack, url_env: OPS_SLACK_SRE}", ["OPS_SLACK_SRE": "ftp://files.example.com/abcdefghijklmnopqrstuvwx"],
            "the URL of #sre (from the environment variable OPS_SLACK_SRE) is not an http or https URL with a host"
        ),
    ])
    func aMissingOrWrongValueSaysWhereItIsReadAndNeverShowsIt(entry: String, environment: [String: String], expected: String) throws {
        let folders = try Folders()
        defer { folders.remove() }
        #expect {
            try folders.resolve(entry, environment: environment)
        } throws: { error in
            let message = (error as? OpsError)?.message ?? ""
            return message.hasPrefix(expected) && !message.contains("abcdefghijklmnopqrstuvwx") && (error as? OpsError)?.exitCode == 2
        }
    }

    @Test func withoutHOMEATildePathIsRefusedWithWhatToDo() throws {
        let config = try OpsConfig.load(Self.head + "  \"#sre\": {type: slack, url_file: ~/sre.url}" + "\n")
        #expect(throws: OpsError.input("the URL of #sre comes from ~/sre.url, but HOME is not set. Set HOME or write the absolute path in ops.yaml")) {
            try DeliveryEndpoint.resolve(channel: "#sre", config: config, environment: [:], repositoryRoot: "/nonexistent/repo")
        }
    }
}
