import Foundation

/// A tool `ops import` reads incident history from. This is the one list of importers: each
/// tool's names, help and reader are in `entry`, and the command line's `ops import` help is
/// made from it (a new tool also needs its subcommand type there, which a CLI test checks).
public enum ImportTool: String, Sendable, CaseIterable {
    case pagerduty, incidentio, firehydrant, rootly, dispatch

    private struct Entry {
        /// The tool's own name, for messages.
        let name: String
        /// What a file for this tool holds, for the message when a file is not one.
        let expected: String
        let clockSources: String
        /// A command line for the help.
        let example: String
        let reader: any ImportReader.Type
    }

    private var entry: Entry {
        switch self {
        case .pagerduty:
            return Entry(
                name: "PagerDuty",
                expected:
                    "PagerDuty REST v2 incidents and log entries: {\"incidents\": [...]}, {\"log_entries\": [...]}, a JSON array of them, or JSON lines (Airbyte records too)",
                clockSources:
                    "detected/opened = trigger (detected only when a monitor triggered it), acknowledged = first acknowledge log entry, resolved = resolved_at or the resolve log entry; no start, mitigation or close",
                example: "ops import pagerduty incidents.json log_entries.json", reader: PagerDutyReader.self)
        case .incidentio:
            return Entry(
                name: "incident.io",
                expected:
                    "incident.io API responses: GET /v2/incidents, /v2/incidents/{id}, /v2/incident_updates, /v2/incident_timestamps, /v1/severities, ...",
                clockSources:
                    "opened = created_at (or the org's accepted/declared timestamp), other points from the org's named timestamps and status updates; no acknowledgement by default",
                example: "ops import incidentio incidents.json updates.json --clock 'Impact began=started'", reader: IncidentIOReader.self)
        case .firehydrant:
            return Entry(
                name: "FireHydrant",
                expected: "FireHydrant GET /v1/incidents items (with their events), as {\"data\": [...]}, a JSON array or JSON lines",
                clockSources:
                    "started, detected, acknowledged, mitigated, resolved, closed = milestones; opened = created_at; manual incidents start acknowledged",
                example: "ops import firehydrant incidents.jsonl", reader: FireHydrantReader.self)
        case .rootly:
            return Entry(
                name: "Rootly",
                expected: "Rootly JSON:API responses: {\"data\": {\"type\": \"incidents\", ...}} or a list of them, with included events",
                clockSources: "each point from its own field (created_at = opened); mitigated missing when Rootly back-filled it with resolved_at",
                example: "ops import rootly incidents.json", reader: RootlyReader.self)
        case .dispatch:
            return Entry(
                name: "Dispatch",
                expected: "Dispatch's database dump (the COPY blocks of pg_dump for incident, event, participant, ...) or IncidentRead JSON",
                clockSources: "opened = reported_at, mitigated = stable_at, closed = closed_at; no start, detection, acknowledgement or separate resolution",
                example: "ops import dispatch dispatch.sql", reader: DispatchReader.self)
        }
    }

    /// The tool's own name, for messages.
    public var name: String { entry.name }

    /// What a file for this tool holds, for the message when a file is not one.
    var expected: String { entry.expected }

    /// Which clock points this tool's data gives, and from which of its fields: printed next to
    /// the metrics of imported incidents, since "MTTA" means something else in each tool.
    public var clockSources: String { entry.clockSources }

    /// An `ops import` command line for this tool, for its help.
    public var example: String { entry.example }

    /// Every tool's name, for a sentence: `PagerDuty, incident.io, FireHydrant, Rootly or Dispatch`.
    public static var names: String {
        let names = allCases.map(\.name)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    func reader(options: IncidentImport.Options, mapper: ImportMapper) -> any ImportReader {
        entry.reader.init(options: options, mapper: mapper)
    }

    /// The tool an incident's `source:` names (`pagerduty:Q0F38LOFAQXIKU`), nil for others.
    public static func of(source: String?) -> ImportTool? {
        guard let source, let colon = source.firstIndex(of: ":") else { return nil }
        return ImportTool(rawValue: String(source[..<colon]))
    }

    /// Lines for a metrics footer: how many incidents came from each tool, and which of its
    /// fields their clock points are, from the incidents' `source:` values. Empty when none was imported.
    public static func clockSourceLines(for sources: [String?]) -> [String] {
        var counts: [ImportTool: Int] = [:]
        for source in sources {
            if let tool = of(source: source) { counts[tool, default: 0] += 1 }
        }
        return allCases.compactMap { tool in
            counts[tool].map { "Imported from \(tool.name) (\($0)): \(tool.clockSources)." }
        }
    }
}
