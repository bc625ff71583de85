import Foundation

/// A tool `ops import` reads incident history from.
public enum ImportTool: String, Sendable, CaseIterable {
    case pagerduty, incidentio, firehydrant, rootly, dispatch

    /// The tool's own name, for messages.
    public var name: String {
        switch self {
        case .pagerduty: return "PagerDuty"
        case .incidentio: return "incident.io"
        case .firehydrant: return "FireHydrant"
        case .rootly: return "Rootly"
        case .dispatch: return "Dispatch"
        }
    }

    /// What a file for this tool holds, for the message when a file is not one.
    var expected: String {
        switch self {
        case .pagerduty:
            return "PagerDuty REST v2 incidents and log entries: {\"incidents\": [...]}, {\"log_entries\": [...]}, a JSON array of them, or JSON lines (Airbyte records too)"
        case .incidentio:
            return "incident.io API responses: GET /v2/incidents, /v2/incidents/{id}, /v2/incident_updates, /v2/incident_timestamps, /v1/severities, ..."
        case .firehydrant:
            return "FireHydrant GET /v1/incidents items (with their events), as {\"data\": [...]}, a JSON array or JSON lines"
        case .rootly:
            return "Rootly JSON:API responses: {\"data\": {\"type\": \"incidents\", ...}} or a list of them, with included events"
        case .dispatch:
            return "Dispatch's database dump (the COPY blocks of pg_dump for incident, event, participant, ...) or IncidentRead JSON"
        }
    }

    /// Which clock points this tool's data gives, and from which of its fields: printed next to
    /// the metrics of imported incidents, since "MTTA" means something else in each tool.
    public var clockSources: String {
        switch self {
        case .pagerduty:
            return "detected/opened = trigger (detected only when a monitor triggered it), acknowledged = first acknowledge log entry, resolved = resolved_at or the resolve log entry; no start, mitigation or close"
        case .incidentio:
            return "opened = created_at (or the org's accepted/declared timestamp), other points from the org's named timestamps and status updates; no acknowledgement by default"
        case .firehydrant:
            return "started, detected, acknowledged, mitigated, resolved, closed = milestones; opened = created_at; manual incidents start acknowledged"
        case .rootly:
            return "each point from its own field (created_at = opened); mitigated missing when Rootly back-filled it with resolved_at"
        case .dispatch:
            return "opened = reported_at, mitigated = stable_at, closed = closed_at; no start, detection, acknowledgement or separate resolution"
        }
    }

    /// The tool an incident's `source:` names (`pagerduty:Q0F38LOFAQXIKU`), nil for others.
    public static func of(source: String?) -> ImportTool? {
        guard let source, let colon = source.firstIndex(of: ":") else { return nil }
        return ImportTool(rawValue: String(source[..<colon]))
    }

    /// Lines for a metrics footer: how many incidents came from each tool, and which of its
    /// fields their clock points are. Empty when none was imported.
    public static func clockSourceLines(for incidents: [Incident]) -> [String] {
        var counts: [ImportTool: Int] = [:]
        for incident in incidents {
            if let tool = of(source: incident.source) { counts[tool, default: 0] += 1 }
        }
        return allCases.compactMap { tool in
            counts[tool].map { "Imported from \(tool.name) (\($0)): \(tool.clockSources)." }
        }
    }
}
