import Foundation
import Yams

/// Read and checked against ops.yaml's people; `ops lint` lists every problem.
extension OnCallSchedule: ConfigFile {
    typealias Reader = OnCallReader
}

/// Reads `oncall.yaml` field by field, collecting every problem with its line.
struct OnCallReader: ConfigFileReader {
    var fields: YAMLFieldReader
    let config: OpsConfig?

    static let rotationKeys = ["zone", "start", "handoff", "length", "people", "secondary", "ack_within", "last_resort"]
    static let overrideKeys = ["rotation", "person", "from", "until"]
    static let routeKeys = ["match", "rotation", "channel"]

    init(_ fields: YAMLFieldReader, config: OpsConfig?) {
        self.fields = fields
        self.config = config
    }

    mutating func read() -> OnCallSchedule {
        fields.flagUnknownKeys(OnCallSchedule.knownKeys, what: OnCallSchedule.path)
        let rotations = readRotations()
        checkSecondaries(rotations)
        let overrides = readOverrides(rotations)
        let routes = readRoutes(rotations)
        return OnCallSchedule(rotations: rotations.map(\.rotation), overrides: overrides, routes: routes)
    }

    // MARK: Rotations

    private mutating func readRotations() -> [(rotation: Rotation, secondaryNode: Node?)] {
        guard fields.yaml["rotations"] != nil else {
            fields.flag(
                nil,
                "`rotations` is missing. Add one: rotations: {sre: {zone: Europe/Berlin, start: 2026-11-02, handoff: Monday 09:00, length: 1w, people: [alice, bob]}}"
            )
            return []
        }
        let entries = fields.entries(fields.yaml["rotations"], "rotations")
        if entries.isEmpty, fields.problems.isEmpty { fields.flag(key: "rotations", "`rotations` lists no rotation") }
        var result: [(Rotation, Node?)] = []
        for entry in entries {
            let name = entry.key
            if !OpsConfigChecks.isName(name) {
                fields.flag(entry.keyNode, "rotation name `\(name)` must be letters, digits, dot, dash or underscore")
            }
            guard let map = fields.mapping(entry.value, shape: "rotation \(name) is {zone: ..., start: ..., handoff: ..., length: ..., people: [...]}")
            else { continue }
            flagUnknown(map, Self.rotationKeys, what: "rotation \(name)")
            let zone = readZone(map["zone"], parent: entry.keyNode, rotation: name)
            let start = readRequired(map["start"], "start", parent: entry.keyNode, LocalDate.init) {
                "rotation \(name): start `\($0)` is not a day. Write it like start: 2026-11-02"
            }
            let handoff = readRequired(map["handoff"], "handoff", parent: entry.keyNode, Handoff.init) {
                "rotation \(name): handoff `\($0)` is not a weekday and time. Write it like handoff: Monday 09:00 (or 09:00 for daily shifts)"
            }
            let length = readRequired(map["length"], "length", parent: entry.keyNode, ShiftLength.init) {
                "rotation \(name): length `\($0)` is not a shift length. Write 1d, 1w or a number of days like 3d (at most a year)"
            }
            if let handoff, let length, handoff.weekday != nil, length.days % 7 != 0 {
                fields.flag(
                    map["handoff"],
                    "rotation \(name) hands over on a weekday (\(handoff)) but its length is \(length.days) days. Use a length in weeks (1w), or a time alone (handoff: \(String(format: "%02d:%02d", handoff.hour, handoff.minute)))"
                )
            }
            let people = readPeople(map["people"], parent: entry.keyNode, rotation: name)
            let secondary = fields.text(map["secondary"], "secondary")
            let ackWithin = readDuration(map["ack_within"], rotation: name)
            var lastResort: String?
            if let text = fields.text(map["last_resort"], "last_resort") {
                lastResort = person(text, at: map["last_resort"], what: "last_resort of rotation \(name)")
            }
            guard let zone, let start, let handoff, let length else { continue }
            let rotation = Rotation(
                name: name, zone: zone, start: start, handoff: handoff, length: length, people: people, secondary: secondary,
                ackWithin: ackWithin, lastResort: lastResort, line: fields.line(entry.keyNode))
            result.append((rotation, map["secondary"]))
        }
        return result
    }

    private mutating func readZone(_ node: Node?, parent: Node, rotation: String) -> TimeZone? {
        guard let name = fields.text(node, "zone", required: true, parent: parent) else { return nil }
        // Foundation also knows abbreviations (CET, EST) whose rules are not a place's.
        guard let zone = TimeZone(identifier: name), name.contains("/") || name == "UTC" else {
            fields.flag(node, "rotation \(rotation): unknown time zone `\(name)`. Use an IANA name such as Europe/Berlin, America/New_York or UTC")
            return nil
        }
        return zone
    }

    /// A required text field read as `T`; what does not read is flagged with how to write it.
    private mutating func readRequired<T>(
        _ node: Node?, _ key: String, parent: Node, _ parse: (String) -> T?, _ problem: (String) -> String
    ) -> T? {
        guard let text = fields.text(node, key, required: true, parent: parent) else { return nil }
        guard let value = parse(text) else {
            fields.flag(node, problem(text))
            return nil
        }
        return value
    }

    private mutating func readPeople(_ node: Node?, parent: Node, rotation: String) -> [String] {
        guard let node else {
            fields.flag(parent, "rotation \(rotation) has no `people`. List them in turn order: people: [alice, bob]")
            return []
        }
        var items: [Node] = []
        if case .sequence(let sequence) = node {
            items = Array(sequence)
        } else if let single = node.scalarText, !single.isEmpty, single != "~", single != "null" {
            items = [node]
        }
        if items.isEmpty {
            fields.flag(node, "rotation \(rotation) is empty: list who takes turns, people: [alice, bob]")
        }
        var people: [String] = []
        for item in items {
            guard let name = item.scalarText, !name.isEmpty else {
                fields.flag(item, "rotation \(rotation): `people` must be a list of handles, like [alice, bob]")
                continue
            }
            if let handle = person(name, at: item, what: "rotation \(rotation)") { people.append(handle) }
        }
        return people
    }

    private mutating func readDuration(_ node: Node?, rotation: String) -> Int? {
        guard let text = fields.text(node, "ack_within") else { return nil }
        guard let seconds = TimeInput.durationSeconds(text), seconds > 0 else {
            fields.flag(node, "rotation \(rotation): ack_within `\(text)` is not a duration. Write it like ack_within: 15m (or 30s, 1h)")
            return nil
        }
        return seconds
    }

    /// Unknown or self-naming secondaries, and chains of secondaries that come back to where they began.
    private mutating func checkSecondaries(_ rotations: [(rotation: Rotation, secondaryNode: Node?)]) {
        let byName = Dictionary(rotations.map { ($0.rotation.name, $0.rotation) }, uniquingKeysWith: { first, _ in first })
        for (rotation, node) in rotations {
            guard let secondary = rotation.secondary else { continue }
            guard byName[secondary] != nil else {
                fields.flag(
                    node, "rotation \(rotation.name): secondary `\(secondary)` is not a rotation. Known: \(byName.keys.sorted().joined(separator: ", "))")
                continue
            }
            var path = [rotation.name]
            var next: String? = secondary
            while let current = next, path.count <= byName.count {
                path.append(current)
                if current == rotation.name {
                    fields.flag(
                        node,
                        "rotation \(rotation.name): its secondary leads back to it (\(path.joined(separator: " → "))). A page would never reach anyone new")
                    break
                }
                next = byName[current]?.secondary
            }
        }
    }

    // MARK: Overrides

    private mutating func readOverrides(_ rotations: [(rotation: Rotation, secondaryNode: Node?)]) -> [Override] {
        let shape = "`overrides` is a list: - {rotation: sre, person: dave, from: 2026-11-20T18:00, until: 2026-11-21T09:00}"
        var result: [Override] = []
        for item in fields.list(at: "overrides", shape: shape) {
            guard let map = fields.mapping(item, shape: "an override is {rotation: sre, person: dave, from: 2026-11-20T18:00, until: 2026-11-21T09:00}")
            else { continue }
            flagUnknown(map, Self.overrideKeys, what: "an override")
            let rotationName = fields.text(map["rotation"], "rotation", required: true, parent: item)
            var rotation: Rotation?
            if let rotationName {
                rotation = rotations.first { $0.rotation.name == rotationName }?.rotation
                if rotation == nil { flagUnknownRotation(rotationName, at: map["rotation"], rotations) }
            }
            var person: String?
            if let name = fields.text(map["person"], "person", required: true, parent: item) {
                person = self.person(name, at: map["person"], what: "an override")
            }
            let zone = rotation?.zone ?? TimeZone(identifier: "UTC")!
            let from = readTime(map["from"], "from", parent: item, zone: zone)
            let until = readTime(map["until"], "until", parent: item, zone: zone)
            guard let rotation, let person, let from, let until else { continue }
            let override = Override(rotation: rotation.name, person: person, from: from, until: until, line: fields.line(item))
            if until <= from {
                fields.flag(map["until"], "an override of \(rotation.name) ends (until) at or before it starts (from). Swap them or correct one")
                continue
            }
            if let other = result.first(where: { $0.rotation == override.rotation && $0.overlaps(override) }) {
                fields.flag(
                    item,
                    "this override of \(rotation.name) (\(person)) overlaps the one on line \(other.line.map(String.init) ?? "?") (\(other.person)). Shorten one so they follow each other"
                )
                continue
            }
            result.append(override)
        }
        return result
    }

    private mutating func readTime(_ node: Node?, _ name: String, parent: Node, zone: TimeZone) -> Date? {
        guard let text = fields.text(node, name, required: true, parent: parent) else { return nil }
        guard let date = OnCallTime.parse(text, zone: zone) else {
            fields.flag(node, "\(name) `\(text)` is not a time. Write it like 2026-11-20T18:00 (the rotation's zone) or 2026-11-20T17:00:00Z")
            return nil
        }
        return date
    }

    // MARK: Routes

    private mutating func readRoutes(_ rotations: [(rotation: Rotation, secondaryNode: Node?)]) -> [Route] {
        let shape = "`routes` is a list: - {match: {team: sre}, rotation: sre, channel: \"#sre-oncall\"}"
        var result: [Route] = []
        for item in fields.list(at: "routes", shape: shape) {
            guard let map = fields.mapping(item, shape: "a route is {match: {team: sre}, rotation: sre, channel: \"#sre-oncall\"}") else { continue }
            flagUnknown(map, Self.routeKeys, what: "a route")
            var match: [String: String] = [:]
            if let node = map["match"] {
                for entry in fields.entries(node, "match") {
                    guard let value = entry.value.scalarText, !value.isEmpty else {
                        fields.flag(entry.value, "match `\(entry.key)` must be a single value, like {team: sre}")
                        continue
                    }
                    match[entry.key] = value
                }
            } else {
                fields.flag(item, "a route has no `match`. Write match: {team: sre}, or match: {} for every alert")
            }
            let rotation = fields.text(map["rotation"], "rotation", required: true, parent: item)
            if let rotation, !rotations.contains(where: { $0.rotation.name == rotation }) {
                flagUnknownRotation(rotation, at: map["rotation"], rotations)
            }
            let channel = fields.text(map["channel"], "channel", required: true, parent: item)
            if let channel, !channel.hasPrefix("#") || channel.count < 2 {
                fields.flag(map["channel"], "channel `\(channel)` must start with # (quote it in YAML: \"#sre-oncall\")")
            }
            guard let rotation, let channel else { continue }
            result.append(Route(match: match, rotation: rotation, channel: channel, line: fields.line(item)))
        }
        return result
    }

    // MARK: Helpers

    /// The handle of a person ops.yaml lists; any safe name while it lists nobody (or does not read).
    private mutating func person(_ name: String, at node: Node?, what: String) -> String? {
        guard let config, !config.people.isEmpty else { return OpsConfigChecks.isName(name) ? name : nil }
        if let person = config.person(name) { return person.handle }
        fields.flag(node, "\(what): unknown person `\(name)`. Known: \(config.people.map(\.handle).sorted().joined(separator: ", ")) (add them to ops.yaml)")
        return nil
    }

    private mutating func flagUnknownRotation(_ name: String, at node: Node?, _ rotations: [(rotation: Rotation, secondaryNode: Node?)]) {
        fields.flag(node, "unknown rotation `\(name)`. Known: \(rotations.map(\.rotation.name).joined(separator: ", "))")
    }

    private mutating func flagUnknown(_ map: Node.Mapping, _ known: [String], what: String) {
        for (key, _) in map {
            guard let name = key.string, !known.contains(name) else { continue }
            fields.flag(key, "unknown key `\(name)` in \(what). Known keys: \(known.joined(separator: ", "))")
        }
    }
}
