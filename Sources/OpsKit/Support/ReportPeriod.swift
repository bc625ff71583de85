public import Foundation

/// Which incidents a report counts, by when they were opened: an ISO week in the team's time
/// zone, or a range whose open ends are the distant past and now; with a label for the heading.
public struct ReportPeriod: Sendable {
    public let interval: DateInterval
    /// `2026-W47`, or `opened since 2026-11-01 00:00 CET, before …`.
    public let label: String

    /// The period asked for; nil when neither a week nor a bound was given. `week` is written
    /// like `2026-W47`; `since` and `until` are moments already read from time input.
    public static func resolve(week: String?, since: Date?, until: Date?, in workspace: Workspace) throws -> ReportPeriod? {
        let zone = try workspace.config().timeZone
        if let week {
            guard since == nil && until == nil else { throw OpsError.input("use either --week or --since/--until") }
            guard let parsed = ISOWeek(week) else { throw OpsError.input("'\(week)' is not an ISO week. Write it like 2026-W47") }
            return ReportPeriod(interval: parsed.interval(in: zone), label: parsed.description)
        }
        guard since != nil || until != nil else { return nil }
        let start = since ?? .distantPast
        let interval = DateInterval(start: start, end: max(until ?? workspace.clock(), start))
        guard interval.duration > 0 else { throw OpsError.input("--since must be before --until") }
        let label = [
            since.map { "opened since " + LocalTime.format($0, zone: zone) },
            until.map { "before " + LocalTime.format($0, zone: zone) },
        ].compactMap { $0 }.joined(separator: ", ")
        return ReportPeriod(interval: interval, label: label)
    }
}
