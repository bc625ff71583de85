import ArgumentParser
import Foundation
import OpsKit

extension Ops {
    struct Stats: OpsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Response times: detect, acknowledge, mitigate, resolve (count, mean, median, p90, max).",
            discussion: """
            Counts resolved and closed incidents opened in the period; open ones are listed apart,
            and incidents with clock points out of order are listed as data errors, not averaged
            in. The definitions used are printed with the numbers.
              ops stats --week 2026-W47
              ops stats --since 2026-10-01 --by severity
              ops stats --by week --format csv
            """
        )

        @Option(parsing: .unconditional, help: "Opened at or after this time or date (2026-11-01, -30d).")
        var since: String?

        @Option(parsing: .unconditional, help: "Opened before this time or date.")
        var until: String?

        @Option(help: "Opened in this ISO week, in the team's time zone (2026-W47).")
        var week: String?

        @Option(help: "Also break down by severity, service or week.")
        var by: StatsGrouping?

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if week != nil && (since != nil || until != nil) {
                throw ValidationError("use either --week or --since/--until")
            }
        }

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let config = try workspace.config()
            var scope: DateInterval?
            var label: String?
            if let week {
                guard let parsed = ISOWeek(week) else { throw OpsError.input("'\(week)' is not an ISO week. Write it like 2026-W47") }
                scope = parsed.interval(in: config.timeZone)
                label = parsed.description
            } else if since != nil || until != nil {
                let start = try context.time(since)
                let end = try context.time(until)
                let zone = config.timeZone
                scope = DateInterval(start: start ?? .distantPast, end: max(end ?? workspace.clock(), start ?? .distantPast))
                guard (start ?? .distantPast) < scope!.end else { throw OpsError.input("--since must be before --until") }
                label = [start.map { "opened since " + LocalTime.format($0, zone: zone) },
                         end.map { "before " + LocalTime.format($0, zone: zone) }].compactMap { $0 }.joined(separator: ", ")
            }
            let catalog = try IncidentCatalog.load(workspace)
            for problem in catalog.problems { context.note("skipped \(problem.description)") }
            let stats = ResponseMetrics.compute(catalog.incidents, config: config, scope: scope, scopeLabel: label,
                                                groupBy: by, now: workspace.clock())
            context.output(try stats.render(format.chosen, zone: config.timeZone), terminated: false)
        }
    }
}

extension StatsGrouping: ExpressibleByArgument {}
