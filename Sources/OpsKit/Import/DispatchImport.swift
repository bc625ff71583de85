import Foundation

/// Netflix Dispatch: its PostgreSQL dump (the `COPY ... FROM stdin;` blocks of tables
/// `incident`, `event`, `participant`, `participant_role`, `individual_contact`,
/// `incident_severity`, `incident_priority`, `incident_type`), or `IncidentRead` JSON from its API.
///
/// Dispatch writes naive timestamps in UTC. It has no impact start, detection or
/// acknowledgement, and one instant, `stable_at`, for "impact contained": that is mitigation,
/// and resolution stays missing. An incident created already Closed gets
/// `stable_at = closed_at = reported_at`: a zero that is not a response time, left missing.
struct DispatchReader: ImportReader {
    static let tool = ImportTool.dispatch

    /// One incident with what it joins to, from either format.
    private struct Row {
        var id: String
        var name: String?
        var title: String?
        var description: String?
        var status: String?
        var reportedAt: String?
        var stableAt: String?
        var closedAt: String?
        var updatedAt: String?
        var severity: String?
        var priority: String?
        var type: String?
        var excludedFromMetrics = false
        var commander: ImportedPerson?
        var reporter: ImportedPerson?
        var roles: [(role: String, person: ImportedPerson)] = []
        var events: [(at: String?, source: String?, description: String?, person: ImportedPerson?, location: Location)] = []
        var location: Location
    }

    /// Participant roles that are not incident roles in ops's sense.
    static let participantOnly: Set<String> = ["reporter", "participant", "observer", "assignee"]

    private var rows: [Row] = []

    init(options: IncidentImport.Options, mapper: ImportMapper) {}

    static func incidentID(of value: JSONValue) -> String? {
        value["reported_at"] != nil ? value["id"]?.string : nil
    }

    mutating func read(_ file: ImportFile, report: inout ImportReport) throws {
        let text = try UTF8Text.decode(file.data, path: file.name)
        if text.contains("\nCOPY ") || text.hasPrefix("COPY ") {
            try readDump(text, file: file.name, report: &report)
            return
        }
        // Dispatch's OpenAPI schemas describe the JSON shapes; they hold no incidents.
        if text.contains("IncidentRead:"), text.contains("properties:") {
            report.skip("\(file.name): Dispatch's API schema (IncidentRead, EventRead, ...), not exported data: nothing to import")
            return
        }
        let first = text.trimmingCharacters(in: .whitespacesAndNewlines).first
        guard first == "{" || first == "[" else {
            throw OpsError.input("\(file.name): not \(Self.tool.name) data. ops import dispatch reads \(Self.tool.expected); nothing was imported")
        }
        for record in try ImportInput.records(file, tool: Self.tool, incidentID: Self.incidentID) {
            let items = record.value["items"]?.items ?? record.value.array ?? [record.value]
            for item in items where Self.incidentID(of: item) != nil {
                rows.append(row(fromJSON: item, at: record.location))
            }
        }
    }

    // MARK: pg_dump COPY blocks

    private typealias Table = [[String: String?]]

    private mutating func readDump(_ text: String, file: String, report: inout ImportReport) throws {
        var tables: [String: (rows: Table, lines: [Int])] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.hasPrefix("COPY "), let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"), open < close else { continue }
            let qualified = line.dropFirst(5)[..<open].trimmingCharacters(in: .whitespaces)
            let table = qualified.split(separator: ".").last.map(String.init)?.replacingOccurrences(of: "\"", with: "") ?? qualified
            let columns = line[line.index(after: open)..<close].split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\"", with: "") }
            var seen = Set<String>()
            if let twice = columns.first(where: { !seen.insert($0).inserted }) {
                throw OpsError.file(file, line: index, "the COPY header of table \(table) names column \(twice) twice; nothing was imported")
            }
            var block: Table = []
            var blockLines: [Int] = []
            var ended = false
            while index < lines.count {
                let row = lines[index]
                index += 1
                if row == "\\." {
                    ended = true
                    break
                }
                let fields = row.split(separator: "\t", omittingEmptySubsequences: false).map { Self.unescape(String($0)) }
                guard fields.count == columns.count else {
                    if lines[index...].allSatisfy({ $0.isEmpty }) {
                        throw truncated(file, line: index, table: table, fields: row.isEmpty ? nil : fields, columns: columns, block: block)
                    }
                    throw OpsError.file(
                        file, line: index, "a row of table \(table) has \(fields.count) columns, its COPY header \(columns.count); nothing was imported")
                }
                block.append(Dictionary(uniqueKeysWithValues: zip(columns, fields)))
                blockLines.append(index)
            }
            guard ended else { throw truncated(file, line: lines.count, table: table, fields: nil, columns: columns, block: block) }
            var existing = tables[table] ?? ([], [])
            existing.rows += block
            existing.lines += blockLines
            tables[table] = existing
        }
        guard let incidents = tables["incident"], incidents.rows.first?.keys.contains("reported_at") ?? true else {
            throw OpsError.input(
                "\(file): no COPY block of Dispatch's incident table (with reported_at). ops import dispatch reads \(Self.tool.expected); nothing was imported")
        }

        func byID(_ table: String) -> [String: [String: String?]] {
            Dictionary((tables[table]?.rows ?? []).compactMap { row in (row["id"] ?? nil).map { ($0, row) } }, uniquingKeysWith: { a, _ in a })
        }
        let contacts = byID("individual_contact")
        let participants = byID("participant")
        let severities = byID("incident_severity")
        let priorities = byID("incident_priority")
        let types = byID("incident_type")
        func person(contact id: String??) -> ImportedPerson? {
            guard let id = id ?? nil, let contact = contacts[id] else { return nil }
            return ImportedPerson(name: contact["name"] ?? nil, email: contact["email"] ?? nil)
        }
        func person(participant id: String??) -> ImportedPerson? {
            guard let id = id ?? nil, let participant = participants[id] else { return nil }
            return person(contact: participant["individual_contact_id"])
        }
        var rolesByIncident: [String: [(String, ImportedPerson)]] = [:]
        for role in tables["participant_role"]?.rows ?? [] where (role["renounced_at"] ?? nil) == nil {
            guard let participantID = role["participant_id"] ?? nil, let participant = participants[participantID],
                let incidentID = participant["incident_id"] ?? nil, let name = role["role"] ?? nil,
                let holder = person(contact: participant["individual_contact_id"])
            else { continue }
            rolesByIncident[incidentID, default: []].append((name, holder))
        }
        var eventsByIncident: [String: [(String?, String?, String?, ImportedPerson?, Location)]] = [:]
        if let events = tables["event"] {
            for (row, line) in zip(events.rows, events.lines) {
                guard let incidentID = row["incident_id"] ?? nil else { continue }
                eventsByIncident[incidentID, default: []].append(
                    (
                        row["started_at"] ?? nil, row["source"] ?? nil, row["description"] ?? nil, person(contact: row["individual_id"]),
                        Location(path: file, line: line)
                    ))
            }
        }
        for (values, line) in zip(incidents.rows, incidents.lines) {
            guard let id = values["id"] ?? nil else { continue }
            func value(_ key: String) -> String? { values[key] ?? nil }
            var row = Row(
                id: id, name: value("name"), title: value("title"), description: value("description"), status: value("status"),
                reportedAt: value("reported_at"), stableAt: value("stable_at"), closedAt: value("closed_at"),
                updatedAt: value("updated_at"), location: Location(path: file, line: line))
            row.severity = value("incident_severity_id").flatMap { severities[$0]?["name"] ?? nil }
            row.priority = value("incident_priority_id").flatMap { priorities[$0]?["name"] ?? nil }
            if let type = value("incident_type_id").flatMap({ types[$0] }) {
                row.type = type["name"] ?? nil
                row.excludedFromMetrics = (type["exclude_from_metrics"] ?? nil) == "t"
            }
            row.commander = person(participant: values["commander_id"])
            row.reporter = person(participant: values["reporter_id"])
            row.roles = (rolesByIncident[id] ?? []).map { (role: $0.0, person: $0.1) }
            row.events = (eventsByIncident[id] ?? []).map { (at: $0.0, source: $0.1, description: $0.2, person: $0.3, location: $0.4) }
            rows.append(row)
        }
    }

    /// COPY's escapes; \b, \f and \v (backspace, form feed, vertical tab) become spaces in a title.
    private static let copyEscapes = BackslashEscapes.control.merging(["b": " ", "f": " ", "v": " "]) { a, _ in a }

    /// COPY text format: `\N` is null; backslash escapes a tab, line break or backslash.
    private static func unescape(_ field: String) -> String? {
        if field == "\\N" { return nil }
        guard field.contains("\\") else { return field }
        return BackslashEscapes.decode(field, copyEscapes)
    }

    private func truncated(
        _ file: String, line: Int, table: String, fields: [String?]?, columns: [String],
        block: Table
    ) -> OpsError {
        let place: String
        if table == "incident", let id = fields?.first ?? nil, !id.isEmpty {
            place = "in the middle of Dispatch incident \(id)"
        } else if let fields, let column = columns.firstIndex(of: "incident_id"), column < fields.count, let id = fields[column] {
            place = "in a row of table \(table) of Dispatch incident \(id)"
        } else if let last = block.last, let id = (table == "incident" ? last["id"] : last["incident_id"]) ?? nil {
            place = "in table \(table), after a row of Dispatch incident \(id)"
        } else {
            place = "in the COPY block of table \(table)"
        }
        return OpsError.file(file, line: line, "the file ends \(place) (truncated?). Dump it again; nothing was imported")
    }

    // MARK: API JSON

    private func row(fromJSON item: JSONValue, at location: Location) -> Row {
        func person(_ participant: JSONValue?) -> ImportedPerson? {
            guard let individual = participant?["individual"], !individual.isNull else { return nil }
            return ImportedPerson(name: individual["name"]?.text, email: individual["email"]?.text)
        }
        var row = Row(
            id: item["id"]?.string ?? "?", name: item["name"]?.text, title: item["title"]?.text, description: item["description"]?.text,
            status: item["status"]?.text, reportedAt: item["reported_at"]?.text, stableAt: item["stable_at"]?.text,
            closedAt: item["closed_at"]?.text, updatedAt: item["updated_at"]?.text, location: location)
        row.severity = item[path: "incident_severity", "name"]?.text
        row.priority = item[path: "incident_priority", "name"]?.text
        row.type = item[path: "incident_type", "name"]?.text
        row.excludedFromMetrics = item[path: "incident_type", "exclude_from_metrics"]?.bool ?? false
        row.commander = person(item["commander"])
        row.reporter = person(item["reporter"])
        for participant in item["participants"]?.items ?? [] {
            guard let holder = person(participant) else { continue }
            for role in participant["participant_roles"]?.items ?? [] where role["renounced_at"]?.isNull ?? true {
                if let name = role["role"]?.text { row.roles.append((name, holder)) }
            }
        }
        for event in item["events"]?.items ?? [] {
            row.events.append((event["started_at"]?.text, event["source"]?.text, event["description"]?.text, person(event), location))
        }
        return row
    }

    // MARK: Converting

    func incidents(report: inout ImportReport) throws -> [ImportedIncident] {
        var result: [ImportedIncident] = []
        for row in rows {
            if let incident = try convert(row, report: &report) { result.append(incident) }
        }
        return result
    }

    static let statuses = ImportStatusVocabulary(
        name: "Dispatch status", documented: "Active, Stable or Closed",
        statuses: ["active": .open, "stable": .mitigated, "closed": .closed], key: { $0.lowercased() })

    private func convert(_ row: Row, report: inout ImportReport) throws -> ImportedIncident? {
        let source = try ExportedIncident(Self.tool, id: row.id, reference: row.name, at: row.location, naiveIsUTC: true)
        let short = source.short
        let reported = try source.opened(row.reportedAt, "reported_at")
        let stable = try source.time(row.stableAt, "stable_at")
        let closed = try source.time(row.closedAt, "closed_at")
        if row.excludedFromMetrics {
            report.skip("\(short): its incident type \(row.type ?? "?") is excluded from metrics in Dispatch")
            return nil
        }
        guard let status = source.status(row.status ?? "", Self.statuses, report: &report) else { return nil }
        var described = row.severity.map { "'\($0)'" } ?? "none given"
        if let priority = row.priority { described += " (priority \(priority))" }
        var incident = ImportedIncident(
            tool: Self.tool, sourceID: row.id, reference: row.name, file: row.location.path,
            title: row.title ?? row.name ?? "Dispatch incident \(row.id)", summary: row.description,
            severity: SeverityInput(names: [row.severity].compactMap { $0 }, described: described), status: status)
        incident.updatedAt = try source.time(row.updatedAt, "updated_at")
        incident.creator = row.reporter
        incident.clock[.opened] = reported
        incident.sourceEvents = row.events.count
        incident.clock[.mitigated] = stable
        incident.clock[.closed] = closed
        // Created already Closed: Dispatch runs its stable and closed flows at once.
        if let stable, let closed, abs(stable.timeIntervalSince(reported)) < 1, abs(closed.timeIntervalSince(reported)) < 1 {
            incident.clock[.mitigated] = nil
            report.note(
                "created already Closed: Dispatch set stable_at = closed_at = reported_at, which is no response time; mitigated_at left missing", on: short)
        }
        if stable != nil || status >= .mitigated {
            report.note("Dispatch has one time, stable_at, for impact contained: it is mitigated_at, and resolved_at stays missing", on: nil)
        }

        incident.commander = row.commander
        for (role, person) in row.roles where !Self.participantOnly.contains(role.lowercased()) {
            if role.lowercased() == "incident commander", incident.commander != nil { continue }
            incident.roles.append((role, person))
        }
        for event in row.events {
            guard let at = try ImportInput.time(event.at, field: "event started_at", of: source.label, at: event.location, naiveIsUTC: true) else { continue }
            let description = event.description ?? ""
            var kind = "event"
            if description == "Incident created" {
                kind = "opened"
            } else if let range = description.range(of: "status has been changed from ") {
                let target = description[range.upperBound...].components(separatedBy: " to ").last?.trimmingCharacters(in: .punctuationCharacters) ?? ""
                switch target.lowercased() {
                case "stable": kind = "mitigated"
                case "closed": kind = "closed"
                case "active": kind = "reopened"
                default: kind = "status"
                }
            } else if description.contains(" added to incident with ") {
                kind = "assigned"
            }
            incident.events.append(ImportedEvent(at: at, actor: event.person ?? .system("dispatch"), kind: kind, text: description))
        }
        return incident
    }
}
