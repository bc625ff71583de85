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

    /// Whether the incident at `row` is one to show. `levels` gives the configured level each
    /// severity spelling names (`IncidentFilter.levels`).
    func matches(_ row: Int, of table: IncidentColumns, levels: [String: String]) -> Bool {
        if !statuses.isEmpty && !statuses.contains(table.statuses[row]) { return false }
        if !severities.isEmpty && !severities.contains(levels[table.severities[row]] ?? table.severities[row]) { return false }
        let service = table.services[row] ?? ""
        if !services.isEmpty && !services.contains(where: { $0.caseInsensitiveCompare(service) == .orderedSame }) { return false }
        if !tags.isEmpty && !tags.allSatisfy({ tag in table.tags[row].contains { $0.caseInsensitiveCompare(tag) == .orderedSame } }) { return false }
        let opened = table.date(.opened, row) ?? .distantPast
        if let since, opened < since { return false }
        if let until, opened >= until { return false }
        return true
    }

    /// The configured level each severity spelling in `table` names, worked out once per spelling.
    static func levels(_ table: IncidentColumns, config: OpsConfig) -> [String: String] {
        Dictionary(uniqueKeysWithValues: Set(table.severities).map { ($0, config.severity(named: $0)?.id ?? $0) })
    }
}

extension IncidentService {
    /// Committed incidents matching `filter`, most recently opened first, as columns
    /// (`IncidentColumns.load`: no incident is parsed when the columns are kept), and files that did not read.
    public func list(_ filter: IncidentFilter) throws -> (incidents: IncidentColumns, problems: [Problem]) {
        let config = try workspace.config()
        for name in filter.severities { _ = try config.severityID(named: name) }
        for name in filter.services where !config.services.isEmpty { _ = try config.serviceName(named: name) }
        let (table, problems) = try IncidentColumns.load(workspace)
        let wanted = IncidentFilter.normalized(filter, config: config)
        let levels = IncidentFilter.levels(table, config: config)
        let opened = (0..<table.count).map { table.seconds(.opened, $0) ?? -.infinity }
        let rows = (0..<table.count).filter { wanted.matches($0, of: table, levels: levels) }.sorted {
            (opened[$0], table.ids[$0]) > (opened[$1], table.ids[$1])
        }
        return (table.rows(rows), problems)
    }

    /// The whole incidents `table` lists, in its order (what JSON shows: roles, alerts, on-call).
    public func incidents(_ table: IncidentColumns) throws -> [Incident] {
        let wanted = Set(table.ids)
        let loaded = try IncidentCatalog.load(workspace) { wanted.contains($0.id) }.incidents
        let byID = Dictionary(loaded.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return table.ids.compactMap { byID[$0] }
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
        start.origin(seconds).map(Date.init(timeIntervalSinceReferenceDate:))
    }

    /// The durations known so far, in seconds, by their JSON names.
    public func durations(clockStart start: ClockStart) -> [String: Double] {
        var result: [String: Double] = [:]
        for metric in ResponseMetric.allCases {
            if let value = metric.seconds(clockStart: start, seconds) { result[metric.rawValue] = value }
        }
        return result
    }

    /// Seconds since 2001-01-01 of a clock point, as `IncidentColumns` holds it.
    func seconds(_ point: ClockPoint) -> Double? { clock[point]?.timeIntervalSinceReferenceDate }
}

/// Renders incident listings and single incidents for the terminal, JSON and CSV.
public enum IncidentRendering {
    /// A listing of the incidents in `table`, in its order; JSON, which shows every field, asks
    /// `whole` for the incidents themselves.
    public static func list(
        _ table: IncidentColumns, format: OutputFormat, config: OpsConfig, now: Date, whole: () throws -> [Incident]
    ) throws -> String {
        switch format {
        case .json:
            return try JSONOutput.render(whole().map { IncidentRecord($0, clockStart: config.clockStart, withTimeline: false) })
        case .csv:
            let points = ClockPoint.allCases
            let headers =
                ["id", "title", "severity", "status", "service", "use_case", "commander", "tags"]
                + points.map(\.key) + ResponseMetric.allCases.map { $0.rawValue + "_seconds" }
            let rows = (0..<table.count).map { row -> [String] in
                let fields: [String] = [
                    table.ids[row], table.titles[row], table.severities[row], table.statuses[row].rawValue, table.services[row] ?? "",
                    table.useCases[row] ?? "", table.commanders[row] ?? "", table.tags[row].joined(separator: " "),
                ]
                let times = points.map { table.date($0, row).map(Timestamp.format) ?? "" }
                let durations = ResponseMetric.allCases.map { metric -> String in
                    table.duration(metric, clockStart: config.clockStart, row).map { String(Int($0.rounded())) } ?? ""
                }
                return fields + times + durations
            }
            return CSV.render(headers: headers, rows: rows)
        case .table:
            if table.count == 0 { return "" }
            var text = TextTable(
                headers: ["ID", "SEV", "STATUS", "SERVICE", "OPENED (\(config.timeZone.identifier))", "FOR", "TITLE"],
                rightAligned: [5])
            for row in 0..<table.count {
                let opened = table.date(.opened, row)
                let end = table.isSettled(row) ? (table.date(.resolved, row) ?? table.date(.closed, row)) : now
                let span = opened.flatMap { start in end.map { DurationFormat.short($0.timeIntervalSince(start)) } } ?? "–"
                text.rows.append([
                    table.ids[row], table.severities[row], table.statuses[row].rawValue, table.services[row] ?? "–",
                    opened.map { LocalTime.format($0, zone: config.timeZone) } ?? "–", span,
                    oneLine(table.titles[row], limit: 48),
                ])
            }
            return text.text
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
            return try list(IncidentColumns([incident]), format: .csv, config: config, now: now) { [incident] }
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
