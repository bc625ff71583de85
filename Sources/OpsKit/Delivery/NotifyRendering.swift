public import Foundation

/// What `ops notify` prints: a table for people, JSON for scripts.
public enum NotifyRendering {
    public enum Format: String, Sendable, CaseIterable {
        case table, json
    }

    /// The messages that are not sent, oldest first, then the counts on one line.
    public static func status(_ status: NotifyService.Status, format: Format, zone: TimeZone, now: Date) throws -> String {
        if format == .json { return try JSONOutput.render(status) }
        var text = ""
        if !status.messages.isEmpty {
            let rows = status.messages.map { message -> [String] in
                [
                    message.state, message.channel, message.event, message.incident.map(ShortName.incident) ?? "", String(message.attempts),
                    nextTry(message, now: now, zone: zone), message.lastError ?? "",
                ]
            }
            text += TextTable(headers: ["STATE", "CHANNEL", "EVENT", "INCIDENT", "TRIES", "NEXT TRY", "LAST ERROR"], rows: rows, rightAligned: [4]).text
            text += "Times in \(zone.identifier).\n"
        }
        text += counts(status.counts) + (status.problems.isEmpty ? "" : "; \(status.problems.count) cannot be read") + "\n"
        for problem in status.problems { text += "problem: \(problem)\n" }
        return text
    }

    /// `2 pending, 1 failed, 0 held; 7 sent (kept 14 days)`.
    public static func counts(_ counts: NotifyService.Counts) -> String {
        "\(counts.pending) pending, \(counts.failed) failed, \(counts.held) held; \(counts.sent) sent (kept 14 days)"
    }

    private static func nextTry(_ message: NotifyService.Message, now: Date, zone: TimeZone) -> String {
        switch message.state {
        case "failed": return "ops notify flush"
        case "held": return "when its commit lands"
        default:
            guard let next = message.nextAttempt, next > now else { return "now" }
            return LocalTime.format(next, zone: zone) + " (in " + DurationFormat.short(next.timeIntervalSince(now)) + ")"
        }
    }

    /// What a flush sent, gave up on, and left waiting, one line each, then a summary that says
    /// plainly whether anything still waits.
    public static func flush(_ report: NotifyService.FlushReport, format: Format) throws -> String {
        if format == .json { return try JSONOutput.render(report) }
        var lines: [String] = []
        for message in report.sent { lines.append("sent     \(describe(message))") }
        for message in report.failed { lines.append("failed   \(describe(message)): \(message.lastError ?? "")") }
        for message in report.waiting {
            lines.append("waiting  \(describe(message))" + (message.lastError.map { ": \($0)" } ?? ""))
        }
        for problem in report.problems { lines.append("problem  \(problem)") }
        var summary = "Sent \(report.sent.count)."
        if !report.failed.isEmpty {
            summary += " \(report.failed.count) failed and will not be retried on their own: fix the cause, then run ops notify flush again."
        }
        if !report.problems.isEmpty {
            summary +=
                " \(report.problems.count) could not be read or claimed and \(report.problems.count == 1 ? "was" : "were") not sent: see each problem above."
        }
        if report.waiting.isEmpty {
            summary += report.failed.isEmpty && report.problems.isEmpty ? " Nothing waits." : ""
        } else {
            summary +=
                " \(report.waiting.count) still wait\(report.waiting.count == 1 ? "s" : "") in the outbox: they are retried by ops serve, the next flush, or the next command that sends."
        }
        if report.removedSent > 0 { summary += " Removed \(report.removedSent) sent more than 14 days ago." }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func describe(_ message: NotifyService.Message) -> String {
        "\(message.channel) \(message.event)" + (message.incident.map { " \(ShortName.incident($0))" } ?? "")
    }
}
