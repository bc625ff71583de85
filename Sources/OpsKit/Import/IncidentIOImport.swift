import Foundation

/// incident.io API responses: `GET /v2/incidents` and `/v2/incidents/{id}`, with
/// `/v2/incident_updates` for the timeline, and the organisation's catalogues
/// (`/v2/incident_timestamps`, `/v1/severities`, `/v2/incident_roles`, `/v1/incident_statuses`),
/// which are checked against ops.yaml so unknown names show before they are met on an incident.
///
/// Every clock point but `created_at` is an organisation-named timestamp, mapped by name (with
/// defaults and `--clock NAME=POINT`); a timestamp without a value was never set. Status goes by
/// category, not by the name an organisation gave it. Test and tutorial incidents, and declined,
/// merged or cancelled ones, are not incidents.
struct IncidentIOReader: ImportReader {
    static let tool = ImportTool.incidentio

    /// Default names (compared by `IncidentImport.Options.key`) → clock point.
    static let defaultNames: [String: ClockPoint] = [
        "impact started": .started, "impact start": .started, "started": .started, "impact began": .started,
        "detected": .detected, "first detected": .detected,
        "accepted": .opened, "declared": .opened,
        "acknowledged": .acknowledged,
        "fixed": .mitigated, "mitigated": .mitigated, "monitoring": .mitigated,
        "resolved": .resolved,
        "closed": .closed,
    ]

    /// Names that mark no clock point of their own: "Reported at" is when it was created.
    static let ignoredNames: Set<String> = ["reported", "created", "last activity", "updated"]

    private let clockNames: [String: ClockPoint]
    private let mapper: ImportMapper
    private var incidents: [ImportRecord] = []
    private var updates: [ImportRecord] = []
    private var catalogues: [(kind: String, record: ImportRecord)] = []

    init(options: IncidentImport.Options, mapper: ImportMapper) {
        clockNames = Self.defaultNames.merging(options.clockNames) { $1 }
        self.mapper = mapper
    }

    static func incidentID(of value: JSONValue) -> String? {
        if value["incident_status"] != nil || value["reference"] != nil { return value["id"]?.text }
        if value["new_incident_status"] != nil { return value["incident_id"]?.text }
        return nil
    }

    mutating func read(_ file: ImportFile, report: inout ImportReport) throws {
        for record in try ImportInput.records(file, tool: Self.tool, incidentID: Self.incidentID) {
            let value = record.value
            func add(_ items: [JSONValue], to list: inout [ImportRecord]) {
                for item in items {
                    var one = record
                    one.value = item
                    list.append(one)
                }
            }
            if let list = value["incidents"] { add(list.items, to: &incidents) }
            if let one = value["incident"], one.isObject { add([one], to: &incidents) }
            if let list = value["incident_updates"] { add(list.items, to: &updates) }
            if value["incident_status"] != nil, value["id"] != nil { add([value], to: &incidents) }
            if let items = value.array { add(items.filter { $0["incident_status"] != nil }, to: &incidents) }
            for kind in ["incident_timestamps", "severities", "incident_roles", "incident_statuses"] where value[kind] != nil {
                catalogues.append((kind, record))
            }
        }
    }

    func incidents(report: inout ImportReport) throws -> [ImportedIncident] {
        checkCatalogues(&report)
        var updatesByIncident: [String: [(Date, ImportRecord)]] = [:]
        for record in updates {
            let update = record.value
            let incidentID = update["incident_id"]?.text ?? "(none)"
            let label = "incident.io update \(update["id"]?.text ?? "?") of incident \(incidentID)"
            let at = try ImportInput.creationTime(update["created_at"], field: "created_at", of: label, at: record.location)
            updatesByIncident[incidentID, default: []].append((at, record))
        }
        let ids = Set(incidents.compactMap { $0.value["id"]?.text })
        for (id, list) in updatesByIncident.sorted(by: { $0.key < $1.key }) where !ids.contains(id) {
            report.skip("\(list.count) incident.io update\(list.count == 1 ? "" : "s") of incident \(id): the incident itself is not in these files")
        }
        var result: [ImportedIncident] = []
        for record in incidents {
            let list = (updatesByIncident[record.value["id"]?.text ?? ""] ?? []).enumerated()
                .sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
            if let incident = try convert(record, updates: list, report: &report) { result.append(incident) }
        }
        return result
    }

    /// Status categories: an incident's status is one the organisation names, in one of these.
    static let statuses = ImportStatusVocabulary(
        name: "status category", documented: "one incident.io documents",
        statuses: ["triage": .open, "live": .acknowledged, "paused": .acknowledged, "learning": .resolved, "closed": .closed],
        notCounted: ["declined", "merged", "canceled", "cancelled"])

    private func convert(_ record: ImportRecord, updates: [(at: Date, record: ImportRecord)], report: inout ImportReport) throws -> ImportedIncident? {
        let object = record.value
        let reference = object["reference"]?.text
        let source = try ExportedIncident(Self.tool, id: object["id"]?.text, reference: reference, at: record.location)
        let short = source.short
        let created = try source.opened(object["created_at"], "created_at")
        let mode = object["mode"]?.text ?? "standard"
        if mode == "test" || mode == "tutorial" {
            report.skip("\(short): a \(mode) incident (mode \(mode)), not a real one")
            return nil
        }
        let category = object[path: "incident_status", "category"]?.text ?? ""
        let statusName = object[path: "incident_status", "name"]?.text ?? category
        guard let status = source.status(category, Self.statuses, report: &report) else { return nil }
        let categoryNames = ["triage", "live", "active", "learning", "post-incident", "closed", "declined", "merged", "canceled", "paused"]
        if statusName.lowercased() != category, categoryNames.contains(statusName.lowercased()) {
            report.note("status '\(statusName)' is in category \(category): imported as \(status.rawValue) (ops goes by the category)", on: short)
        }
        if mode == "retrospective" {
            report.note("declared after the fact (mode retrospective): its clock points are as people entered them", on: short)
        }

        let severityName = object[path: "severity", "name"]?.text
        var incident = ImportedIncident(
            tool: Self.tool, sourceID: source.id, reference: reference, file: record.file,
            title: object["name"]?.text ?? "incident.io \(reference ?? source.id)", summary: object["summary"]?.text,
            url: object["permalink"]?.text,
            severity: SeverityInput(names: [severityName].compactMap { $0 }, described: severityName.map { "'\($0)'" } ?? "none given"),
            status: status, service: service(of: object))
        incident.updatedAt = try source.time(object["updated_at"], "updated_at")
        incident.creator = actor(object["creator"])
        incident.clock[.opened] = created
        incident.sourceEvents = updates.count

        for value in object["incident_timestamp_values"]?.items ?? [] {
            guard let name = value[path: "incident_timestamp", "name"]?.text else { continue }
            // No value: the organisation defines the timestamp, but it was never set here.
            guard
                let at = try source.time(value[path: "value", "value"], "incident_timestamp_values '\(name)'")
            else { continue }
            guard let point = clockNames[IncidentImport.Options.key(name)] else {
                if Self.ignoredNames.contains(IncidentImport.Options.key(name)) { continue }
                report.unmapped("timestamp", "'\(name)': no clock point; not imported (map it with --clock '\(name)=POINT')", on: short)
                continue
            }
            incident.clock[point] = at
        }
        if incident.clock[.opened]! != created {
            report.note("opened_at is the organisation's accepted/declared timestamp, not created_at (it was in triage first)", on: short)
        }

        for (at, updateRecord) in updates {
            let update = updateRecord.value
            let newCategory = update[path: "new_incident_status", "category"]?.text ?? ""
            let newName = update[path: "new_incident_status", "name"]?.text ?? newCategory
            if incident.clock[.resolved] == nil, newCategory == "learning" || newCategory == "closed" { incident.clock[.resolved] = at }
            if incident.clock[.closed] == nil, newCategory == "closed" { incident.clock[.closed] = at }
            var text = newName
            if let severity = update[path: "new_severity", "name"]?.text { text += ", severity \(severity)" }
            if let message = update["message"]?.text { text += ": " + message }
            incident.events.append(ImportedEvent(at: at, actor: actor(update["updater"]), kind: "update", text: text))
        }

        for assignment in object["incident_role_assignments"]?.items ?? [] {
            guard let assignee = assignment["assignee"], !assignee.isNull else { continue }
            let person = ImportedPerson(name: assignee["name"]?.text, email: assignee["email"]?.text)
            let roleType = assignment[path: "role", "role_type"]?.text
            if roleType == "lead" {
                incident.commander = person
            } else if roleType != "reporter", let name = assignment[path: "role", "name"]?.text {
                incident.roles.append((name, person))
            }
        }
        return incident
    }

    /// The creator or updater: a person, else the workflow, API key or alert that acted.
    private func actor(_ value: JSONValue?) -> ImportedPerson? {
        guard let value, !value.isNull else { return nil }
        if let user = value["user"], !user.isNull { return ImportedPerson(name: user["name"]?.text, email: user["email"]?.text) }
        for key in ["workflow", "api_key"] {
            if let name = value[path: key, "name"]?.text { return .system(name) }
        }
        if value["alert"] != nil { return .system("alert") }
        return nil
    }

    /// incident.io has no service field: it is a custom field, whichever one is named like one.
    private func service(of object: JSONValue) -> String? {
        for entry in object["custom_field_entries"]?.items ?? [] {
            guard let name = entry[path: "custom_field", "name"]?.text?.lowercased(), name.contains("service") else { continue }
            for value in entry["values"]?.items ?? [] {
                if let text = value[path: "value_catalog_entry", "name"]?.text ?? value[path: "value_option", "value"]?.text ?? value["value_text"]?.text {
                    return text
                }
            }
        }
        return nil
    }

    /// The organisation's timestamp names, severities and roles, checked before any incident
    /// uses them: whatever will not map is reported once.
    private func checkCatalogues(_ report: inout ImportReport) {
        for (kind, record) in catalogues {
            let items = record.value[kind]?.items ?? []
            switch kind {
            case "incident_timestamps":
                for name in items.compactMap({ $0["name"]?.text })
                where clockNames[IncidentImport.Options.key(name)] == nil && !Self.ignoredNames.contains(IncidentImport.Options.key(name)) {
                    report.unmapped("timestamp", "'\(name)': no clock point; not imported (map it with --clock '\(name)=POINT')", on: nil)
                }
            case "severities":
                for name in items.compactMap({ $0["name"]?.text }) where mapper.config.severity(named: name) == nil {
                    report.unmapped("severity", "'\(name)' (incident.io's list): not in ops.yaml; incidents with it are filed at the lowest level", on: nil)
                }
            case "incident_roles":
                for item in items where item["role_type"]?.text != "lead" && item["role_type"]?.text != "reporter" {
                    if let name = item["name"]?.text, mapper.roleName(name) == nil {
                        report.unmapped("role", "'\(name)' (incident.io's list): no ops role; not recorded", on: nil)
                    }
                }
            default:
                break
            }
        }
    }
}
