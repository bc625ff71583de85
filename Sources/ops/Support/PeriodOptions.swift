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

    /// The period asked for; nil when none was given.
    func period(_ context: OpsContext) throws -> ReportPeriod? {
        try ReportPeriod.resolve(
            week: week, since: context.time(since, option: "--since", allowFuture: true),
            until: context.time(until, option: "--until", allowFuture: true), in: context.workspace())
    }
}
