import ArgumentParser
import Foundation
import OpsKit

/// `--since`, `--until` and `--week`: which incidents count, by when they were opened.
struct PeriodOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Opened at or after this time or date (2026-11-01, -7d).")
    var since: String?

    @Option(parsing: .unconditional, help: "Opened before this time or date.")
    var until: String?

    @Option(help: "Opened in this ISO week, in the team's time zone (2026-W47).")
    var week: String?

    func validate() throws {
        if week != nil && (since != nil || until != nil) {
            throw ValidationError("use either --week or --since/--until")
        }
    }

    /// The period asked for, and a label for reports; nil when none was given.
    func period(_ context: OpsContext) throws -> (interval: DateInterval, label: String)? {
        let workspace = try context.workspace()
        let zone = try workspace.config().timeZone
        if let week {
            guard let parsed = ISOWeek(week) else { throw OpsError.input("'\(week)' is not an ISO week. Write it like 2026-W47") }
            return (parsed.interval(in: zone), parsed.description)
        }
        guard since != nil || until != nil else { return nil }
        let start = try context.time(since, allowFuture: true)
        let end = try context.time(until, allowFuture: true)
        let interval = DateInterval(start: start ?? .distantPast, end: max(end ?? workspace.clock(), start ?? .distantPast))
        guard interval.duration > 0 else { throw OpsError.input("--since must be before --until") }
        let label = [start.map { "opened since " + LocalTime.format($0, zone: zone) },
                     end.map { "before " + LocalTime.format($0, zone: zone) }].compactMap { $0 }.joined(separator: ", ")
        return (interval, label)
    }
}
