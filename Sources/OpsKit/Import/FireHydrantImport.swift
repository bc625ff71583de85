import Foundation

/// FireHydrant `GET /v1/incidents` items (`{"data": [...]}`, a JSON array, JSON lines or Airbyte
/// records), each with its `GET /v1/incidents/{id}/events` list under `events` when exported.
///
/// Clock points are the milestones (or the lifecycle phases' milestones in the newer API).
/// Its traps: a manually declared incident starts acknowledged, a fraction of a second after it
/// opened (kept, and said); milestone times are edited freely (the edit is written to the
/// timeline as a correction); moving straight to resolved fills mitigated with the same instant
/// (left missing); and the started milestone lags created_at by a fraction of a second.
struct FireHydrantReader: ImportReader {
    static let tool = ImportTool.firehydrant

    static let defaultNames: [String: ClockPoint] = [
        "started": .started, "detected": .detected, "acknowledged": .acknowledged, "mitigated": .mitigated,
        "resolved": .resolved, "closed": .closed,
    ]
    /// FireHydrant's own milestones that mark no ops clock point.
    static let phaseOnly: Set<String> = [
        "investigating", "identified", "retrospective started", "retrospective completed",
        "postmortem started", "postmortem completed",
    ]

    private let clockNames: [String: ClockPoint]
    private var incidents: [ImportRecord] = []

    init(options: IncidentImport.Options, mapper: ImportMapper) {
        clockNames = Self.defaultNames.merging(options.clockNames) { $1 }
    }

    static func incidentID(of value: JSONValue) -> String? {
        // An incident cut off early may have only its first keys: `id`, then `name`.
        let isIncident =
            value["milestones"] != nil || value["current_milestone"] != nil || value["lifecycle_phases"] != nil
            || (value["name"] != nil && value["type"] == nil && value["email"] == nil)
        return isIncident ? value["id"]?.text : nil
    }

    mutating func read(_ file: ImportFile, report: inout ImportReport) throws {
        for record in try ImportInput.records(file, tool: Self.tool, incidentID: Self.incidentID) {
            collect(record.value, record)
        }
    }

    private mutating func collect(_ value: JSONValue, _ record: ImportRecord) {
        if let items = value.array {
            for item in items { collect(item, record) }
        } else if let data = value["data"] {
            collect(data, record)
        } else if Self.incidentID(of: value) != nil || value["created_at"] != nil && value["name"] != nil {
            var one = record
            one.value = value
            incidents.append(one)
        }
    }

    func incidents(report: inout ImportReport) throws -> [ImportedIncident] {
        var skipped: Set<String> = []
        let result = try incidents.compactMap { try convert($0, skipped: &skipped, report: &report) }
        if !skipped.isEmpty {
            report.note("FireHydrant events about tasks, tickets, runbooks and impacts (\(skipped.sorted().joined(separator: ", "))) are not put in timelines")
        }
        return result
    }

    private struct Milestone {
        var slug: String
        var occurred: Date
        var updated: Date?
    }

    /// The current milestone's status; one it does not know is resolved when the incident is no longer active.
    static let statuses = ImportStatusVocabulary(
        name: "current milestone", documented: "one of FireHydrant's standard ones",
        statuses: [
            "started": .open, "detected": .open, "": .open,
            "acknowledged": .acknowledged, "investigating": .acknowledged, "identified": .acknowledged,
            "mitigated": .mitigated,
            "resolved": .resolved, "retrospective started": .resolved, "retrospective completed": .resolved,
            "postmortem started": .resolved, "postmortem completed": .resolved,
            "closed": .closed,
        ],
        key: { $0.replacingOccurrences(of: "_", with: " ") })

    private func convert(_ record: ImportRecord, skipped: inout Set<String>, report: inout ImportReport) throws -> ImportedIncident? {
        let object = record.value
        let number = object["number"]?.int.map { "#\($0)" }
        let source = try ExportedIncident(Self.tool, id: object["id"]?.text, reference: number, at: record.location)
        let short = source.short
        let created = try source.opened(object["created_at"], "created_at")
        guard
            let status = source.status(
                object["current_milestone"]?.text ?? "", Self.statuses, fallback: object["active"]?.bool == false ? .resolved : .open,
                report: &report)
        else { return nil }

        let severityName = object["severity"]?.text
        var incident = ImportedIncident(
            tool: Self.tool, sourceID: source.id, reference: number, file: record.file,
            title: object["name"]?.text ?? "FireHydrant incident \(number ?? source.id)",
            summary: object["summary"]?.text ?? object["description"]?.text,
            impact: object["customer_impact_summary"]?.text, url: object["incident_url"]?.text,
            severity: SeverityInput(names: [severityName].compactMap { $0 }, described: severityName.map { "'\($0)'" } ?? "none given"),
            status: status,
            service: object["services"]?.items.first?["name"]?.text
                ?? object["impacts"]?.items.first { $0["type"]?.string == "service" }?[path: "impact", "name"]?.text)
        incident.creator = person(object["created_by"])
        incident.updatedAt = try source.time(object["updated_at"], "updated_at")
        incident.clock[.opened] = created

        // Milestones: the deprecated flat list, else the lifecycle phases' milestones.
        var milestones: [Milestone] = []
        for item in object["milestones"]?.items ?? [] {
            guard let slug = item["type"]?.text ?? item["slug"]?.text else { continue }
            guard let occurred = try source.time(item["occurred_at"], "milestones[\(slug)].occurred_at") else { continue }
            milestones.append(Milestone(slug: slug, occurred: occurred, updated: try source.time(item["updated_at"], "milestones[\(slug)].updated_at")))
        }
        if object["milestones"] == nil {
            for phase in object["lifecycle_phases"]?.items ?? [] {
                for item in phase["milestones"]?.items ?? [] {
                    guard let slug = item["slug"]?.text ?? item["type"]?.text else { continue }
                    guard let occurred = try source.time(item["occurred_at"], "lifecycle_phases.milestones[\(slug)].occurred_at") else { continue }
                    milestones.append(Milestone(slug: slug, occurred: occurred, updated: try source.time(item["updated_at"], "milestones[\(slug)].updated_at")))
                }
            }
        }
        var slugOf: [ClockPoint: Milestone] = [:]
        for milestone in milestones {
            let key = IncidentImport.Options.key(milestone.slug)
            guard let point = clockNames[key] else {
                if !Self.phaseOnly.contains(key) {
                    report.unmapped("milestone", "'\(milestone.slug)': no clock point; not imported (map it with --clock '\(milestone.slug)=POINT')", on: short)
                }
                continue
            }
            incident.clock[point] = milestone.occurred
            slugOf[point] = milestone
        }
        if incident.clock[.started] == nil, let started = try source.time(object["started_at"], "started_at") { incident.clock[.started] = started }

        // The started milestone defaults to the opening, written a moment after created_at; when
        // that moment crosses a second it would read as impact starting after the opening.
        if let started = incident.clock[.started], started > created, started.timeIntervalSince(created) < 1,
            ImportMapper.whole(started) != ImportMapper.whole(created)
        {
            incident.clock[.started] = created
            report.note(
                "the started milestone is FireHydrant's default, written \(Int((started.timeIntervalSince(created) * 1000).rounded())) ms after the incident opened: started_at stored as the opening second",
                on: short)
        }
        // Moving straight to resolved makes FireHydrant fill mitigated with the same instant.
        if let mitigated = incident.clock[.mitigated], mitigated == incident.clock[.resolved] {
            incident.clock[.mitigated] = nil
            report.note(
                "mitigated and resolved milestones are the same instant (moved straight to resolved): mitigated_at left missing, not a 0 s mitigation",
                on: short)
        }
        if let acknowledged = incident.clock[.acknowledged], acknowledged.timeIntervalSince(incident.clock[.started] ?? created) < 1 {
            report.note(
                "acknowledged within a second of opening: FireHydrant starts a manually declared incident acknowledged. Kept as recorded; its time to acknowledge of about 0 s is not a response time",
                on: short)
        }

        var milestoneEvents: [(at: Date, to: String)] = []
        func add(_ event: JSONValue, type: String, at: Date, by: ImportedPerson?) {
            let data = event["data"]
            switch type {
            case "event/note":
                if let body = data?["body"]?.text { incident.events.append(ImportedEvent(at: at, actor: by, kind: "note", text: body)) }
            case "event/bulk_milestone_update":
                let from = data?["original_milestone"]?.text ?? "?"
                let to = data?["current_milestone"]?.text ?? "?"
                let point = clockNames[IncidentImport.Options.key(to)]
                let kind = IncidentStatus.allCases.first { $0.clockPoint == point && $0 != .open }?.rawValue ?? "milestone"
                incident.events.append(ImportedEvent(at: at, actor: by, kind: kind, text: "milestone \(from) → \(to)"))
                milestoneEvents.append((at, to))
            case "event/incident_status":
                incident.events.append(ImportedEvent(at: at, actor: by, kind: "status", text: "status \(data?["new_status"]?.text ?? "?")"))
            case "event/role_update":
                let assignment = data?["role_assignment"]
                let role = assignment?[path: "incident_role", "name"]?.text ?? "?"
                let name = assignment?[path: "user", "name"]?.text ?? "?"
                let removed = data?["operation"]?.text == "remove"
                incident.events.append(ImportedEvent(at: at, actor: by, kind: removed ? "unassigned" : "assigned", text: "\(role): \(name)"))
            case "event/generic_resource_change":
                let fields = data?["fields"]
                if let severity = fields?["severity"]?.text {
                    incident.events.append(ImportedEvent(at: at, actor: by, kind: "severity", text: "severity → \(severity)"))
                }
                let others = (fields?.keys ?? []).filter { $0 != "severity" }
                if !others.isEmpty { incident.events.append(ImportedEvent(at: at, actor: by, kind: "edited", text: others.joined(separator: ", "))) }
            case "event/bulk_update":
                // Notes made together with other changes come wrapped; the milestone moves also
                // come on their own, so only the notes are taken from the wrapper.
                for inner in data?["events"]?.items ?? [] where inner["type"]?.string == "event/note" {
                    add(inner, type: "event/note", at: at, by: by)
                }
            default:
                skipped.insert(type.replacingOccurrences(of: "event/", with: ""))
            }
        }
        for event in object["events"]?.items ?? [] {
            let type = event["type"]?.text ?? ""
            guard let at = try source.time(event["occurred_at"] ?? event["created_at"], "events[\(event["id"]?.text ?? "?")].occurred_at") else { continue }
            add(event, type: type, at: at, by: person(event["author"]))
        }
        incident.sourceEvents = object["events"]?.items.count ?? 0

        // A milestone whose time differs from the moment the incident moved to it was edited
        // afterwards: the timeline says so, as `ops incident correct` would.
        for (point, milestone) in slugOf.sorted(by: { $0.key < $1.key }) {
            guard
                let moved = milestoneEvents.filter({ IncidentImport.Options.key($0.to) == IncidentImport.Options.key(milestone.slug) })
                    .map(\.at).min(), abs(moved.timeIntervalSince(milestone.occurred)) >= 1, let edited = milestone.updated, edited > moved,
                incident.clock[point] == milestone.occurred
            else { continue }
            incident.events.append(
                ImportedEvent(
                    at: edited, actor: nil, kind: "corrected",
                    text: "\(point.key) \(Timestamp.format(moved)) → \(Timestamp.format(milestone.occurred)) (edited in FireHydrant)"))
            report.note(
                "\(point.key) was edited after the fact in FireHydrant (set at \(Timestamp.format(moved)), now \(Timestamp.format(milestone.occurred))): ops uses the edited time and the timeline keeps both",
                on: short)
        }

        for assignment in object["role_assignments"]?.items ?? [] where (assignment["status"]?.text ?? "active") == "active" {
            guard let role = assignment[path: "incident_role", "name"]?.text, let user = person(assignment["user"]) else { continue }
            incident.roles.append((role, user))
        }
        return incident
    }

    /// A FireHydrant user or bot (`source` other than a user, such as its Patchy bot).
    private func person(_ value: JSONValue?) -> ImportedPerson? {
        guard let value, !value.isNull, value["name"]?.text != nil || value["email"]?.text != nil else { return nil }
        let source = value["source"]?.text ?? "firehydrant_user"
        return ImportedPerson(
            name: value["name"]?.text, email: value["email"]?.text,
            isSystem: source != "firehydrant_user" && value["email"]?.text == nil)
    }
}
