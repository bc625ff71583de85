import Foundation

/// `ops postmortem list` for the terminal, JSON and CSV.
public enum PostmortemRendering {
    public static func list(_ rows: [PostmortemService.Requirement], format: OutputFormat) throws -> String {
        switch format {
        case .json: return try JSONOutput.render(rows)
        case .csv:
            return CSV.render(
                headers: ["incident", "severity", "resolved_at", "due", "status", "overdue", "title"],
                rows: rows.map {
                    [$0.incident, $0.severity, Timestamp.format($0.resolvedAt), $0.due, $0.status, $0.overdue ? "yes" : "no", $0.title]
                })
        case .table:
            if rows.isEmpty { return "No postmortems are due.\n" }
            return TextTable(
                headers: ["INCIDENT", "SEV", "DUE", "STATUS", "TITLE"],
                rows: rows.map {
                    [$0.incident, $0.severity, $0.due + ($0.overdue ? " OVERDUE" : ""), $0.status, IncidentRendering.oneLine($0.title, limit: 44)]
                }
            ).text
        }
    }
}
