import Foundation
import Testing

@testable import OpsKit

@Suite struct ConfigTests {
    static var example: String { StarterKit.files(example: true, team: "x", timeZone: "UTC").first { $0.path == "ops.yaml" }!.content }
    static var plain: String { StarterKit.files(example: false, team: "payments", timeZone: "Europe/Berlin").first { $0.path == "ops.yaml" }!.content }

    @Test func theShippedConfigurationsLoad() throws {
        let example = try OpsConfig.load(Self.example)
        #expect(example.team == "ML Platform")
        #expect(example.timeZone.identifier == "Europe/Berlin")
        #expect(example.useCases == ["ops_copilot", "fraud_scoring", "search_ranking"])
        #expect(example.teams.map(\.name) == ["SRE", "Data", "Platform", "FinOps", "Product", "Security"])
        #expect(Set(example.channels.values) == ["#sre-oncall", "#data-oncall", "#finops", "#safety"])
        #expect(example.knowsParty("Head of SRE") && example.knowsParty("ELT") && example.knowsParty("carol") && !example.knowsParty("Mallory"))
        #expect(example.person("ALICE")?.email == "alice@example.com")
        #expect(example.clockStart == .detected)
        #expect(example.backlogTags == ["SLO", "Safety", "FinOps"])
        let plain = try OpsConfig.load(Self.plain)
        #expect(plain.team == "payments")
        #expect(plain.people.isEmpty)
        #expect(plain.roles == ["commander", "comms", "scribe", "ops_lead"])
    }

    @Test func namesTypedOnACommandLineResolveAsOpsYAMLSpellsThem() throws {
        let example = try OpsConfig.load(Self.example)
        #expect(try example.severityID(named: "p2") == "SEV2")
        #expect(try example.serviceName(named: " Fraud_Scoring ") == "fraud_scoring")
        #expect(try example.useCaseName(named: nil, service: "fraud_scoring") == "fraud_scoring")
        #expect(try example.personHandle(named: "ALICE") == "alice")
        #expect(try example.roleName(named: "ops lead") == "ops_lead")
        #expect(try example.backlogTag(named: "finops") == "FinOps")
        #expect(try OpsConfig.incidentTag(" latency ") == "latency")
        #expect(throws: OpsError.input("'a,b' is not a tag. A tag is one word, like latency")) { try OpsConfig.incidentTag("a,b") }
        // With nobody in ops.yaml yet, any safe handle is taken as typed; an unsafe one is not.
        let plain = try OpsConfig.load(Self.plain)
        #expect(try plain.personHandle(named: "new-hire") == "new-hire")
        #expect(throws: OpsError.input("unknown person 'a b'. Known: nobody yet (add them to ops.yaml)")) { try plain.personHandle(named: "a b") }
    }

    @Test(arguments: ["SEV1", "sev1", "sev-1", "Sev 1", "P1", "p1", "critical", "CRITICAL"])
    func severityNamesAndAliasesNameTheSameLevel(name: String) throws {
        let config = try OpsConfig.load(Self.example)
        #expect(config.severity(named: name)?.id == "SEV1")
        #expect(config.severity(named: name)?.rank == 0)
    }

    @Test func unknownSeverityIsNil() throws {
        #expect(try OpsConfig.load(Self.example).severity(named: "SEV9") == nil)
    }

    @Test(arguments: [
        ("timezone: Mars/Olympus", "ops.yaml:2: unknown time zone `Mars/Olympus`"),
        ("timezone: [UTC]", "ops.yaml:2: `timezone` must be a single value"),
        ("clock_start: whenever", "ops.yaml:12: clock_start `whenever` is not one of: started, detected, opened"),
        ("  - {handle: bob, name: Bob, email: not-an-email}", "ops.yaml:8: email `not-an-email` of bob is not an email address"),
        ("  - {id: SEV2, aliases: [P1]}", "ops.yaml:5: `p1` names both SEV1 and SEV2"),
        ("  - {handle: bob, name: Bob, email: b@x.org, team: Nobody}", "ops.yaml:8: unknown team `Nobody`. Known teams: SRE"),
        ("colour: blue", "ops.yaml:13: unknown key `colour`"),
    ])
    func brokenConfigurationNamesTheLine(change: String, expected: String) throws {
        var lines = [
            "team: Test",  // 1
            "timezone: UTC",  // 2
            "severities:",  // 3
            "  - {id: SEV1, aliases: [P1]}",  // 4
            "  - {id: SEV2, aliases: [P2]}",  // 5
            "teams: [{name: SRE, channels: [\"#sre\"]}]",  // 6
            "people:",  // 7
            "  - {handle: bob, name: Bob, email: bob@example.com}",  // 8
            "services: [checkout]",  // 9
            "roles: [commander]",  // 10
            "metrics:",  // 11
            "  clock_start: detected",  // 12
        ]
        if change.hasPrefix("timezone") {
            lines[1] = change
        } else if change.hasPrefix("clock_start") {
            lines[11] = "  " + change
        } else if change.contains("handle") {
            lines[7] = change
        } else if change.contains("SEV2") {
            lines[4] = change
        } else {
            lines.append(change)
        }
        let text = lines.joined(separator: "\n") + "\n"
        #expect {
            try OpsConfig.load(text)
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix(expected) == true && (error as? OpsError)?.exitCode == 2
        }
    }

    /// A YAML mistake is named on the line a person has to fix, not where the parser gave up:
    /// a quote left open swallows the lines after it, and a key without its colon is noticed on
    /// the next line.
    @Test(arguments: [
        (4, "timezone: \"Europe/Berlin", "ops.yaml:4: YAML does not parse: a quote opens on this line and is not closed (noticed at line 38: "),
        (4, "timezone: 'Europe/Berlin", "ops.yaml:4: YAML does not parse: a quote opens on this line and is not closed (noticed at line "),
        (2, "team: 'it''s ML", "ops.yaml:2: YAML does not parse: a quote opens on this line and is not closed"),
        (
            37, "  - {name: SRE, channels: [\"#sre-oncall]}",
            "ops.yaml:37: YAML does not parse: a quote opens on this line and is not closed (noticed at line 39: "
        ),
        (4, "timezone Europe/Berlin", "ops.yaml:4: YAML does not parse: while scanning a simple key could not find expected ':'"),
        (4, "timezone: Europe/Berlin: x", "ops.yaml:4: YAML does not parse: mapping values are not allowed in this context"),
    ])
    func aYAMLMistakeIsNamedOnTheLineToFix(line: Int, text: String, expected: String) throws {
        var lines = Self.example.components(separatedBy: "\n")
        lines[line - 1] = text
        #expect {
            try OpsConfig.load(lines.joined(separator: "\n"))
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix(expected) == true
        }
        // The example's quotes, comments and `#channels` are not mistaken for an open quote.
        #expect(YAMLText.unclosedQuote(in: Self.example, before: lines.count) == nil)
    }

    /// Quotes YAML does not read as opening a value (in a plain value, in a block scalar) are not
    /// blamed for a later mistake; a quote that closed is not called open; Windows line ends count.
    @Test(arguments: [
        ("team: ML,\"Platform\ntimezone UTC\nseverities: []\n", "ops.yaml:2: YAML does not parse: while scanning a simple key"),
        ("team: T\nnotes: |+\n  \"quoted start\n  more\ntimezone UTC\nx: 1\n", "ops.yaml:5: YAML does not parse: while scanning a simple key"),
        ("team: T\nnotes: >2\n   'quoted start\ntimezone UTC\nx: 1\n", "ops.yaml:4: YAML does not parse: while scanning a simple key"),
        ("team: \"Multi\n  line \\q\"\ntimezone: UTC\n", "ops.yaml:2: YAML does not parse: while parsing a quoted scalar found unknown escape character"),
        (
            "team: \"open\r\ntimezone: UTC\r\nseverities: []\r\nteams: [{name: \"SRE\"}]\r\nx: 1\r\n",
            "ops.yaml:1: YAML does not parse: a quote opens on this line"
        ),
    ])
    func quotesThatDoNotOpenAValueAreNotBlamed(text: String, expected: String) {
        #expect {
            try OpsConfig.load(text)
        } throws: { error in
            let message = (error as? OpsError)?.message ?? "\(error)"
            if !message.hasPrefix(expected) { Issue.record("\(message)") }
            return message.hasPrefix(expected)
        }
    }

    @Test func lintSeesEveryProblemAtOnce() {
        let text = "team: T\ntimezone: Nowhere\nseverities: []\nfoo: 1\n"
        let problems = OpsConfig.problems(in: text)
        #expect(
            problems.map(\.description) == [
                "ops.yaml:4: unknown key `foo`. Known keys: team, timezone, severities, services, use_cases, people, teams, channels, roles, metrics, backlog_tags, postmortems, groups, sync, delivery",
                "ops.yaml:2: unknown time zone `Nowhere`. Use an IANA name such as Europe/Berlin, America/New_York or UTC",
                "ops.yaml:3: `severities` must be a list of levels, most severe first",
            ])
    }

    @Test func syncIsAutoOrManual() throws {
        let base = "team: T\ntimezone: UTC\nseverities: [SEV1]\n"
        #expect(try !OpsConfig.load(base).autoSync)
        #expect(try OpsConfig.load(base + "sync: auto\n").autoSync)
        #expect(try !OpsConfig.load(base + "sync: manual\n").autoSync)
        #expect(
            OpsConfig.problems(in: base + "sync: always\n").map(\.description) == [
                "ops.yaml:4: `sync` is `auto` (try ops sync after every change) or `manual`"
            ])
    }
}

@Suite struct AuthorTests {
    static let people = [Person(handle: "alice", name: "Alice Martin", email: "alice@example.com", team: nil, title: nil)]

    @Test func asTakesAHandleFromOpsYaml() throws {
        let author = try Author.resolve(explicit: "Alice", environment: ["OPS_USER": "bob"], people: Self.people, gitConfig: { _ in nil })
        #expect(author == Author(handle: "alice", name: "Alice Martin", email: "alice@example.com"))
    }

    @Test func opsUserComesNextAndMayBeNameAndEmail() throws {
        let author = try Author.resolve(explicit: nil, environment: ["OPS_USER": "Zoe Q <zoe@example.org>"], people: Self.people, gitConfig: { _ in "ignored" })
        #expect(author == Author(handle: "zoe", name: "Zoe Q", email: "zoe@example.org"))
    }

    @Test func gitIdentityIsTheLastResortAndFindsTheHandleByEmail() throws {
        let config = ["user.name": "A. Martin", "user.email": "alice@example.com"]
        let author = try Author.resolve(explicit: nil, environment: [:], people: Self.people, gitConfig: { config[$0] })
        #expect(author == Author(handle: "alice", name: "A. Martin", email: "alice@example.com"))
    }

    @Test func noAuthorAnywhereIsAClearError() {
        #expect {
            try Author.resolve(explicit: nil, environment: [:], people: [], gitConfig: { _ in nil })
        } throws: { error in
            (error as? OpsError)?.message == "who is making this change? Pass --as HANDLE, set OPS_USER, or set git config --global user.name and user.email"
        }
    }

    @Test func anUnknownHandleListsTheKnownOnes() {
        #expect(throws: OpsError.input("--as 'mallory' is not a person in ops.yaml (known: alice). Add them under people:, or pass --as 'Name <email>'")) {
            try Author.resolve(explicit: "mallory", environment: [:], people: Self.people, gitConfig: { _ in nil })
        }
    }
}
