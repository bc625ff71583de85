import Foundation
import Yams

extension OpsConfig {
    /// Reads and checks `ops.yaml`; the first problem found is thrown as `path:line: problem`.
    public static func load(_ text: String, path: String = OpsConfig.path) throws -> OpsConfig {
        var reader = ConfigReader(YAMLFieldReader(try YAMLText(text, path: path)))
        let config = reader.read()
        if let first = reader.fields.problems.first { throw OpsError(.input, first.message, at: first.location) }
        return config
    }

    /// Every problem in `ops.yaml`, for `ops lint`.
    public static func problems(in text: String, path: String = OpsConfig.path) -> [Problem] {
        do {
            var reader = ConfigReader(YAMLFieldReader(try YAMLText(text, path: path)))
            _ = reader.read()
            return reader.fields.problems
        } catch {
            return [Problem(error)]
        }
    }
}

/// Reads `ops.yaml` field by field, collecting every problem with its line instead of stopping.
private struct ConfigReader {
    var fields: YAMLFieldReader

    init(_ fields: YAMLFieldReader) { self.fields = fields }

    var yaml: YAMLText { fields.yaml }

    mutating func read() -> OpsConfig {
        for key in yaml.keys where !OpsConfig.knownKeys.contains(key) {
            fields.flag(key: key, "unknown key `\(key)`. Known keys: \(OpsConfig.knownKeys.joined(separator: ", "))")
        }
        let team = fields.text(yaml["team"], "team", required: true) ?? ""
        let timeZone = readTimeZone()
        let teams = readTeams()
        let severities = readSeverities()
        let services = readServices(teams: teams)
        let people = readPeople(teams: teams)
        var config = OpsConfig(
            team: team,
            timeZone: timeZone,
            severities: severities,
            services: services,
            useCases: textList("use_cases", in: yaml.root, default: []),
            people: people,
            teams: teams,
            channels: readChannels(),
            roles: textList("roles", in: yaml.root, default: ["commander", "comms", "scribe", "ops_lead"]),
            clockStart: readClockStart(),
            backlogTags: textList("backlog_tags", in: yaml.root, default: ["SLO", "Safety", "FinOps"]),
            postmortemDeadlines: readPostmortemPolicy(severities),
            groups: textList("groups", in: yaml.root, default: [])
        )
        config.autoSync = readSyncMode()
        config.delivery = OpsConfig.readDelivery(yaml["delivery"], &fields)
        return config
    }

    // MARK: Fields

    private mutating func readSyncMode() -> Bool {
        guard let node = yaml["sync"] else { return false }
        switch node.scalarText {
        case "auto"?: return true
        case "manual"?: return false
        default:
            fields.flag(node, "`sync` is `auto` (try ops sync after every change) or `manual`")
            return false
        }
    }

    private mutating func readTimeZone() -> TimeZone {
        guard let name = fields.text(yaml["timezone"], "timezone", required: true) else { return TimeZone(identifier: "UTC")! }
        guard let zone = TimeZone(identifier: name), name.contains("/") || name == "UTC" else {
            fields.flag(key: "timezone", "unknown time zone `\(name)`. Use an IANA name such as Europe/Berlin, America/New_York or UTC")
            return TimeZone(identifier: "UTC")!
        }
        return zone
    }

    private mutating func readSeverities() -> [SeverityLevel] {
        guard let node = yaml["severities"] else {
            fields.flag(nil, "`severities` is missing. List the levels, most severe first, e.g. - {id: SEV1, aliases: [P1]}")
            return []
        }
        guard case .sequence(let items) = node, !items.isEmpty else {
            fields.flag(node, "`severities` must be a list of levels, most severe first")
            return []
        }
        var levels: [SeverityLevel] = []
        var owner: [String: String] = [:]
        for (rank, item) in items.enumerated() {
            var level: SeverityLevel
            if let id = item.scalarText {
                level = SeverityLevel(id: id, name: nil, aliases: [], rank: rank)
            } else if case .mapping(let map) = item {
                guard let id = fields.text(map["id"], "id", required: true, parent: item) else { continue }
                level = SeverityLevel(
                    id: id, name: fields.text(map["name"], "name"),
                    aliases: textList("aliases", in: map, default: []), rank: rank)
            } else {
                fields.flag(item, "a severity is a name (SEV1) or {id: SEV1, aliases: [P1]}")
                continue
            }
            for name in level.names {
                if let other = owner[name], other != level.id {
                    fields.flag(item, "`\(name)` names both \(other) and \(level.id). Give each level its own aliases")
                }
                owner[name] = level.id
            }
            levels.append(level)
        }
        return levels
    }

    private mutating func readServices(teams: [Team]) -> [Service] {
        guard let node = yaml["services"] else { return [] }
        var services: [Service] = []
        for item in fields.items(node, "services") {
            if let name = item.scalarText {
                services.append(Service(name: name, team: nil))
            } else if case .mapping(let map) = item, let name = fields.text(map["name"], "name", required: true, parent: item) {
                let team = fields.text(map["team"], "team")
                if let team { checkTeam(team, known: teams, at: item) }
                services.append(Service(name: name, team: team))
            } else {
                fields.flag(item, "a service is a name or {name: checkout, team: SRE}")
            }
        }
        flagDuplicates(services.map(\.name), in: node, what: "service")
        return services
    }

    private mutating func readPeople(teams: [Team]) -> [Person] {
        guard let node = yaml["people"] else { return [] }
        var people: [Person] = []
        for item in fields.items(node, "people") {
            guard case .mapping(let map) = item else {
                fields.flag(item, "a person is {handle: alice, name: Alice Example, email: alice@example.com, team: SRE}")
                continue
            }
            guard let handle = fields.text(map["handle"], "handle", required: true, parent: item) else { continue }
            if !OpsConfigChecks.isName(handle) {
                fields.flag(item, "handle `\(handle)` must be letters, digits, dot, dash or underscore, as typed after --as")
            }
            let name = fields.text(map["name"], "name") ?? handle
            guard let email = fields.text(map["email"], "email", required: true, parent: item) else { continue }
            if !email.contains("@") || email.contains(where: { $0 == "<" || $0 == ">" || $0.isWhitespace }) {
                fields.flag(item, "email `\(email)` of \(handle) is not an email address")
            }
            let team = fields.text(map["team"], "team")
            if let team { checkTeam(team, known: teams, at: item) }
            people.append(Person(handle: handle, name: name, email: email, team: team, title: fields.text(map["title"], "title")))
        }
        flagDuplicates(people.map { $0.handle.lowercased() }, in: node, what: "person handle")
        return people
    }

    private mutating func readTeams() -> [Team] {
        guard let node = yaml["teams"] else { return [] }
        var teams: [Team] = []
        for item in fields.items(node, "teams") {
            if let name = item.scalarText {
                teams.append(Team(name: name, channels: []))
                continue
            }
            guard case .mapping(let map) = item, let name = fields.text(map["name"], "name", required: true, parent: item) else {
                fields.flag(item, "a team is {name: SRE, channels: [\"#sre-oncall\"]}")
                continue
            }
            var channels = textList("channels", in: map, default: [])
            if let channel = fields.text(map["channel"], "channel") { channels.insert(channel, at: 0) }
            for channel in channels where !channel.hasPrefix("#") {
                fields.flag(item, "channel `\(channel)` of team \(name) must start with # (quote it in YAML: \"#sre-oncall\")")
            }
            teams.append(Team(name: name, channels: channels))
        }
        flagDuplicates(teams.map(\.name), in: node, what: "team")
        return teams
    }

    private mutating func readChannels() -> [String: String] {
        guard let node = yaml["channels"] else { return [:] }
        guard case .mapping(let map) = node else {
            fields.flag(node, "`channels` maps a purpose to a channel, e.g. incidents: \"#sre-oncall\"")
            return [:]
        }
        var channels: [String: String] = [:]
        for (key, value) in map {
            guard let purpose = key.string, let channel = value.scalarText, channel.hasPrefix("#") else {
                fields.flag(value, "a channel must start with # (quote it in YAML: \"#sre-oncall\")")
                continue
            }
            channels[purpose] = channel
        }
        return channels
    }

    private mutating func readClockStart() -> ClockStart {
        guard let node = yaml["metrics"] else { return .detected }
        guard case .mapping(let map) = node else {
            fields.flag(node, "`metrics` holds settings such as clock_start: detected")
            return .detected
        }
        guard let value = fields.text(map["clock_start"], "clock_start") else { return .detected }
        guard let start = ClockStart(rawValue: value) else {
            fields.flag(map["clock_start"], "clock_start `\(value)` is not one of: \(ClockStart.allCases.map(\.rawValue).joined(separator: ", "))")
            return .detected
        }
        return start
    }

    /// `postmortems: {required: {SEV1: 3, SEV2: 5}}`: business days after resolution.
    private mutating func readPostmortemPolicy(_ severities: [SeverityLevel]) -> [String: Int] {
        let fallback = ["SEV1": 3, "SEV2": 5].filter { entry in severities.contains { $0.id == entry.key } }
        guard let node = yaml["postmortems"] else { return fallback }
        guard case .mapping(let map) = node, let required = map["required"] else {
            fields.flag(node, "`postmortems` holds required: {SEV1: 3, SEV2: 5} (business days after resolution)")
            return fallback
        }
        guard case .mapping(let days) = required else {
            fields.flag(required, "`required` maps a severity to business days, like {SEV1: 3, SEV2: 5}")
            return fallback
        }
        var result: [String: Int] = [:]
        for (key, value) in days {
            let name = key.scalarText ?? ""
            guard let level = severities.first(where: { $0.names.contains(SeverityLevel.normalize(name)) }) else {
                fields.flag(key, "unknown severity `\(name)` in postmortems.required")
                continue
            }
            guard let count = value.scalarText.flatMap(Int.init), count >= 0 else {
                fields.flag(value, "business days must be a whole number, like 5")
                continue
            }
            result[level.id] = count
        }
        return result
    }

    // MARK: Helpers

    private mutating func textList(_ key: String, in map: Node.Mapping, default fallback: [String]) -> [String] {
        guard let node = map[key] else { return fallback }
        var values: [String] = []
        for item in fields.items(node, key) {
            guard let value = item.scalarText else {
                fields.flag(item, "`\(key)` must be a list of names")
                continue
            }
            values.append(value)
        }
        return values
    }

    private mutating func checkTeam(_ team: String, known teams: [Team], at node: Node) {
        guard !teams.isEmpty, !teams.contains(where: { $0.name == team }) else { return }
        fields.flag(node, "unknown team `\(team)`. Known teams: \(teams.map(\.name).joined(separator: ", "))")
    }

    private mutating func flagDuplicates(_ names: [String], in node: Node, what: String) {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            fields.flag(node, "\(what) `\(name)` is listed twice")
        }
    }
}

extension Node {
    /// The text of a scalar, nil for lists and mappings.
    var scalarText: String? {
        if case .scalar(let scalar) = self { return scalar.string }
        return nil
    }
}
