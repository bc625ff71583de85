import ArgumentParser
import Foundation
import OpsKit

extension Ops.Incident {
    struct List: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List incidents, most recent first.",
            discussion: """
                  ops incident list --status active              not yet resolved
                  ops incident list --status acknowledged,mitigated
                  ops incident list --week 2026-W47 --format csv
                  ops incident list --sev SEV1 --since 2026-11-01
                """
        )

        @Option(
            help: ArgumentHelp(
                "open, acknowledged, mitigated, resolved, closed, or active (all not yet resolved). Repeat, or separate with commas.",
                valueName: "status"))
        var status: [String] = []

        @Option(name: .customLong("sev"), help: "Severity; repeat for more.")
        var severities: [String] = []

        @Option(help: "Service; repeat for more.", completion: Completions.services)
        var service: [String] = []

        @Option(help: "Only incidents with this tag; repeat to require several.")
        var tag: [String] = []

        @OptionGroup var period: PeriodOptions
        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let config = try workspace.config()
            var filter = IncidentFilter()
            filter.statuses = try IncidentFilter.statuses(status)
            filter.severities = severities
            filter.services = service
            filter.tags = tag
            if let period = try period.period(context) {
                filter.since = period.interval.start
                filter.until = period.interval.end
            }
            let service = IncidentService(workspace)
            let result = try service.list(filter)
            context.noteSkipped(result.problems)
            if result.incidents.count == 0 && format.chosen == .table { context.note("No incidents match.") }
            let listing = try IncidentRendering.list(result.incidents, format: format.chosen, config: config, now: workspace.clock()) {
                try service.incidents(result.incidents)
            }
            context.output(listing, terminated: false)
        }
    }
}
