import Foundation
import GitStore

extension ReviewMetrics {
    /// The pack's headline figures, one line each, for the message to the reporting channel.
    var summaryLines: [String] {
        var lines: [String] = []
        let colours = slos.rows.map { $0.colour.value ?? "without data" }
        if colours.isEmpty {
            lines.append("SLOs: no data")
        } else {
            let counts = ["red", "yellow", "green", "without data"].compactMap { colour -> String? in
                let count = colours.filter { $0 == colour }.count
                return count > 0 ? "\(count) \(colour)" : nil
            }
            lines.append("SLOs: " + counts.joined(separator: ", "))
        }
        let severities = incidents.bySeverity.filter { $0.count > 0 }.map { "\($0.severity) \($0.count)" }
        var incidentLine = "Incidents: \(incidents.opened) opened" + (severities.isEmpty ? "" : " (\(severities.joined(separator: ", ")))")
        incidentLine += ", \(incidents.active) active"
        let medians = incidents.response.compactMap { response -> String? in
            guard let label = IncidentsSection.responseMetrics.first(where: { $0.metric == response.metric })?.label,
                let median = response.now.median.value
            else { return nil }
            return "\(label) \(DurationFormat.short(median))"
        }
        if !medians.isEmpty { incidentLine += "; median " + medians.joined(separator: ", ") }
        lines.append(incidentLine)
        if signals.catalog {
            lines.append("Signal breaches: \(signals.breaches.count)")
        }
        if !outputs.decisions.isEmpty {
            lines.append("Decisions to take: \(outputs.decisions.count)")
        }
        return lines
    }
}

extension ReviewService {
    /// The message a pack's commit sends (issue 18, "What is sent"): its summary lines and the
    /// path of pack.html, to every policy's `reporting.channel`. Sent once per week, with the
    /// first commit of the week's pack built after the week is over, which is itself the
    /// record: a preview built while the week runs is not sent, and a pack rebuilt later (the
    /// same bytes make no commit; a corrected clock point does) finds a finished pack of the
    /// week already committed, here or in the clone it was synced from, and sends nothing.
    func announcements(of pack: ReviewPack, folder: String, snapshot: Snapshot) throws -> [Announcement] {
        guard pack.weekOver else { return [] }
        if let data = try snapshot.read(folder + "/metrics.json"),
            let metrics = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            metrics["week_over"] as? Bool == true
        {
            return []
        }
        let event = OpsNotification.Event.weeklyPackCommitted(
            week: pack.week.description, summary: pack.summary, packPath: folder + "/pack.html")
        return try reportingChannels().map { Announcement(channel: $0, notification: OpsNotification(event: event, at: workspace.clock())) }
    }

    /// The `reporting.channel` of every policy in the work tree, each once, sorted.
    func reportingChannels() throws -> [String] {
        var channels = Set<String>()
        for path in workspace.workTreeFiles(under: ErrorBudgetPolicy.folder, extensions: ["yaml", "yml"]) {
            guard let text = try workspace.readWorkTreeFile(path) else { continue }
            if let channel = try ErrorBudgetPolicy.load(text, path: path).reporting?.channel, !channel.isEmpty {
                channels.insert(channel)
            }
        }
        return channels.sorted()
    }
}
