import Foundation

/// PagerDuty REST API v2: incident objects and their log entries, from any number of files
/// (`{"incidents": [...]}`, `{"log_entries": [...]}`, plain arrays, JSON lines, Airbyte records).
///
/// PagerDuty has no impact start, mitigation, close or commander. Detection and opening are the
/// trigger. The acknowledgement lives only in the log entries once an incident is resolved
/// (`acknowledgements[]` is emptied then), older exports have no `resolved_at`, and the log
/// comes newest first.
struct PagerDutyReader: ImportReader {
    static let tool = ImportTool.pagerduty

    private var incidents: [ImportRecord] = []
    private var logEntries: [ImportRecord] = []

    init(options: IncidentImport.Options, mapper: ImportMapper) {}

    static func incidentID(of value: JSONValue) -> String? {
        guard let type = value["type"]?.string else { return nil }
        if type == "incident" { return value["id"]?.text }
        if type.hasSuffix("_log_entry") { return value[path: "incident", "id"]?.text }
        return nil
    }

    mutating func read(_ file: ImportFile, report: inout ImportReport) throws {
        for record in try ImportInput.records(file, tool: Self.tool, incidentID: Self.incidentID) {
            collect(record.value, record, report: &report)
        }
    }

    private mutating func collect(_ value: JSONValue, _ record: ImportRecord, report: inout ImportReport) {
        if let items = value.array {
            for item in items { collect(item, record, report: &report) }
            return
        }
        for key in ["incidents", "incident", "log_entries", "log_entry"] {
            if let inner = value[key], !inner.isNull, value["type"] == nil {
                collect(inner, record, report: &report)
                return
            }
        }
        var one = record
        one.value = value
        let type = value["type"]?.string ?? ""
        if type == "incident" {
            incidents.append(one)
        } else if type.hasSuffix("_log_entry") {
            logEntries.append(one)
        } else if value.isObject, !value.keys.isEmpty, value["pagination_meta"] == nil, value["limit"] == nil {
            report.skip("\(record.location.prefix)an object of type '\(type.isEmpty ? "none" : type)' is not a PagerDuty incident or log entry")
        }
    }

    func incidents(report: inout ImportReport) throws -> [ImportedIncident] {
        // Log entries by incident, each list sorted by time; the API order breaks ties.
        var entriesByIncident: [String: [(Date, ImportRecord)]] = [:]
        let idsWithIncident = Set(incidents.compactMap { $0.value["id"]?.text })
        for record in logEntries {
            let entry = record.value
            let incidentID = entry[path: "incident", "id"]?.text ?? "(none)"
            let label = "PagerDuty log entry \(entry["id"]?.text ?? "?") of incident \(incidentID)"
            let at = try ImportInput.creationTime(entry["created_at"], field: "created_at", of: label, at: record.location)
            entriesByIncident[incidentID, default: []].append((at, record))
        }
        for (id, entries) in entriesByIncident.sorted(by: { $0.key < $1.key }) where !idsWithIncident.contains(id) {
            report.skip(
                "\(entries.count) log entr\(entries.count == 1 ? "y" : "ies") of PagerDuty incident \(id): the incident itself is not in these files. Import the incidents and their log entries together"
            )
        }
        return try incidents.compactMap { record in
            let entries = (entriesByIncident[record.value["id"]?.text ?? ""] ?? []).enumerated()
                .sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
            return try convert(record, entries: entries, report: &report)
        }
    }

    static let statuses = ImportStatusVocabulary(
        name: "PagerDuty status", documented: "triggered, acknowledged or resolved",
        statuses: ["triggered": .open, "acknowledged": .acknowledged, "resolved": .resolved])

    private func convert(_ record: ImportRecord, entries: [(at: Date, record: ImportRecord)], report: inout ImportReport) throws -> ImportedIncident? {
        let object = record.value
        let number = object["incident_number"]?.int.map { "#\($0)" }
        let source = try ExportedIncident(Self.tool, id: object["id"]?.text, reference: number, at: record.location)
        let short = source.short
        func time(_ key: String) throws -> Date? { try source.time(object[key], key) }
        let created = try source.opened(object["created_at"], "created_at")
        guard let status = source.status(object["status"]?.text ?? "", Self.statuses, report: &report) else { return nil }

        let priority = object[path: "priority", "summary"]?.text ?? object[path: "priority", "name"]?.text
        let urgency = object["urgency"]?.text
        let severity = SeverityInput(
            names: [priority].compactMap { $0 },
            described: priority.map { "priority '\($0)'" } ?? "no priority" + (urgency.map { " (urgency \($0))" } ?? ""))
        var incident = ImportedIncident(
            tool: Self.tool, sourceID: source.id, reference: number, file: record.file,
            title: object["title"]?.text ?? object["summary"]?.text ?? "PagerDuty incident \(number ?? source.id)",
            summary: object["description"]?.text.flatMap { $0 == object["title"]?.text ? nil : $0 },
            url: object["html_url"]?.text, severity: severity, status: status,
            service: object[path: "service", "summary"]?.text)
        incident.updatedAt = try time("updated_at") ?? time("last_status_change_at")
        incident.clock[.opened] = created
        incident.sourceEvents = entries.count

        let acks = entries.filter { $0.record.value["type"]?.string == "acknowledge_log_entry" }
        let trigger = entries.first { $0.record.value["type"]?.string == "trigger_log_entry" }
        incident.creator = trigger.map { actor(of: $0.record.value) }
        // The trigger is detection when a monitor sent it; a person opening one by hand is not.
        if let trigger, trigger.record.value[path: "agent", "type"]?.string != "user_reference" {
            incident.clock[.detected] = created
        }

        // Acknowledged: the earliest acknowledgement, never a later one, and missing when none.
        if let first = acks.first {
            incident.clock[.acknowledged] = first.at
            if acks.count > 1 { report.note("acknowledged \(acks.count) times: acknowledged_at is the first acknowledgement", on: short) }
            incident.commander = actor(of: first.record.value)
        } else {
            var listed: [Date] = []
            for ack in object["acknowledgements"]?.items ?? [] {
                if let at = try source.time(ack["at"], "acknowledgements.at") { listed.append(at) }
            }
            if let first = listed.min() {
                incident.clock[.acknowledged] = first
                incident.commander = object["acknowledgements"]?.items.first?["acknowledger"].map(person(from:))
            } else if status == .resolved {
                if entries.isEmpty {
                    report.note(
                        "no log entries in these files, and PagerDuty empties acknowledgements[] on resolve: acknowledged_at is unknown, left missing. Import the log entries too",
                        on: short)
                } else {
                    report.note("never acknowledged: acknowledged_at left missing (ops stats counts it as missing, not 0)", on: short)
                }
            }
        }

        // Resolved: resolved_at, else (2022-era objects have no such key) the resolve log entry,
        // else the last status change of a resolved incident.
        let resolveEntry = entries.first { $0.record.value["type"]?.string == "resolve_log_entry" }
        if let resolved = try time("resolved_at") {
            incident.clock[.resolved] = resolved
        } else if let resolveEntry {
            incident.clock[.resolved] = resolveEntry.at
            report.note("no resolved_at in the incident object (older export): resolved_at taken from the resolve log entry", on: short)
        } else if status == .resolved, let last = try time("last_status_change_at") {
            incident.clock[.resolved] = last
            report.note("no resolved_at and no resolve log entry: resolved_at taken from last_status_change_at", on: short)
        }
        if let resolveEntry {
            let entry = resolveEntry.record.value
            if entry[path: "channel", "type"]?.string == "timeout" {
                report.note("resolved by PagerDuty's auto-resolve timeout, not by a person", on: short)
            } else if entry[path: "agent", "type"]?.string != "user_reference" {
                report.note("resolved by an integration (\(entry[path: "agent", "summary"]?.text ?? "a monitor")), not by a person", on: short)
            }
        }

        var skippedKinds: [String: Int] = [:]  // type → count
        for (at, entryRecord) in entries {
            let entry = entryRecord.value
            let type = entry["type"]?.string ?? ""
            let summary = entry["summary"]?.text ?? ""
            let by = actor(of: entry)
            let channel = entry[path: "channel", "type"]?.text
            let viaChannel = by.isSystem ? summary : channel.map { "via \($0)" } ?? ""
            switch type {
            case "trigger_log_entry": incident.events.append(ImportedEvent(at: at, actor: by, kind: "opened", text: summary))
            case "acknowledge_log_entry": incident.events.append(ImportedEvent(at: at, actor: by, kind: "acknowledged", text: viaChannel))
            case "resolve_log_entry": incident.events.append(ImportedEvent(at: at, actor: by, kind: "resolved", text: viaChannel))
            case "annotate_log_entry":
                incident.events.append(ImportedEvent(at: at, actor: by, kind: "note", text: entry[path: "channel", "summary"]?.text ?? summary))
            case "unacknowledge_log_entry": incident.events.append(ImportedEvent(at: at, actor: by, kind: "unacknowledged", text: summary))
            case "snooze_log_entry": incident.events.append(ImportedEvent(at: at, actor: by, kind: "snoozed", text: summary))
            case "assign_log_entry", "delegate_log_entry":
                incident.events.append(ImportedEvent(at: at, actor: by, kind: "assigned", text: summary))
            case "escalate_log_entry": incident.events.append(ImportedEvent(at: at, actor: by, kind: "escalated", text: summary))
            case "notify_log_entry", "reach_trigger_limit_log_entry", "repeat_escalation_path_log_entry", "exhaust_escalation_path_log_entry",
                "link_log_entry", "reach_ack_limit_log_entry":
                skippedKinds[type, default: 0] += 1
            default:
                let kind = type.replacingOccurrences(of: "_log_entry", with: "")
                incident.events.append(ImportedEvent(at: at, actor: by, kind: kind.isEmpty ? "event" : kind, text: summary))
            }
        }
        for type in skippedKinds.keys.sorted() {
            report.note("\(type) entries (notifications and escalation bookkeeping) are not put in timelines")
        }
        return incident
    }

    /// Who acted in a log entry: a person for user agents, else the integration or service.
    private func actor(of entry: JSONValue) -> ImportedPerson {
        if entry[path: "channel", "type"]?.string == "timeout" { return .system("pagerduty") }
        guard let agent = entry["agent"] else { return .system("pagerduty") }
        if agent["type"]?.string == "user_reference" { return person(from: agent) }
        return .system(agent["summary"]?.text ?? "pagerduty")
    }

    private func person(from reference: JSONValue) -> ImportedPerson {
        ImportedPerson(name: reference["summary"]?.text ?? reference["name"]?.text, email: reference["email"]?.text)
    }
}
