public import Foundation

/// Which incidents `ops incident list` shows.
public struct IncidentFilter: Sendable {
    public var statuses: Set<IncidentStatus> = []
    public var severities: [String] = []
    public var services: [String] = []
    public var tags: [String] = []
    /// Opened at or after.
    public var since: Date?
    /// Opened before.
    public var until: Date?

    public init() {}

    /// Statuses as typed on the command line: repeated and/or comma-separated
    /// (`acknowledged,mitigated`), any case; `active` stands for every status before resolved,
    /// so an incident still being worked is never hidden by asking for `open` alone.
    public static func statuses(_ words: [String]) throws -> Set<IncidentStatus> {
        var result = Set<IncidentStatus>()
        for word in words.flatMap({ $0.split(separator: ",") }) {
            let name = word.trimmingCharacters(in: .whitespaces).lowercased()
            if name.isEmpty { continue }
            if name == "active" {
                result.formUnion(IncidentStatus.allCases.filter { $0 < .resolved })
            } else if let status = IncidentStatus(rawValue: name) {
                result.insert(status)
            } else {
                let known = IncidentStatus.allCases.map(\.rawValue) + ["active (not yet resolved)"]
                throw OpsError.input("unknown status '\(word)'. Known: \(known.joined(separator: ", "))")
            }
        }
        return result
    }

    func matches(_ incident: Incident, config: OpsConfig) -> Bool {
        if !statuses.isEmpty && !statuses.contains(incident.status) { return false }
        if !severities.isEmpty {
            let level = config.severity(named: incident.severity)?.id ?? incident.severity
            if !severities.contains(level) { return false }
        }
        if !services.isEmpty && !services.contains(where: { $0.caseInsensitiveCompare(incident.service ?? "") == .orderedSame }) { return false }
        if !tags.isEmpty && !tags.allSatisfy({ tag in incident.tags.contains { $0.caseInsensitiveCompare(tag) == .orderedSame } }) { return false }
        let opened = incident.clock[.opened] ?? .distantPast
        if let since, opened < since { return false }
        if let until, opened >= until { return false }
        return true
    }
}

extension IncidentService {
    /// Committed incidents matching `filter`, most recently opened first, and files that did not read.
    public func list(_ filter: IncidentFilter) throws -> (incidents: [Incident], problems: [Problem]) {
        let config = try workspace.config()
        for name in filter.severities { _ = try config.severityID(named: name) }
        for name in filter.services where !config.services.isEmpty { _ = try config.serviceName(named: name) }
        let catalog = try IncidentCatalog.load(workspace)
        let wanted = IncidentFilter.normalized(filter, config: config)
        let incidents = catalog.incidents.filter { wanted.matches($0, config: config) }.sorted {
            ($0.clock[.opened] ?? .distantPast, $0.id) > ($1.clock[.opened] ?? .distantPast, $1.id)
        }
        return (incidents, catalog.problems)
    }
}

extension IncidentFilter {
    static func normalized(_ filter: IncidentFilter, config: OpsConfig) -> IncidentFilter {
        var copy = filter
        copy.severities = filter.severities.map { config.severity(named: $0)?.id ?? $0 }
        return copy
    }
}

/// An incident as JSON and CSV show it: every field, clock points in UTC, durations in seconds.
public struct IncidentRecord: Encodable, Sendable {
    public var id: String
    public var title: String
    public var severity: String
    public var status: String
    public var service: String?
    public var useCase: String?
    public var commander: String?
    public var roles: [String: String]
    public var oncall: String?
    public var rotation: String?
    public var channel: String?
    public var tags: [String]
    public var runbook: String?
    public var alerts: [String]
    public var source: String?
    public var path: String
    /// `started_at` ... `closed_at`, only those known.
    public var clock: [String: Date]
    /// time_to_detect, time_to_acknowledge, time_to_mitigate, time_to_resolve in seconds, only those known.
    public var durations: [String: Int]
    public var timeline: [Entry]?
    /// Checklist progress, when a runbook is attached (`show` only).
    public var runbookProgress: RunbookProgress?

    public struct RunbookProgress: Encodable, Sendable {
        public var runbook: String
        public var done: Int
        public var skipped: Int
        public var total: Int
        public var phases: [AttachedRunbook.PhaseProgress]
        public var next: String?

        init(_ attached: AttachedRunbook) {
            runbook = attached.slug
            done = attached.done
            skipped = attached.skipped
            total = attached.items.count
            phases = attached.progress
            next = attached.next?.id
        }
    }

    public struct Entry: Encodable, Sendable {
        public var at: Date
        public var actor: String
        public var kind: String
        public var text: String
    }

    enum CodingKeys: String, CodingKey {
        case id, title, severity, status, service, useCase = "use_case", commander, roles, oncall, rotation, channel, tags, runbook, alerts
        case source, path, clock
        case durations, timeline, runbookProgress = "runbook_progress"
    }

    public init(_ incident: Incident, clockStart: ClockStart, withTimeline: Bool) {
        id = incident.id
        title = incident.title
        severity = incident.severity
        status = incident.status.rawValue
        service = incident.service
        useCase = incident.useCase
        commander = incident.commander
        roles = Dictionary(incident.roles.map { ($0.role, $0.person) }, uniquingKeysWith: { $1 })
        oncall = incident.oncall
        rotation = incident.rotation
        channel = incident.channel
        tags = incident.tags
        runbook = incident.runbook
        alerts = incident.alerts
        source = incident.source
        path = incident.path
        clock = Dictionary(uniqueKeysWithValues: incident.clock.map { ($0.key.key, $0.value) })
        durations = incident.durations(clockStart: clockStart).mapValues { Int($0.rounded()) }
        timeline = withTimeline ? incident.timeline.map { Entry(at: $0.at, actor: $0.actor, kind: $0.kind, text: $0.text) } : nil
    }
}

extension Incident {
    /// Where response clocks start for this incident (docs/DESIGN.md §4); nil when that point is unknown.
    public func clockStart(_ start: ClockStart) -> Date? {
        switch start {
        case .started: return clock[.started]
        case .detected: return clock[.detected] ?? clock[.opened]
        case .opened: return clock[.opened]
        }
    }

    /// The durations known so far, in seconds, by their JSON names.
    public func durations(clockStart start: ClockStart) -> [String: Double] {
        var result: [String: Double] = [:]
        if let started = clock[.started], let detected = clock[.detected] { result["time_to_detect"] = detected.timeIntervalSince(started) }
        if let origin = clockStart(start) {
            for (point, name) in [(ClockPoint.acknowledged, "time_to_acknowledge"), (.mitigated, "time_to_mitigate"), (.resolved, "time_to_resolve")] {
                if let end = clock[point] { result[name] = end.timeIntervalSince(origin) }
            }
        }
        return result
    }
}

/// Renders incident listings and single incidents for the terminal, JSON and CSV.
public enum IncidentRendering {
    public static func list(_ incidents: [Incident], format: OutputFormat, config: OpsConfig, now: Date) throws -> String {
        switch format {
        case .json:
            return try JSONOutput.render(incidents.map { IncidentRecord($0, clockStart: config.clockStart, withTimeline: false) })
        case .csv:
            let points = ClockPoint.allCases
            let durations = ["time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve"]
            let headers =
                ["id", "title", "severity", "status", "service", "use_case", "commander", "tags"]
                + points.map(\.key) + durations.map { $0 + "_seconds" }
            let rows = incidents.map { incident -> [String] in
                let known = incident.durations(clockStart: config.clockStart)
                return [
                    incident.id, incident.title, incident.severity, incident.status.rawValue, incident.service ?? "",
                    incident.useCase ?? "", incident.commander ?? "", incident.tags.joined(separator: " "),
                ]
                    + points.map { incident.clock[$0].map(Timestamp.format) ?? "" }
                    + durations.map { known[$0].map { String(Int($0.rounded())) } ?? "" }
            }
            return CSV.render(headers: headers, rows: rows)
        case .table:
            if incidents.isEmpty { return "" }
            var table = TextTable(
                headers: ["ID", "SEV", "STATUS", "SERVICE", "OPENED (\(config.timeZone.identifier))", "FOR", "TITLE"],
                rightAligned: [5])
            for incident in incidents {
                let opened = incident.clock[.opened]
                let end = incident.isSettled ? (incident.clock[.resolved] ?? incident.clock[.closed]) : now
                let span = opened.flatMap { start in end.map { DurationFormat.short($0.timeIntervalSince(start)) } } ?? "–"
                table.rows.append([
                    incident.id, incident.severity, incident.status.rawValue, incident.service ?? "–",
                    opened.map { LocalTime.format($0, zone: config.timeZone) } ?? "–", span,
                    oneLine(incident.title, limit: 48),
                ])
            }
            return table.text
        }
    }

    public static func show(
        _ incident: Incident, format: OutputFormat, config: OpsConfig, now: Date,
        runbook: AttachedRunbook? = nil
    ) throws -> String {
        switch format {
        case .json:
            var record = IncidentRecord(incident, clockStart: config.clockStart, withTimeline: true)
            record.runbookProgress = runbook.map(IncidentRecord.RunbookProgress.init)
            return try JSONOutput.render(record)
        case .csv:
            return try list([incident], format: .csv, config: config, now: now)
        case .table:
            let zone = config.timeZone
            var lines = ["\(incident.id)  \(incident.severity)  \(incident.status.rawValue)", incident.title, ""]
            var fields: [(String, String)] = [("service", incident.service ?? "–")]
            if let useCase = incident.useCase { fields.append(("use case", useCase)) }
            fields.append(("commander", incident.commander ?? "–"))
            for role in incident.roles { fields.append((role.role, role.person)) }
            if let rotation = incident.rotation {
                fields.append(("on call", (incident.oncall ?? "nobody") + " (\(rotation))" + (incident.channel.map { ", \($0)" } ?? "")))
            }
            if !incident.tags.isEmpty { fields.append(("tags", incident.tags.joined(separator: ", "))) }
            if let runbook = incident.runbook { fields.append(("runbook", runbook)) }
            if let source = incident.source { fields.append(("source", source)) }
            for point in ClockPoint.allCases {
                fields.append((point.rawValue, incident.clock[point].map { LocalTime.format($0, zone: zone) } ?? "–"))
            }
            let width = fields.map(\.0.count).max() ?? 0
            lines += fields.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            lines.append("")
            let known = incident.durations(clockStart: config.clockStart)
            let labels = [
                ("time_to_detect", "to detect"), ("time_to_acknowledge", "to acknowledge"),
                ("time_to_mitigate", "to mitigate"), ("time_to_resolve", "to resolve"),
            ]
            var so = labels.map { name, label in "\(label) \(known[name].map(DurationFormat.short) ?? "–")" }
            if !incident.isSettled, let opened = incident.clock[.opened] {
                so.append("open for \(DurationFormat.short(now.timeIntervalSince(opened)))")
            }
            lines.append("Durations: " + so.joined(separator: " · "))
            lines.append("")
            if let runbook {
                lines += RunbookRendering.progress(runbook)
                lines.append("")
            }
            lines.append("Timeline (\(zone.identifier)):")
            // The file is append-only; entries recorded late (a correction, a resolved alert) read best in time order.
            for entry in incident.timeline.enumerated().sorted(by: { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }).map(\.element) {
                let shown = LocalTime.localizingTimestamps(in: entry.text, zone: zone)
                let text = shown.isEmpty ? "" : " " + shown.replacingOccurrences(of: "\n", with: "\n    ")
                lines.append("  \(LocalTime.format(entry.at, zone: zone))  \(entry.actor) \(entry.kind)\(text)")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.components(separatedBy: .newlines).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}
