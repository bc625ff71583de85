import Foundation

/// `incident_log.csv` (RFC 4180): one row per incident active in the week, as it stood at the
/// week's end, with its clock points, response times, postmortem and any clock-order error.
enum IncidentLog {
    static let points: [ClockPoint] = [.started, .detected, .opened, .acknowledged, .mitigated, .resolved, .closed]

    static func csv(_ incidents: [Incident], postmortems: [String: Postmortem], config: OpsConfig) -> String {
        let headers =
            ["id", "title", "severity", "status", "service", "use_case", "commander"]
            + points.map(\.key) + ResponseMetric.allCases.map { $0.rawValue + "_seconds" } + ["postmortem", "root_cause_category", "data_error"]
        let rows = incidents.map { incident -> [String] in
            let durations = incident.durations(clockStart: config.clockStart)
            let violations = incident.clockOrderViolations.map { "\($0.later.key) before \($0.earlier.key)" }.joined(separator: "; ")
            let postmortem = postmortems[incident.id]
            return [
                incident.id, incident.title, incident.severity, incident.status.rawValue, incident.service ?? "", incident.useCase ?? "",
                incident.commander ?? "",
            ]
                + points.map { incident.clock[$0].map(Timestamp.format) ?? "" }
                + ResponseMetric.allCases.map { metric in durations[metric.rawValue].map { String(Int($0.rounded())) } ?? "" }
                + [postmortem?.status ?? "", postmortem?.rootCauseCategory ?? "", violations]
        }
        return CSV.render(headers: headers, rows: rows)
    }
}
