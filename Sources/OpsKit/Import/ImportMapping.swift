import Foundation

/// Reads one tool's export files. A run reads every file first, then converts: PagerDuty's
/// log entries, incident.io's updates and Rootly's events may come in other files than the
/// incidents they belong to.
protocol ImportReader {
    static var tool: ImportTool { get }
    init(options: IncidentImport.Options, mapper: ImportMapper)
    /// The tool's incident id of an incident-like object, for naming the one a cut-off file ends in.
    static func incidentID(of value: JSONValue) -> String?
    mutating func read(_ file: ImportFile, report: inout ImportReport) throws
    /// The incidents read, converted; what is left out goes to `report` with why.
    func incidents(report: inout ImportReport) throws -> [ImportedIncident]
}

/// An imported incident as ops will write it: its values mapped onto ops.yaml.
struct ImportTarget {
    var imported: ImportedIncident
    var title: String
    var severity: String
    /// The severity is the fallback for a value ops.yaml does not know: it never replaces a
    /// severity the file already has (someone may have set the right one by hand).
    var severityGuessed: Bool
    var status: IncidentStatus
    /// Nil when the tool has none, or names one ops.yaml does not list.
    var service: String?
    var useCase: String?
    var commander: String?
    var roles: [(role: String, person: String)]
    /// Whole seconds, as ops stores them.
    var clock: [ClockPoint: Date]
    /// In time order; the synthesised lines for clock points the tool logged no event for included.
    var timeline: [TimelineEntry]
}

/// Maps what a tool says onto the team's ops.yaml: severities through their names and aliases,
/// people by email then name, services and roles by name. Whatever does not map is reported.
struct ImportMapper {
    let config: OpsConfig
    let tool: ImportTool

    func target(_ incident: ImportedIncident, report: inout ImportReport) -> ImportTarget {
        let label = incident.shortLabel
        let (severity, guessed) = severityLevel(incident.severity, label: label, report: &report)
        let service = serviceName(incident.service, label: label, report: &report)
        var clock: [ClockPoint: Date] = [:]
        for (point, date) in incident.clock { clock[point] = Self.whole(date) }
        var roles: [(role: String, person: String)] = []
        var commander = incident.commander.map { handle(for: $0, label: label, report: &report) }
        for (name, person) in incident.roles {
            guard let role = roleName(name) else {
                report.unmapped("role", "'\(name)' (no ops role; not recorded)", on: label)
                continue
            }
            let handle = handle(for: person, label: label, report: &report)
            if role == "commander" {
                if commander == nil { commander = handle }
            } else if let index = roles.firstIndex(where: { $0.role == role }) {
                roles[index].person = handle
            } else {
                roles.append((role, handle))
            }
        }

        // Each line with the exact time it happened, for ordering lines within one second.
        var lines = incident.events.map { event in
            (
                event.at,
                TimelineEntry(
                    at: Self.whole(event.at), actor: event.actor.map { handle(for: $0, label: label, report: &report) } ?? tool.rawValue,
                    kind: Self.kind(event.kind), text: Self.text(event.text))
            )
        }
        // A clock point the tool logged no event for still gets its timeline line.
        if !lines.contains(where: { $0.1.kind == "opened" }), let opened = incident.clock[.opened] {
            let actor = incident.creator.map { handle(for: $0, label: label, report: &report) } ?? tool.rawValue
            lines.append(
                (
                    opened,
                    TimelineEntry(
                        at: Self.whole(opened), actor: actor, kind: "opened",
                        text: "in \(tool.name) as \(incident.reference ?? incident.sourceID)")
                ))
        }
        for status in [IncidentStatus.acknowledged, .mitigated, .resolved, .closed] {
            guard let at = incident.clock[status.clockPoint], !lines.contains(where: { $0.1.kind == status.rawValue }) else { continue }
            lines.append(
                (
                    at,
                    TimelineEntry(
                        at: Self.whole(at), actor: tool.rawValue, kind: status.rawValue,
                        text: "(\(tool.name) \(status.clockPoint.key))")
                ))
        }
        let timeline = lines.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)

        let reached = IncidentStatus.allCases.last { clock[$0.clockPoint] != nil } ?? .open
        let title = IncidentService.printable(incident.title.components(separatedBy: .newlines).joined(separator: " "))
        return ImportTarget(
            imported: incident, title: title, severity: severity, severityGuessed: guessed,
            status: max(incident.status, reached), service: service,
            useCase: service.flatMap { name in config.useCases.first { $0 == name } },
            commander: commander, roles: roles, clock: clock, timeline: timeline)
    }

    // MARK: Values

    /// The first name ops.yaml knows; else the nearest level on the tool's fixed scale; else the
    /// lowest (least severe) level, so an unknown value never inflates the severe figures.
    private func severityLevel(_ input: SeverityInput, label: String, report: inout ImportReport) -> (String, Bool) {
        for name in input.names {
            if let level = config.severity(named: name) { return (level.id, false) }
        }
        let levels = config.severities
        guard let lowest = levels.last else { return ("SEV4", true) }
        if let scale = input.scale, scale.count > 1, levels.count > 1 {
            let index = Int((Double(scale.position) * Double(levels.count - 1) / Double(scale.count - 1)).rounded())
            let level = levels[min(max(index, 0), levels.count - 1)]
            report.unmapped("severity", "\(input.described): not in ops.yaml, filed as \(level.id) from \(tool.name)'s level \(scale.name)", on: label)
            return (level.id, true)
        }
        report.unmapped("severity", "\(input.described): not in ops.yaml, filed as \(lowest.id), the lowest level", on: label)
        return (lowest.id, true)
    }

    private func serviceName(_ name: String?, label: String, report: inout ImportReport) -> String? {
        guard let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { return nil }
        if config.services.isEmpty {
            return OpsConfigChecks.isName(name) ? name : Self.slug(name, separator: "_")
        }
        if let service = config.service(named: name) ?? config.services.first(where: { Self.loose($0.name) == Self.loose(name) }) {
            return service.name
        }
        report.unmapped("service", "'\(name)': not in ops.yaml, left empty", on: label)
        return nil
    }

    /// ops.yaml's role for a tool's role name (`Incident Commander`, `Communication`, `Liaison`).
    func roleName(_ name: String) -> String? {
        let key = name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "_")
        let synonyms: [String: String] = [
            "incident_commander": "commander", "incident_lead": "commander", "lead": "commander", "ic": "commander",
            "communication": "comms", "communications": "comms", "communications_lead": "comms", "comms_lead": "comms",
            "communication_lead": "comms", "liaison": "comms", "operations_lead": "ops_lead", "ops": "ops_lead",
        ]
        let role = synonyms[key] ?? key
        if role == "commander" { return role }
        return config.roles.first { $0.lowercased() == role }
    }

    /// A person's handle: the ops.yaml person with that email, else with that name; else a slug
    /// of the name, which is reported (and never one of ops.yaml's handles, so nobody is credited
    /// with what someone else did).
    func handle(for person: ImportedPerson, label: String?, report: inout ImportReport) -> String {
        if person.isSystem || (person.name == nil && person.email == nil) {
            return person.name.flatMap { Self.slug($0, separator: "-") } ?? tool.rawValue
        }
        if let email = person.email, let known = config.people.first(where: { $0.email.caseInsensitiveCompare(email) == .orderedSame }) {
            return known.handle
        }
        if let name = person.name,
            let known = config.people.first(where: {
                $0.name.caseInsensitiveCompare(name) == .orderedSame || $0.handle.caseInsensitiveCompare(name) == .orderedSame
            })
        {
            return known.handle
        }
        let base =
            person.name.flatMap { Self.slug($0, separator: "-") }
            ?? person.email.flatMap { $0.split(separator: "@").first }.flatMap { Self.slug(String($0), separator: "-") }
            ?? tool.rawValue
        let handle = config.person(base) != nil ? "\(base)-\(tool.rawValue)" : base
        report.unmapped(
            "person", "\(person.name ?? person.email ?? "?")\(person.email.map { " <\($0)>" } ?? ""): not in ops.yaml, written as \(handle)",
            on: label)
        return handle
    }

    // MARK: Text

    /// Lower case ASCII letters and digits joined by `separator`: safe as a timeline actor
    /// (no spaces), a YAML value and a file name. Nil when nothing is left.
    static func slug(_ text: String, separator: Character) -> String? {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
        let words = folded.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        let slug = String(words.joined(separator: String(separator)).prefix(60))
        return slug.isEmpty ? nil : slug
    }

    /// For matching names loosely: lower case without spaces, dashes or underscores.
    static func loose(_ text: String) -> String {
        String(text.lowercased().filter { $0 != " " && $0 != "-" && $0 != "_" })
    }

    /// A timeline kind: one word.
    static func kind(_ text: String) -> String {
        slug(text, separator: "_") ?? "event"
    }

    /// Timeline text as it reads back from the file: printable, one `\n` per line break, no
    /// trailing blanks, so a second import recognises the lines the first one wrote.
    static func text(_ text: String) -> String {
        let lines = YAMLText.split(IncidentService.printable(text)).map { $0.text.replacingOccurrences(of: "\t", with: " ") }
        var trimmed = lines.map { line -> String in
            var line = line
            while line.last == " " { line.removeLast() }
            return line
        }
        while trimmed.last?.isEmpty == true { trimmed.removeLast() }
        while trimmed.first?.isEmpty == true { trimmed.removeFirst() }
        return trimmed.joined(separator: "\n")
    }

    static func whole(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }
}
