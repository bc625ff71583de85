public import Foundation
import GitStore
import Yams

/// Postmortems: drafted from the incident, moved through review, and watched for deadlines.
public struct PostmortemService {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// The `Ops-Action` of the commit `ops postmortem new` makes.
    static let newAction = "postmortem.new"

    static func path(for incidentPath: String) -> String {
        (incidentPath as NSString).deletingLastPathComponent + "/" + Postmortem.fileName
    }

    // MARK: New

    /// Writes `postmortem.md` from `templates/postmortem.md`, prefilled from the incident.
    public func create(_ input: String, author: Author) throws -> String {
        let incidents = IncidentService(workspace)
        let incident = try incidents.find(input)
        let config = try workspace.config()
        let path = Self.path(for: incident.path)
        let runbook = try RunbookService(workspace).attached(to: incident)
        let body = try render(incident, runbook: runbook, config: config, author: author)
        let now = workspace.clock()
        let fields: [(String, Node)] = [
            ("incident", Node(incident.id)), ("title", .text("Postmortem: " + incident.title)), ("status", Node("Draft")),
            ("severity", .text(incident.severity)), ("created_at", .timestamp(now)), ("authors", .list([author.handle])),
            ("root_cause_category", Node("", Tag(.null))),
        ]
        let text = try MarkdownDocument.make(path: path, fields: fields, body: body).text
        try workspace.commit(action: Self.newAction, id: incident.id, subject: "postmortem new \(incident.id)", author: author) { snapshot in
            if try snapshot.read(path) != nil {
                throw OpsError.input("\(incident.id) has a postmortem already: \(path)")
            }
            var document = try IncidentDocument(text: UTF8Text.decode(try snapshot.read(incident.path) ?? Data(), path: incident.path), path: incident.path)
            try document.append(TimelineEntry(at: now, actor: author.handle, kind: "postmortem", text: "drafted"))
            return [.write(path, text), .write(incident.path, document.text)]
        }
        return path
    }

    /// The postmortem body for `incident`: the template rendered with its facts. `read` gives a
    /// committed file's text (the template, the incident's): HEAD's unless a merge says otherwise.
    func render(
        _ incident: Incident, runbook: AttachedRunbook?, config: OpsConfig, author: Author, read: ((String) throws -> String?)? = nil
    ) throws -> String {
        let read = read ?? workspace.committedText
        let zone = config.timeZone
        let templatePath = "templates/postmortem.md"
        let template = try read(templatePath) ?? StarterKit.text("postmortem.md")
        let document = try MarkdownDocument(try read(incident.path) ?? "", path: incident.path)
        let durations = incident.durations(clockStart: config.clockStart)
        func duration(_ name: String) -> String { durations[name].map(DurationFormat.short) ?? "–" }
        let origin = incident.clock[.detected] ?? incident.clock[.opened]
        let start = incident.clock[.started] ?? incident.clock[.detected] ?? incident.clock[.opened]
        let end = incident.clock[.resolved]
        let ordered = incident.timeline.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        let timeline: [[String: String]] = ordered.map { entry in
            [
                "time": LocalTime.format(entry.at, zone: zone),
                "offset": origin.map { Self.offset(entry.at.timeIntervalSince($0)) } ?? "",
                "actor": Self.cell(entry.actor),
                "what": Self.cell(entry.text.isEmpty ? entry.kind : "\(entry.kind) \(LocalTime.localizingTimestamps(in: entry.text, zone: zone))"),
            ]
        }
        var values: [String: Any] = [
            "id": incident.id, "title": incident.title.components(separatedBy: .newlines).joined(separator: " "),
            "severity": incident.severity, "service": Self.cell(incident.service ?? "–"),
            "start": start.map { LocalTime.format($0, zone: zone) } ?? "–", "end": end.map { LocalTime.format($0, zone: zone) } ?? "not resolved",
            "zone": zone.identifier, "author": author.handle,
            "summary": Self.sectionText("Summary", document), "impact": Self.sectionText("Impact", document),
            "ttd": duration("time_to_detect"), "tta": duration("time_to_acknowledge"),
            "ttm": duration("time_to_mitigate"), "ttr": duration("time_to_resolve"),
            "definitions": "Time to detect = detected_at − started_at. The others count from "
                + (config.clockStart == .detected ? "detected_at (opened_at when unknown)" : "\(config.clockStart.rawValue)_at") + ".",
            "timeline": timeline,
            "detected": origin.map { LocalTime.format($0, zone: zone) } ?? "unknown",
        ]
        if let runbook {
            values["runbook"] =
                [
                    "runbook_name": runbook.title, "done": runbook.done, "skipped": runbook.skipped, "total": runbook.items.count,
                    "phases": runbook.progress.map { ["phase": $0.phase, "done": $0.done, "skipped": $0.skipped, "total": $0.total] },
                ] as [String: Any]
        }
        return try TemplateRenderer.render(template, path: templatePath, with: values)
    }

    /// The body `ops postmortem new` would write for `incident` now, before anyone writes in it.
    /// A sync merge takes its generated sections (`generatedSections(in:)`) in place of either
    /// side's, and, when two clones drafted the same postmortem, uses it as the base both drafts
    /// grew from, so what each person wrote in a different section merges.
    /// `read` gives a file's text as the merge makes it (the incident, its checklist, the
    /// template), so the draft is the same on every clone, whichever of them merges.
    func draft(for incident: Incident, config: OpsConfig, read: @escaping (String) throws -> String?) throws -> String {
        let runbookPath = AttachedRunbook.path(besideIncident: incident.path)
        let runbook = try? read(runbookPath).map { AttachedRunbook(try MarkdownDocument($0, path: runbookPath)) }
        return try render(incident, runbook: runbook, config: config, author: Author(handle: "ops", name: "ops", email: ""), read: read)
    }

    /// The sections ops writes from the incident (response times, the timeline table) in a
    /// rendered `draft`, by heading.
    static func generatedSections(in draft: String) -> [String: String] {
        let lines = YAMLText.split(draft)
        var sections: [String: String] = [:]
        for heading in ["## Response times", "## Timeline"] {
            guard let start = lines.firstIndex(where: { $0.text.trimmingCharacters(in: .whitespaces) == heading }) else { continue }
            var end = start + 1
            while end < lines.count, !Timeline.isHeading(lines[end].text) { end += 1 }
            sections[heading] = lines[(start + 1)..<end].map { $0.text + ($0.terminator.isEmpty ? "\n" : $0.terminator) }.joined()
        }
        return sections
    }

    /// `T+12m`, `T+1h 05m`, `T-3m` from detection.
    static func offset(_ seconds: Double) -> String {
        (seconds < 0 ? "T-" : "T+") + DurationFormat.short(abs(seconds))
    }

    /// Text safe in one Markdown table cell: pipes escaped, line breaks as spaces.
    static func cell(_ text: String) -> String {
        text.components(separatedBy: .newlines).joined(separator: " ").replacingOccurrences(of: "|", with: "\\|")
    }

    /// A `## ` section of the incident, trimmed, without the template's placeholder text.
    static func sectionText(_ name: String, _ document: MarkdownDocument) -> String {
        let text = Postmortem.section(name, in: document).map(\.1).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let placeholders = ["What is broken, who is affected, since when.", "Users or systems affected, and how badly."]
        return text.isEmpty || placeholders.contains(text) ? "<!-- To write. -->" : text
    }

    // MARK: Status

    public func setStatus(_ input: String, to name: String, author: Author) throws -> (status: String, changed: Bool) {
        guard let status = Postmortem.status(named: name) else {
            throw OpsError.input("'\(name)' is not a postmortem status. Use one of: \(Postmortem.statuses.joined(separator: ", "))")
        }
        let incident = try IncidentService(workspace).find(input)
        let path = Self.path(for: incident.path)
        let now = workspace.clock()
        let commit = try workspace.commit(action: "postmortem.status", id: incident.id, subject: "postmortem \(incident.id): \(status)", author: author) {
            snapshot in
            guard let data = try snapshot.read(path) else {
                throw OpsError.input("\(incident.id) has no postmortem yet. Write one: ops postmortem new \(incident.id)")
            }
            let text = try UTF8Text.decode(data, path: path)
            var document = try MarkdownDocument(text, path: path)
            let before = document.frontMatter?["status"]?.scalarText ?? "Draft"
            if before == status { return [] }
            // Reviewed and Closed say the postmortem is whole: not while lint finds it is not.
            if Postmortem.finished.contains(status) {
                let problems = Postmortem.lint(path, text, try? workspace.config()).filter { !$0.isWarning }
                if let first = problems.first {
                    let more = problems.count > 1 ? " (and \(problems.count - 1) more: ops postmortem lint)" : ""
                    throw OpsError.input("\(first)\(more). Fix it and commit the fix, then mark the postmortem \(status)")
                }
            }
            try document.frontMatter?.set("status", .text(status), order: Postmortem.fieldOrder)
            var incidentDocument = try IncidentDocument(
                text: UTF8Text.decode(try snapshot.read(incident.path) ?? Data(), path: incident.path), path: incident.path)
            try incidentDocument.append(TimelineEntry(at: now, actor: author.handle, kind: "postmortem", text: "\(before) → \(status)"))
            return [.write(path, document.text), .write(incident.path, incidentDocument.text)]
        }
        return (status, commit != nil)
    }

    // MARK: Deadlines

    /// A settled incident whose severity needs a postmortem, with its state.
    public struct Requirement: Sendable, Encodable {
        public var incident: String
        public var title: String
        public var severity: String
        public var resolvedAt: Date
        /// The last day it is due (team zone), `YYYY-MM-DD`.
        public var due: String
        /// `missing`, or the postmortem's status.
        public var status: String
        public var overdue: Bool

        enum CodingKeys: String, CodingKey {
            case incident, title, severity, resolvedAt = "resolved_at", due, status, overdue
        }
    }

    /// Every settled incident (of `incidents`, when given) that needs a postmortem under the ops.yaml policy.
    /// `postmortems` (by incident id) stands for the committed files when given: the weekly pack
    /// passes them as they were at the week's end.
    public func requirements(of incidents: [Incident]? = nil, postmortems: [String: Postmortem]? = nil) throws -> [Requirement] {
        let config = try workspace.config()
        let now = workspace.clock()
        let written = postmortems != nil ? [:] : Dictionary(try PostmortemIndex.files(workspace).map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [Requirement] = []
        for incident in try incidents ?? IncidentCatalog.load(workspace).incidents where incident.isSettled {
            guard let level = config.severity(named: incident.severity), let days = config.postmortemDeadlines[level.id],
                let resolved = incident.clock[.resolved] ?? incident.clock[.closed]
            else { continue }
            let dueDay = Self.addingBusinessDays(days, to: resolved, zone: config.timeZone)
            var status = "missing"
            if let postmortems {
                status = postmortems[incident.id]?.status ?? status
            } else if let file = written[Self.path(for: incident.path)] {
                status = Postmortem(try MarkdownDocument(workspace.text(of: file), path: file.path)).status
            }
            let normalized = Postmortem.status(named: status) ?? status
            let finished = normalized == "Reviewed" || normalized == "Closed"
            let endOfDue = Calendar.gregorian(config.timeZone).date(byAdding: .day, value: 1, to: dueDay)!
            result.append(
                Requirement(
                    incident: incident.id, title: incident.title, severity: level.id, resolvedAt: resolved,
                    due: Self.day(dueDay, zone: config.timeZone), status: status, overdue: !finished && now >= endOfDue))
        }
        return result.sorted { ($0.resolvedAt, $0.incident) < ($1.resolvedAt, $1.incident) }
    }

    /// Midnight (team zone) of the day `days` business days (Monday to Friday) after `date`'s day.
    static func addingBusinessDays(_ days: Int, to date: Date, zone: TimeZone) -> Date {
        let calendar = Calendar.gregorian(zone)
        var day = calendar.startOfDay(for: date)
        var left = days
        while left > 0 {
            day = calendar.date(byAdding: .day, value: 1, to: day)!
            let weekday = calendar.component(.weekday, from: day)  // 1 = Sunday, 7 = Saturday
            if weekday != 1 && weekday != 7 { left -= 1 }
        }
        return day
    }

    static func day(_ date: Date, zone: TimeZone) -> String {
        String(LocalTime.format(date, zone: zone).prefix(10))
    }
}

extension Calendar {
    static func gregorian(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }
}
