public import Foundation

/// The decision log, backlog, RACI and history for the terminal, JSON, CSV and Markdown.
public enum RecordsRendering {
    public static func decisions(_ decisions: [Decision], format: OutputFormat) throws -> String {
        switch format {
        case .json: return try JSONOutput.render(decisions)
        case .csv:
            return CSV.render(
                headers: ["id", "date", "status", "title", "owner", "due", "tags", "superseded_by"],
                rows: decisions.map {
                    [$0.id, $0.date, $0.status, $0.title, $0.owner ?? "", $0.due ?? "", $0.tags.joined(separator: " "), $0.supersededBy ?? ""]
                })
        case .table:
            return TextTable(
                headers: ["ID", "DATE", "STATUS", "OWNER", "TITLE"],
                rows: decisions.map {
                    [$0.id, $0.date, $0.status, $0.owner ?? "–", IncidentRendering.oneLine($0.title, limit: 50)]
                }
            ).text
        }
    }

    public static func decision(_ shown: (decision: Decision, text: String, older: [Decision], newer: [Decision]), format: OutputFormat) throws -> String {
        if format == .json {
            struct Shown: Encodable {
                var decision: Decision; var supersedes: [String]; var supersededBy: [String]
                enum CodingKeys: String, CodingKey { case decision, supersedes, supersededBy = "superseded_by" }
            }
            return try JSONOutput.render(Shown(decision: shown.decision, supersedes: shown.older.map(\.id), supersededBy: shown.newer.map(\.id)))
        }
        var lines: [String] = []
        if !shown.older.isEmpty || !shown.newer.isEmpty {
            let chain = (shown.older + [shown.decision] + shown.newer).map { item in
                item.id == shown.decision.id ? "[\(item.id) \(item.status)]" : "\(item.id) \(item.status)"
            }
            lines.append("Chain, oldest first: " + chain.joined(separator: " → "))
            lines.append("")
        }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n") + shown.text
    }

    public static func backlog(_ items: [BacklogItem], format: OutputFormat, now: Date, zone: TimeZone) throws -> String {
        switch format {
        case .json: return try JSONOutput.render(items)
        case .csv:
            return CSV.render(
                headers: ["id", "priority", "status", "owner", "due", "overdue", "tags", "source", "title"],
                rows: items.map {
                    [
                        $0.id, $0.priority ?? "", $0.status, $0.owner ?? "", $0.due ?? "", $0.isOverdue(now: now, zone: zone) ? "yes" : "no",
                        $0.tags.joined(separator: " "), $0.source ?? "", $0.title,
                    ]
                })
        case .table:
            return TextTable(
                headers: ["ID", "PRI", "STATUS", "OWNER", "DUE", "TAGS", "TITLE"],
                rows: items.map {
                    [
                        $0.id, $0.priority ?? "–", $0.status, $0.owner ?? "–", ($0.due ?? "–") + ($0.isOverdue(now: now, zone: zone) ? " LATE" : ""),
                        $0.tags.joined(separator: ","), IncidentRendering.oneLine($0.title, limit: 40),
                    ]
                }
            ).text
        }
    }

    public enum RACIFormat: String, Sendable, CaseIterable { case table, json, csv, md }

    public static func raci(_ workstreams: [RACIMatrix.Workstream], format: RACIFormat) throws -> String {
        let rows = workstreams.map { [$0.name] + RACIMatrix.roles.map($0.names).map { $0.joined(separator: ", ") } }
        let headers = ["Workstream", "Responsible", "Accountable", "Consulted", "Informed"]
        switch format {
        case .json: return try JSONOutput.render(workstreams)
        case .csv: return CSV.render(headers: headers.map { $0.lowercased() }, rows: rows)
        case .md:
            let escape = { (text: String) in text.replacingOccurrences(of: "|", with: "\\|") }
            return "| " + headers.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: headers.count) + "\n"
                + rows.map { "| " + $0.map(escape).joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
        case .table: return TextTable(headers: headers.map { $0.uppercased() }, rows: rows).text
        }
    }

    public static func history(_ entries: [HistoryService.Entry], format: OutputFormat, zone: TimeZone) throws -> String {
        switch format {
        case .json: return try JSONOutput.render(entries)
        case .csv:
            return CSV.render(
                headers: ["commit", "date", "author", "action", "changes"],
                rows: entries.map {
                    [$0.commit, Timestamp.format($0.date), $0.author, $0.action, $0.changes.map(\.description).joined(separator: "; ")]
                })
        case .table:
            var lines: [String] = []
            for entry in entries {
                lines.append("\(LocalTime.format(entry.date, zone: zone))  \(entry.author)  \(entry.action)  \(entry.commit.prefix(7))")
                // A new document reads as one line; its first values are in the JSON.
                let shown =
                    entry.created && entry.changes.count > 1
                    ? [HistoryService.Change(field: "created", before: nil, after: entry.path)]
                    : entry.changes
                for change in shown { lines.append("    " + IncidentRendering.oneLine(change.description, limit: 110)) }
            }
            return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        }
    }

    public static func activity(_ entries: [HistoryService.Activity], format: OutputFormat, zone: TimeZone) throws -> String {
        switch format {
        case .json: return try JSONOutput.render(entries)
        case .csv:
            return CSV.render(
                headers: ["commit", "date", "author", "action", "ids", "subject"],
                rows: entries.map {
                    [$0.commit, Timestamp.format($0.date), $0.author, $0.action, $0.ids.joined(separator: " "), $0.subject]
                })
        case .table:
            return TextTable(
                headers: ["WHEN (\(zone.identifier))", "WHO", "ACTION", "WHAT"],
                rows: entries.map {
                    [LocalTime.format($0.date, zone: zone), $0.author, $0.action, IncidentRendering.oneLine($0.subject, limit: 60)]
                }
            ).text
        }
    }
}
