import Foundation

/// Rootly's JSON:API: `{"data": {"type": "incidents", "attributes": {...}}}` (one incident,
/// or the responses of its mitigate and resolve calls), `{"data": [...]}` lists, with
/// `included` events and services, and incident events on their own (`incident_events`),
/// matched to incidents through `relationships.events`.
///
/// Times carry the organisation's offset (`-07:00`) and are stored in UTC. Detected and
/// acknowledged exist only when a person or workflow set them. Resolving an unmitigated
/// incident sets `mitigated_at` to `resolved_at` (with no `mitigated_by`): that is left missing.
/// Test, example and sub-incidents, maintenance windows and cancelled incidents are skipped.
struct RootlyReader: ImportReader {
    static let tool = ImportTool.rootly
    /// Rootly's fixed severity scale, most severe first.
    static let levels = ["critical", "high", "medium", "low"]

    private var incidents: [ImportRecord] = []
    /// Events and services by id, from `included` and from event files.
    private var events: [String: ImportRecord] = [:]
    private var eventOrder: [String] = []
    private var services: [String: String] = [:]

    init(options: IncidentImport.Options, mapper: ImportMapper) {}

    static func incidentID(of value: JSONValue) -> String? {
        value["type"]?.string == "incidents" ? value["id"]?.text : nil
    }

    mutating func read(_ file: ImportFile, report: inout ImportReport) throws {
        for record in try ImportInput.records(file, tool: Self.tool, incidentID: Self.incidentID) {
            let value = record.value
            let data = value["data"].map { $0.array ?? [$0] } ?? value.array ?? [value]
            for item in data + (value["included"]?.items ?? []) {
                var one = record
                one.value = item
                switch item["type"]?.string {
                case "incidents":
                    incidents.append(one)
                case "incident_events":
                    if let id = item["id"]?.text {
                        if events[id] == nil { eventOrder.append(id) }
                        events[id] = one
                    }
                case "services":
                    if let id = item["id"]?.text, let name = item[path: "attributes", "name"]?.text { services[id] = name }
                default:
                    break
                }
            }
        }
    }

    func incidents(report: inout ImportReport) throws -> [ImportedIncident] {
        var used = Set<String>()
        var result: [ImportedIncident] = []
        for record in incidents {
            if let incident = try convert(record, used: &used, report: &report) { result.append(incident) }
        }
        for id in eventOrder where !used.contains(id) {
            report.skip(
                "Rootly event \(id): no incident in these files lists it in relationships.events (an event carries no incident id; export it with its incident, include=events)"
            )
        }
        return result
    }

    static let statuses = ImportStatusVocabulary(
        name: "Rootly status", documented: "one it documents",
        statuses: [
            "in_triage": .open, "started": .open, "detected": .open, "": .open, "acknowledged": .acknowledged,
            "mitigated": .mitigated, "resolved": .resolved, "closed": .closed,
        ],
        notCounted: ["cancelled"])

    private func convert(_ record: ImportRecord, used: inout Set<String>, report: inout ImportReport) throws -> ImportedIncident? {
        let item = record.value
        guard let attributes = item["attributes"] else { throw ExportedIncident.missing("attributes", in: Self.tool, at: record.location) }
        let number = attributes["sequential_id"]?.int.map { "#\($0)" }
        let source = try ExportedIncident(Self.tool, id: item["id"]?.text, reference: number, at: record.location)
        let short = source.short
        // Every time is read, so a bad one is an error whichever the import ends up using.
        var times: [String: Date] = [:]
        for key in [
            "in_triage_at", "started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at",
            "cancelled_at", "created_at", "updated_at",
        ] {
            times[key] = try source.time(attributes[key], key)
        }
        let created = try source.opened(attributes["created_at"], "created_at")

        let kind = attributes["kind"]?.text ?? "normal"
        if kind != "normal" && kind != "backfilled" {
            let why =
                kind == "scheduled"
                ? "a scheduled maintenance" : kind.hasSuffix("_sub") ? "a sub-incident (\(kind)), counted with its parent" : "a \(kind) incident"
            report.skip("\(short): \(why), not an incident to count")
            return nil
        }
        guard let status = source.status(attributes["status"]?.text ?? "", Self.statuses, report: &report) else { return nil }

        let severity = attributes[path: "severity", "data", "attributes"]
        let severityName = severity?["name"]?.text
        let level = severity?["severity"]?.text?.lowercased()
        let position = level.flatMap { Self.levels.firstIndex(of: $0) }
        var described = severityName.map { "'\($0)'" } ?? "none given"
        if let level, severityName != level { described += " (level \(level))" }
        let serviceIDs = item[path: "relationships", "services", "data"]?.items.compactMap { $0["id"]?.text } ?? []
        var incident = ImportedIncident(
            tool: Self.tool, sourceID: source.id, reference: number, file: record.file,
            title: attributes["title"]?.text ?? "Rootly incident \(number ?? source.id)", summary: attributes["summary"]?.text,
            url: attributes["url"]?.text,
            severity: SeverityInput(
                names: [severityName, severity?["slug"]?.text, level].compactMap { $0 }, described: described,
                scale: position.map { ($0, Self.levels.count, level!) }),
            status: status, service: serviceIDs.lazy.compactMap { services[$0] }.first)
        if !serviceIDs.isEmpty, incident.service == nil {
            report.note("services are given as ids only: export with include=services to import them", on: short)
        }
        if !(item[path: "relationships", "roles", "data"]?.items.isEmpty ?? true) {
            report.note("roles are given as ids only; not imported", on: short)
        }
        incident.updatedAt = times["updated_at"]
        incident.creator = user(attributes["user"])

        // Opened when it was created, or when it entered triage if it was triaged first.
        incident.clock[.opened] = times["in_triage_at"].map { min($0, created) } ?? created
        incident.clock[.started] = times["started_at"]
        incident.clock[.detected] = times["detected_at"]
        incident.clock[.acknowledged] = times["acknowledged_at"]
        incident.clock[.mitigated] = times["mitigated_at"]
        incident.clock[.resolved] = times["resolved_at"]
        incident.clock[.closed] = times["closed_at"]
        let mitigatedBy = user(attributes["mitigated_by"])
        if let mitigated = times["mitigated_at"], mitigated == times["resolved_at"], mitigatedBy == nil {
            incident.clock[.mitigated] = nil
            report.note(
                "mitigated_at equals resolved_at with nobody as mitigated_by: Rootly fills it in when an incident is resolved without being mitigated. Left missing",
                on: short)
        }

        if let at = incident.clock[.mitigated] {
            incident.events.append(ImportedEvent(at: at, actor: mitigatedBy, kind: "mitigated", text: attributes["mitigation_message"]?.text ?? ""))
        }
        if let at = incident.clock[.resolved] {
            incident.events.append(
                ImportedEvent(
                    at: at, actor: user(attributes["resolved_by"]), kind: "resolved",
                    text: attributes["resolution_message"]?.text ?? ""))
        }
        if let at = incident.clock[.closed] {
            incident.events.append(ImportedEvent(at: at, actor: user(attributes["closed_by"]), kind: "closed"))
        }
        for reference in item[path: "relationships", "events", "data"]?.items ?? [] {
            guard let eventID = reference["id"]?.text, let event = events[eventID] else { continue }
            used.insert(eventID)
            incident.sourceEvents += 1
            let attributes = event.value["attributes"]
            let eventLabel = "Rootly event \(eventID) of incident \(source.id)"
            guard
                let at = try ImportInput.time(
                    attributes?["occurred_at"] ?? attributes?["created_at"], field: "occurred_at",
                    of: eventLabel, at: event.location)
            else { continue }
            let text = attributes?["event"]?.text ?? attributes?["event_raw"]?.text ?? ""
            let actor = attributes?["user_display_name"]?.text.map { ImportedPerson(name: $0, email: nil, isSystem: $0 == "Rootly") }
            incident.events.append(ImportedEvent(at: at, actor: actor, kind: attributes?["kind"]?.text == "note" ? "note" : "event", text: text))
        }
        return incident
    }

    /// A `{"data": {"type": "users", "attributes": {...}}}` user, nil for null.
    private func user(_ value: JSONValue?) -> ImportedPerson? {
        guard let attributes = value?[path: "data", "attributes"] else { return nil }
        let name = attributes["full_name"]?.text ?? attributes["name"]?.text
        let email = attributes["email"]?.text
        guard name != nil || email != nil else { return nil }
        return ImportedPerson(name: name, email: email)
    }
}
