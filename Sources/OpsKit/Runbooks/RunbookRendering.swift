import Foundation

/// Runbooks and checklist progress for the terminal, JSON and CSV.
public enum RunbookRendering {
    struct Record: Encodable {
        var slug, title: String
        var owner, channel: String?
        var services, severities, triggers: [String]
        var steps: Int
    }

    public static func list(_ runbooks: [Runbook], format: OutputFormat) throws -> String {
        let records = runbooks.map {
            Record(
                slug: $0.slug, title: $0.title, owner: $0.owner, channel: $0.channel, services: $0.services,
                severities: $0.severities, triggers: $0.triggers, steps: $0.items.count)
        }
        switch format {
        case .json: return try JSONOutput.render(records)
        case .csv:
            return CSV.render(
                headers: ["slug", "title", "owner", "channel", "steps", "triggers"],
                rows: records.map { [$0.slug, $0.title, $0.owner ?? "", $0.channel ?? "", String($0.steps), $0.triggers.joined(separator: " ")] })
        case .table:
            if records.isEmpty { return "No runbooks yet. Write one: ops runbook new SLUG\n" }
            return TextTable(
                headers: ["RUNBOOK", "STEPS", "OWNER", "TRIGGERS"],
                rows: records.map {
                    [
                        $0.slug, String($0.steps), [$0.owner, $0.channel].compactMap { $0 }.joined(separator: " "),
                        IncidentRendering.oneLine($0.triggers.joined(separator: ", "), limit: 40),
                    ]
                }, rightAligned: [1]
            ).text
        }
    }

    public static func show(_ runbook: Runbook) -> String {
        var lines = ["\(runbook.title)  (\(runbook.slug))"]
        if let owner = runbook.owner { lines.append("Owner: \(owner)" + (runbook.channel.map { " in \($0)" } ?? "")) }
        if !runbook.triggers.isEmpty { lines.append("Triggers: \(runbook.triggers.joined(separator: ", "))") }
        let items = runbook.items
        for phase in runbook.phases {
            lines.append("")
            lines.append(phase.name)
            for step in phase.steps {
                lines.append("  \(step.title)")
                if !step.action.isEmpty { lines += step.action.components(separatedBy: "\n").map { "    \($0)" } }
                for command in step.commands { lines += command.components(separatedBy: "\n").map { "    $ \($0)" } }
                for item in items where item.phase == phase.name && item.step == step.title {
                    lines.append("    [ ] \(item.id)  \(item.text)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Progress per phase and the next open step, as `ops incident show` prints it.
    public static func progress(_ attached: AttachedRunbook) -> [String] {
        var lines = ["Runbook \(attached.slug): \(attached.done) of \(attached.items.count) done, \(attached.skipped) skipped"]
        for phase in attached.progress {
            lines.append(
                "  \(phase.phase.padding(toLength: 12, withPad: " ", startingAt: 0)) \(phase.done)/\(phase.total) done"
                    + (phase.skipped > 0 ? ", \(phase.skipped) skipped" : ""))
        }
        if let next = attached.next { lines.append("  Next: \(next.id)  \(next.text)") } else { lines.append("  Every step is done or skipped.") }
        for problem in attached.problems { lines.append("  ! \(problem.description)") }
        return lines
    }

    public static func usage(_ usage: [RunbookService.Usage], format: OutputFormat) throws -> String {
        switch format {
        case .json: return try JSONOutput.render(usage)
        case .csv:
            return CSV.render(
                headers: ["runbook", "times_used", "median_completion", "most_skipped"],
                rows: usage.map {
                    [
                        $0.runbook, String($0.timesUsed), $0.medianCompletion.map { String(format: "%.3f", $0) } ?? "",
                        $0.mostSkipped.map { "\($0.step) (\($0.times))" }.joined(separator: " "),
                    ]
                })
        case .table:
            return TextTable(
                headers: ["RUNBOOK", "USED", "MEDIAN DONE", "MOST SKIPPED"],
                rows: usage.map {
                    [
                        $0.runbook, String($0.timesUsed), $0.medianCompletion.map { String(format: "%.0f %%", $0 * 100) } ?? "–",
                        $0.mostSkipped.isEmpty ? "–" : $0.mostSkipped.map { "\($0.step) ×\($0.times)" }.joined(separator: ", "),
                    ]
                }, rightAligned: [1, 2]
            ).text
        }
    }
}
