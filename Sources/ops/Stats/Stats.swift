public import ArgumentParser
import Foundation
import OpsKit

extension Ops {
    struct Stats: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Response times: detect, acknowledge, mitigate, resolve (count, mean, median, p90, max).",
            discussion: """
                Counts incidents opened in the period, each figure over those that reached
                its clock point: acknowledged ones count in time to acknowledge before they
                are resolved. Unresolved ones are also listed apart; incidents with clock
                points out of order are listed as data errors, not averaged in. The
                definitions used are printed with the numbers.
                  ops stats --week 2026-W47
                  ops stats --since 2026-10-01 --by severity
                  ops stats --by week --format csv
                """
        )

        @OptionGroup var period: PeriodOptions

        @Option(help: "Also break down by severity, service or week.")
        var by: StatsGrouping?

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let config = try workspace.config()
            let scope = try period.period(context)
            let (incidents, problems) = try IncidentColumns.load(workspace)
            context.noteSkipped(problems)
            let stats = ResponseMetrics.compute(
                incidents, config: config, scope: scope?.interval, scopeLabel: scope?.label,
                groupBy: by, now: workspace.clock())
            context.output(try stats.render(format.chosen, zone: config.timeZone), terminated: false)
        }
    }
}

extension StatsGrouping: ExpressibleByArgument {}
